// SPDX-License-Identifier: Apache-2.0
// PKCS#12 parsing over OpenSSL, with the legacy provider for old exports.
#include "pki/pkcs12.h"

#include <openssl/pkcs12.h>

#include <optional>
#include <string>
#include <vector>

#include "ossl/errors.h"
#include "ossl/providers.h"
#include "ossl/handles.h"

namespace sealpost::pki {
namespace {

using Pkcs12Ptr = ossl::Handle<PKCS12, PKCS12_free>;

Result<std::string> Dearmour(std::string_view bytes) {
  size_t begin = bytes.find("-----BEGIN PKCS12-----");
  if (begin == std::string_view::npos) return std::string(bytes);
  size_t body = bytes.find('\n', begin);
  size_t end = bytes.find("-----END PKCS12-----", begin);
  if (body == std::string_view::npos || end == std::string_view::npos || end < body)
    return Error(ErrorCode::kMalformed, "the PKCS#12 armour has no END line");
  std::string b64;
  for (char c : bytes.substr(body + 1, end - body - 1)) {
    if (c != '\r' && c != '\n' && c != ' ') b64 += c;
  }
  std::string out(b64.size() * 3 / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return Error(ErrorCode::kMalformed, "the PKCS#12 armour is not valid base64");
  size_t pad = 0;
  while (pad < 2 && !b64.empty() && b64[b64.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The MAC's iteration count, checked before the MAC is computed (catalogue K3).
Status CheckMacIterations(const PKCS12* p12) {
  const ASN1_INTEGER* iterations = nullptr;
  PKCS12_get0_mac(nullptr, nullptr, nullptr, &iterations, p12);
  // Absent means 1 (RFC 7292 Appendix A: iterations INTEGER DEFAULT 1).
  if (!iterations) return Ok();
  std::int64_t count = 0;
  if (ASN1_INTEGER_get_int64(&count, iterations) != 1) {
    ossl::DrainErrors();
    return Error(ErrorCode::kLimit, "the PKCS#12 file's MAC iteration count is not a usable number");
  }
  if (count < 1 || count > kMaxPkcs12MacIterations) {
    return Error(ErrorCode::kLimit, "the PKCS#12 file asks for " + std::to_string(count) +
                                        " MAC iterations; at most " + std::to_string(kMaxPkcs12MacIterations) +
                                        " are accepted");
  }
  return Ok();
}

void FreeAuthSafes(STACK_OF(PKCS7)* s) { sk_PKCS7_pop_free(s, PKCS7_free); }
void FreeBags(STACK_OF(PKCS12_SAFEBAG)* s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }
using AuthSafesPtr = ossl::Handle<STACK_OF(PKCS7), FreeAuthSafes>;
using BagsPtr = ossl::Handle<STACK_OF(PKCS12_SAFEBAG), FreeBags>;
using Pbe2ParamPtr = ossl::Handle<PBE2PARAM, PBE2PARAM_free>;
using Pbkdf2ParamPtr = ossl::Handle<PBKDF2PARAM, PBKDF2PARAM_free>;
using PbeParamPtr = ossl::Handle<PBEPARAM, PBEPARAM_free>;

// The iteration count a bag's password-based encryption asks for (PBES2 with PBKDF2, or a
// PKCS#12 PBE); nullopt when it cannot be read (OpenSSL then refuses the bag itself).
std::optional<std::int64_t> PbeIterations(const X509_ALGOR* alg) {
  const ASN1_INTEGER* iterations = nullptr;
  Pbe2ParamPtr pbes2;
  Pbkdf2ParamPtr pbkdf2;
  PbeParamPtr pbe;
  if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
    pbes2.reset(static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    if (!pbes2 || OBJ_obj2nid(pbes2->keyfunc->algorithm) != NID_id_pbkdf2) return std::nullopt;
    pbkdf2.reset(
        static_cast<PBKDF2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbes2->keyfunc->parameter)));
    if (pbkdf2) iterations = pbkdf2->iter;
  } else {
    pbe.reset(static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter)));
    if (pbe) iterations = pbe->iter;
  }
  std::int64_t count = 0;
  if (!iterations || ASN1_INTEGER_get_int64(&count, iterations) != 1) return std::nullopt;
  return count;
}

// Catalogue K3 for the encrypted contents: every PBE iteration count, read before any
// bag is decrypted (after the MAC, which is cheap to check once its count is capped).
Status CheckBagIterations(PKCS12* p12) {
  AuthSafesPtr safes(PKCS12_unpack_authsafes(p12));
  if (!safes) return Ok();  // PKCS12_parse reports the damage
  std::vector<const X509_ALGOR*> algorithms;
  std::vector<BagsPtr> keep;
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    const int type = OBJ_obj2nid(p7->type);
    if (type == NID_pkcs7_encrypted && p7->d.encrypted && p7->d.encrypted->enc_data) {
      algorithms.push_back(p7->d.encrypted->enc_data->algorithm);
    } else if (type == NID_pkcs7_data) {
      BagsPtr bags(PKCS12_unpack_p7data(p7));
      for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
        const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), j);
        const X509_ALGOR* alg = nullptr;
        if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag)
          X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
        if (alg) algorithms.push_back(alg);
      }
      keep.push_back(std::move(bags));
    }
  }
  for (const X509_ALGOR* alg : algorithms) {
    std::optional<std::int64_t> count = PbeIterations(alg);
    if (count && (*count < 1 || *count > kMaxPkcs12KdfIterations)) {
      ossl::DrainErrors();
      return Error(ErrorCode::kLimit, "the PKCS#12 file's encryption asks for " + std::to_string(*count) +
                                          " key-derivation iterations; at most " +
                                          std::to_string(kMaxPkcs12KdfIterations) + " are accepted");
    }
  }
  ossl::DrainErrors();
  return Ok();
}

}  // namespace

Result<Pkcs12Contents> ParsePkcs12(std::string_view bytes, const SecretBytes& password) {
  if (bytes.size() > kMaxPkcs12Bytes) {
    return Error(ErrorCode::kLimit, "the PKCS#12 file is " + std::to_string(bytes.size()) + " bytes; at most " +
                                        std::to_string(kMaxPkcs12Bytes) + " are accepted");
  }
  // Windows and AD CS still export with 3DES and RC2-40.
  ossl::EnsureLegacyProvider();
  ASSIGN_OR_RETURN(std::string der, Dearmour(bytes));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12) return ossl::MakeError(ErrorCode::kMalformed, "the file is not a PKCS#12 (.p12/.pfx) file or is damaged");

  // An empty password may be encoded as an empty string or as none at all (RFC 7292 B.1).
  std::string pass(password.view());
  const char* pass_ptr = pass.c_str();
  // Catalogue K3. (OpenSSL's PKCS12_parse would take such a file only with an empty
  // password, and then without a word.)
  if (!PKCS12_mac_present(p12.get())) {
    OPENSSL_cleanse(pass.data(), pass.size());
    return Error(ErrorCode::kPolicy,
                 "the PKCS#12 file has no integrity check (MAC), so changes on the way would go unnoticed; "
                 "export it again with a password (and so a MAC)");
  }
  {
    if (auto st = CheckMacIterations(p12.get()); !st) {
      OPENSSL_cleanse(pass.data(), pass.size());
      return std::move(st).error();
    }
    if (!PKCS12_verify_mac(p12.get(), pass_ptr, -1)) {
      if (pass.empty() && PKCS12_verify_mac(p12.get(), nullptr, 0)) {
        pass_ptr = nullptr;
      } else {
        OPENSSL_cleanse(pass.data(), pass.size());
        ossl::DrainErrors();
        return Error(ErrorCode::kBadPassword, "wrong password for the PKCS#12 file (or the file is damaged)");
      }
    }
  }
  if (auto st = CheckBagIterations(p12.get()); !st) {
    OPENSSL_cleanse(pass.data(), pass.size());
    return std::move(st).error();
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  int ok = PKCS12_parse(p12.get(), pass_ptr, &key, &cert, &ca);
  OPENSSL_cleanse(pass.data(), pass.size());
  ossl::EvpPkeyPtr key_owner(key);
  ossl::X509Ptr cert_owner(cert);
  ossl::X509StackPtr ca_owner(ca);
  if (!ok) return ossl::MakeError(ErrorCode::kMalformed, "the PKCS#12 file cannot be read (damaged or an unsupported encryption)");
  if (!key) return Error(ErrorCode::kMalformed, "the PKCS#12 file contains no private key");

  std::vector<Certificate> others;
  std::optional<Certificate> mine;
  if (cert) mine = Certificate::FromNative(cert);
  for (int i = 0; ca && i < sk_X509_num(ca); ++i) {
    Certificate c = Certificate::FromNative(sk_X509_value(ca, i));
    // PKCS12_parse matches by localKeyId; files without one leave the user cert in `ca`.
    if (!mine && X509_check_private_key(c.native(), key) == 1) {
      mine = c;
    } else {
      others.push_back(c);
    }
  }
  ossl::DrainErrors();
  if (!mine) return Error(ErrorCode::kMalformed, "the PKCS#12 file has no certificate for its private key");
  if (X509_check_private_key(mine->native(), key) != 1) {
    ossl::DrainErrors();
    return Error(ErrorCode::kMalformed, "the private key in the PKCS#12 file does not match its certificate");
  }
  return Pkcs12Contents{std::move(*mine), PrivateKey::FromNative(key), std::move(others)};
}

}  // namespace sealpost::pki

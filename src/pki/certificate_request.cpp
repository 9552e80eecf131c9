// SPDX-License-Identifier: Apache-2.0
// PKCS#10 creation with the extensions an S/MIME CA expects to copy.
#include "pki/certificate_request.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::pki {
namespace {

using X509ReqPtr = ossl::Handle<X509_REQ, X509_REQ_free>;
void FreeExtensions(STACK_OF(X509_EXTENSION)* s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
using ExtensionStackPtr = ossl::Handle<STACK_OF(X509_EXTENSION), FreeExtensions>;

Status AddExtension(STACK_OF(X509_EXTENSION)* exts, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str());
  if (!ext) return ossl::MakeError(ErrorCode::kInvalidArgument, "cannot encode the request extension " + value);
  sk_X509_EXTENSION_push(exts, ext);
  return Ok();
}

}  // namespace

Result<KeySpec> MakeKeySpec(std::string_view kind, std::string_view size_or_curve) {
  KeySpec spec;
  if (kind == "rsa") {
    spec.kind = KeySpec::Kind::kRsa;
    if (size_or_curve.empty()) return spec;
    int bits = std::atoi(std::string(size_or_curve).c_str());
    if (bits != 2048 && bits != 3072 && bits != 4096)
      return Error(ErrorCode::kInvalidArgument, "RSA keys must be 2048, 3072 or 4096 bits (smaller keys are refused)");
    spec.rsa_bits = bits;
    return spec;
  }
  if (kind == "ec") {
    spec.kind = KeySpec::Kind::kEc;
    if (size_or_curve.empty()) return spec;
    if (size_or_curve != "P-256" && size_or_curve != "P-384")
      return Error(ErrorCode::kInvalidArgument, "EC keys use the curve P-256 or P-384");
    spec.curve = std::string(size_or_curve);
    return spec;
  }
  return Error(ErrorCode::kInvalidArgument, "key type must be rsa or ec");
}

Result<PrivateKey> GenerateKey(const KeySpec& spec) {
  EVP_PKEY* key = spec.kind == KeySpec::Kind::kRsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec.rsa_bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve == "P-384" ? "P-384" : "P-256");
  if (!key) return ossl::MakeError(ErrorCode::kInternal, "key generation failed");
  ossl::EvpPkeyPtr owner(key);
  return PrivateKey::FromNative(key);
}

Result<std::string> MakeRequest(const PrivateKey& key, std::string_view email, KeyPurpose purpose) {
  if (email.find('@') == std::string_view::npos || email.find_first_of(" ,<>\"") != std::string_view::npos)
    return Error(ErrorCode::kInvalidArgument, "'" + std::string(email) + "' is not an e-mail address");
  X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  std::string e(email);
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(e.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_NID(name, NID_pkcs9_emailAddress, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(e.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key.native());

  const bool ec = EVP_PKEY_get_base_id(key.native()) == EVP_PKEY_EC;
  std::string usage;
  if (purpose != KeyPurpose::kEncryption) usage = "digitalSignature,nonRepudiation";
  if (purpose != KeyPurpose::kSigning) usage += std::string(usage.empty() ? "" : ",") + (ec ? "keyAgreement" : "keyEncipherment");
  ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
  RETURN_IF_ERROR(AddExtension(exts.get(), NID_key_usage, "critical," + usage));
  RETURN_IF_ERROR(AddExtension(exts.get(), NID_ext_key_usage, "emailProtection"));
  RETURN_IF_ERROR(AddExtension(exts.get(), NID_subject_alt_name, "email:" + e));
  if (!X509_REQ_add_extensions(req.get(), exts.get())) return ossl::MakeError(ErrorCode::kInternal, "cannot add request extensions");
  if (X509_REQ_sign(req.get(), key.native(), EVP_sha256()) <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot sign the request");
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace sealpost::pki

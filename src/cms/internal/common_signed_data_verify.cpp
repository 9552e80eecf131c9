// SPDX-License-Identifier: Apache-2.0
// What signed_data.cpp's OpenSSL path does for one signer, step for step, on the common
// shape: the bag through the certificate cache, de-duplicated as CMS_add1_cert does; the
// signer found among extra_certs and the bag by issuer and serial number as
// CMS_SignerInfo_cert_cmp compares them; the content digest against messageDigest; the
// signature over the signed attributes encoded as a SET (RFC 5652 §5.4).
#include "cms/internal/common_signed_data_verify.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <string>

#include "cms/algorithms.h"
#include "cms/internal/common_signed_data.h"
#include "cms/internal/der_writer.h"
#include "cms/internal/signed_attributes_signature.h"
#include "cms/internal/signer_key_rules.h"
#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::cms::internal {
namespace {

bool SerialIs(const pki::Certificate& cert, std::string_view encoded) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.native());
  const int length = i2d_ASN1_INTEGER(serial, nullptr);
  if (length <= 0 || static_cast<size_t>(length) != encoded.size()) return false;
  std::string mine(encoded.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(mine.data());
  return i2d_ASN1_INTEGER(serial, &p) == length && mine == encoded;
}

// The signer among `candidates`, compared as CMS_SignerInfo_cert_cmp does: issuer Names
// with X509_NAME_cmp (byte-equal encodings are equal; others are parsed and compared),
// serial numbers by value. OpenSSL takes the first match; this insists that every match be
// the same certificate, so the order of the search cannot matter. nullopt: none, several,
// or an issuer that does not parse.
class SignerSearch {
 public:
  SignerSearch(std::string_view issuer, std::string_view serial) : issuer_(issuer), serial_(serial) {}

  // False when the search has to give up.
  bool Consider(const pki::Certificate& cert) {
    if (!SerialIs(cert, serial_)) return true;
    const X509_NAME* cert_issuer = X509_get_issuer_name(cert.native());
    const unsigned char* der = nullptr;
    size_t der_length = 0;
    if (X509_NAME_get0_der(cert_issuer, &der, &der_length) != 1) return false;
    bool same = std::string_view(reinterpret_cast<const char*>(der), der_length) == issuer_;
    if (!same) {
      if (!parsed_) {
        const auto* p = reinterpret_cast<const unsigned char*>(issuer_.data());
        parsed_.reset(d2i_X509_NAME(nullptr, &p, static_cast<long>(issuer_.size())));
        if (!parsed_) return false;
      }
      same = X509_NAME_cmp(parsed_.get(), cert_issuer) == 0;
    }
    if (!same) return true;
    if (found_ && !(*found_ == cert)) return false;
    found_ = cert;
    return true;
  }
  const std::optional<pki::Certificate>& found() const { return found_; }

 private:
  std::string_view issuer_;
  std::string_view serial_;
  ossl::X509NamePtr parsed_;
  std::optional<pki::Certificate> found_;
};

bool DigestMatches(const CommonSignedData& shape, const std::string_view* content, const ContentDigest* precomputed,
                   const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::string_view value;
  if (precomputed) {
    if (precomputed->nid != shape.digest_nid) return false;
    value = precomputed->value;
  } else {
    if (EVP_Digest(content->data(), content->size(), digest, &length, md, nullptr) != 1) return false;
    value = std::string_view(reinterpret_cast<const char*>(digest), length);
  }
  return value.size() == shape.message_digest.size() &&
         CRYPTO_memcmp(value.data(), shape.message_digest.data(), value.size()) == 0;
}

bool SignatureMatches(const CommonSignedData& shape, EVP_PKEY* key, const EVP_MD* md, SignerKeyCache& keys) {
  EVP_PKEY_CTX* verify = keys.VerifyContext(key, shape.digest_nid);
  ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!verify || !ctx) return false;
  const std::string header = "\x31" + EncodeLength(shape.signed_attributes.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 || EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), shape.signed_attributes.data(), shape.signed_attributes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
    return false;
  const auto* signature = reinterpret_cast<const unsigned char*>(shape.signature.data());
  return EVP_PKEY_verify(verify, signature, shape.signature.size(), digest, length) == 1;
}

std::optional<SignedDataResult> Verify(const CommonSignedData& shape, const std::string_view* content,
                                       const ContentDigest* precomputed, const VerifyOptions& options,
                                       const std::vector<pki::Certificate>& extra_certs) {
  if (shape.has_sender_preferences && options.want_sender_preferences) return std::nullopt;
  if (shape.certificates.size() > static_cast<size_t>(kMaxBagCertificates)) return std::nullopt;

  SignedDataResult result;
  std::vector<std::string_view> added;
  for (std::string_view encoded : shape.certificates) {
    if (std::find(added.begin(), added.end(), encoded) != added.end()) continue;
    auto cert = options.certificate_cache->Get(encoded);
    if (!cert) return std::nullopt;
    added.push_back(encoded);
    result.certificates.push_back(std::move(cert).value());
  }
  SignerSearch search(shape.issuer, shape.serial);
  for (const auto& c : extra_certs)
    if (!search.Consider(c)) return std::nullopt;
  for (const auto& c : result.certificates)
    if (!search.Consider(c)) return std::nullopt;
  if (!search.found()) return std::nullopt;

  EVP_PKEY* key = X509_get0_pubkey(search.found()->native());
  // Weak and too large keys get verdicts of their own on OpenSSL's path; the algorithm check
  // leaves only RSA and EC keys.
  if (!key || KeyIsWeak(key, options.min_rsa_bits) || KeyIsTooLarge(key) ||
      !SignatureAlgorithmsCovered(key, shape.digest_nid, shape.signature_nid))
    return std::nullopt;
  const EVP_MD* md = options.key_cache->Digest(shape.digest_nid);
  if (!md || !DigestMatches(shape, content, precomputed, md) || !SignatureMatches(shape, key, md, *options.key_cache))
    return std::nullopt;

  SignerResult signer;
  signer.status = SignatureStatus::kValid;
  signer.certificate = search.found();
  signer.digest = NidName(shape.digest_nid);
  signer.signature_algorithm = NidName(shape.signature_nid);
  if (shape.signing_time) signer.signing_time = static_cast<std::time_t>(*shape.signing_time);
  result.signers.push_back(std::move(signer));
  return result;
}

}  // namespace

std::optional<SignedDataResult> VerifyCommonSignedData(std::string_view der, const std::string_view* content,
                                                       const ContentDigest* precomputed, const VerifyOptions& options,
                                                       const std::vector<pki::Certificate>& extra_certs) {
  if (!options.certificate_cache || !options.key_cache || !options.common_shape_fast_path ||
      (content == nullptr) == (precomputed == nullptr))
    return std::nullopt;
  auto shape = ParseCommonSignedData(der);
  if (!shape) return std::nullopt;
  auto result = Verify(*shape, content, precomputed, options, extra_certs);
  ossl::DrainErrors();  // a declined check leaves nothing on the error queue for the next one
  return result;
}

}  // namespace sealpost::cms::internal

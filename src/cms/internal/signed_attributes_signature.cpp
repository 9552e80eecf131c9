// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/signed_attributes_signature.h"

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <string>

#include "cms/internal/der_writer.h"
#include "ossl/errors.h"

namespace sealpost::cms::internal {
namespace {

// The attribute rules OpenSSL enforces before it checks a signature (RFC 5652 §11, RFC
// 2634 §1.3.4, RFC 5035 §5.4): which attributes may be signed, which must be, and which
// appear once with one value. Stricter here where it is simpler: an attribute with no value
// at all is left to OpenSSL.
struct AttributeRule {
  int nid;
  bool may_be_signed;
  bool required;
  bool once_with_one_value;
};
constexpr AttributeRule kRules[] = {
    {NID_pkcs9_contentType, true, true, true},
    {NID_pkcs9_messageDigest, true, true, true},
    {NID_pkcs9_signingTime, true, false, true},
    {NID_pkcs9_countersignature, false, false, false},
    {NID_id_smime_aa_signingCertificate, true, false, true},
    {NID_id_smime_aa_signingCertificateV2, true, false, true},
    {NID_id_smime_aa_receiptRequest, true, false, true},
};

bool AttributesObeyRules(CMS_SignerInfo* si) {
  // Unsigned attributes have rules of their own; a message with any is left to OpenSSL.
  if (CMS_unsigned_get_attr_count(si) > 0) return false;
  const int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return false;
  for (int i = 0; i < count; ++i) {
    if (X509_ATTRIBUTE_count(CMS_signed_get_attr(si, i)) <= 0) return false;
  }
  for (const AttributeRule& rule : kRules) {
    int first = CMS_signed_get_attr_by_NID(si, rule.nid, -1);
    if (first < 0) {
      if (rule.required) return false;
      continue;
    }
    if (!rule.may_be_signed) return false;
    if (rule.once_with_one_value && (CMS_signed_get_attr_by_NID(si, rule.nid, first) >= 0 ||
                                     X509_ATTRIBUTE_count(CMS_signed_get_attr(si, first)) != 1))
      return false;
  }
  return true;
}

// What is signed (RFC 5652 §5.4): the attributes encoded as a SET. OpenSSL re-encodes them
// in the order received (CMS_Attributes_Verify, a SEQUENCE OF tagged as SET: no DER
// sorting), so this does the same.
bool EncodeSignedAttributes(CMS_SignerInfo* si, std::string& out) {
  const int count = CMS_signed_get_attr_count(si);
  std::string contents;
  for (int i = 0; i < count; ++i) {
    X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
    const int len = i2d_X509_ATTRIBUTE(attr, nullptr);
    if (len <= 0) return false;
    const size_t at = contents.size();
    contents.resize(at + static_cast<size_t>(len));
    auto* p = reinterpret_cast<unsigned char*>(contents.data() + at);
    if (i2d_X509_ATTRIBUTE(attr, &p) != len) return false;
  }
  out.assign(1, '\x31');
  out += EncodeLength(contents.size());
  out += contents;
  return true;
}

}  // namespace

// The pairs covered. OpenSSL takes the digest from digestAlgorithm whatever the signature
// algorithm names; for RSA it accepts rsaEncryption or any <digest>WithRSAEncryption
// (refusing RSA-PSS keys), for EC any identifier. Each set below is inside OpenSSL's.
bool SignatureAlgorithmsCovered(EVP_PKEY* key, int digest_nid, int signature_nid) {
  if (digest_nid != NID_sha256 && digest_nid != NID_sha384 && digest_nid != NID_sha512) return false;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return signature_nid == NID_rsaEncryption || signature_nid == NID_sha256WithRSAEncryption ||
             signature_nid == NID_sha384WithRSAEncryption || signature_nid == NID_sha512WithRSAEncryption;
    case EVP_PKEY_EC:
      return signature_nid == NID_ecdsa_with_SHA256 || signature_nid == NID_ecdsa_with_SHA384 ||
             signature_nid == NID_ecdsa_with_SHA512;
    default:
      return false;
  }
}

bool SignedAttributesVerifyFast(CMS_SignerInfo* si, EVP_PKEY* key, SignerKeyCache& cache) {
  if (!si || !key) return false;
  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* signature_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &signature_alg);
  if (!digest_alg || !signature_alg) return false;
  const ASN1_OBJECT* digest_obj = nullptr;
  const ASN1_OBJECT* signature_obj = nullptr;
  X509_ALGOR_get0(&digest_obj, nullptr, nullptr, digest_alg);
  X509_ALGOR_get0(&signature_obj, nullptr, nullptr, signature_alg);
  const int digest_nid = OBJ_obj2nid(digest_obj);
  if (!SignatureAlgorithmsCovered(key, digest_nid, OBJ_obj2nid(signature_obj)) || !AttributesObeyRules(si)) return false;

  std::string attributes;
  if (!EncodeSignedAttributes(si, attributes)) {
    ossl::DrainErrors();
    return false;
  }
  const EVP_MD* md = cache.Digest(digest_nid);
  EVP_PKEY_CTX* ctx = cache.VerifyContext(key, digest_nid);
  ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
  if (!md || !ctx || !signature) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(attributes.data(), attributes.size(), digest, &digest_len, md, nullptr) != 1) {
    ossl::DrainErrors();
    return false;
  }
  const bool valid = EVP_PKEY_verify(ctx, ASN1_STRING_get0_data(signature), static_cast<size_t>(ASN1_STRING_length(signature)),
                                     digest, digest_len) == 1;
  if (!valid) ossl::DrainErrors();
  return valid;
}

}  // namespace sealpost::cms::internal

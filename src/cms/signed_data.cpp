// SPDX-License-Identifier: Apache-2.0
// Per-signer SignedData verification with OpenSSL's CMS primitives (never PKCS7_*,
// catalogue C7), so each signer gets its own status (catalogue C2).
#include "cms/signed_data.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cms/algorithms.h"
#include "pki/certificate_cache.h"
#include "cms/internal/certificate_bag.h"
#include "cms/internal/common_signed_data_verify.h"
#include "cms/internal/signed_attributes_signature.h"
#include "cms/internal/signer_key_rules.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "ossl/stream_bio.h"

namespace sealpost::cms {
namespace {

std::optional<std::time_t> SigningTime(CMS_SignerInfo* si) {
  int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (idx < 0) return std::nullopt;
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
  if (!value || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME)) return std::nullopt;
  struct tm tm {};
  if (ASN1_TIME_to_tm(value->value.utctime, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

std::vector<std::string> Capabilities(CMS_SignerInfo* si) {
  std::vector<std::string> out;
  int idx = CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, -1);
  if (idx < 0) return out;
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
  if (!value || value->type != V_ASN1_SEQUENCE) return out;
  const unsigned char* p = value->value.sequence->data;
  X509_ALGORS* algs = d2i_X509_ALGORS(nullptr, &p, value->value.sequence->length);
  for (int i = 0; algs && i < sk_X509_ALGOR_num(algs); ++i) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, sk_X509_ALGOR_value(algs, i));
    out.push_back(NidName(OBJ_obj2nid(obj)));
  }
  sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
  return out;
}

// RFC 5652 §5.3 and §11: with signed attributes, exactly one contentType (equal to the
// eContentType) and exactly one messageDigest (an OCTET STRING). Catalogue C5/C6.
std::string CheckSignedAttributes(CMS_ContentInfo* cms, CMS_SignerInfo* si) {
  if (CMS_signed_get_attr_count(si) < 0) return {};  // no signed attributes at all
  int ct_idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1);
  if (ct_idx < 0) return "the signed attributes lack contentType";
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, ct_idx) >= 0) return "contentType appears twice";
  X509_ATTRIBUTE* ct = CMS_signed_get_attr(si, ct_idx);
  if (X509_ATTRIBUTE_count(ct) != 1) return "contentType must have exactly one value";
  ASN1_TYPE* ct_value = X509_ATTRIBUTE_get0_type(ct, 0);
  if (!ct_value || ct_value->type != V_ASN1_OBJECT ||
      OBJ_cmp(ct_value->value.object, CMS_get0_eContentType(cms)) != 0)
    return "contentType does not match the signed content's type";
  int md_idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1);
  if (md_idx < 0) return "the signed attributes lack messageDigest";
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, md_idx) >= 0) return "messageDigest appears twice";
  X509_ATTRIBUTE* md = CMS_signed_get_attr(si, md_idx);
  if (X509_ATTRIBUTE_count(md) != 1) return "messageDigest must have exactly one value";
  ASN1_TYPE* md_value = X509_ATTRIBUTE_get0_type(md, 0);
  if (!md_value || md_value->type != V_ASN1_OCTET_STRING) return "messageDigest is not an OCTET STRING";
  return {};
}

// SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3): [0] IssuerAndSerialNumber, looked up in
// the certificate bag. Other CHOICE arms (key identifiers) are not resolved.
std::optional<pki::Certificate> EncryptionPreference(CMS_SignerInfo* si, const std::vector<pki::Certificate>& bag) {
  int idx = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_encrypKeyPref, -1);
  if (idx < 0) return std::nullopt;
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
  // A context-tagged ANY parses as V_ASN1_OTHER holding its whole encoding.
  if (!value || (value->type != V_ASN1_OTHER && value->type != V_ASN1_SEQUENCE)) return std::nullopt;
  const unsigned char* p = value->value.asn1_string->data;
  long remaining = value->value.asn1_string->length;
  long len = 0;
  int tag = 0, cls = 0;
  int ret = ASN1_get_object(&p, &len, &tag, &cls, remaining);
  if ((ret & 0x80) || cls != V_ASN1_CONTEXT_SPECIFIC || tag != 0) return std::nullopt;
  X509_NAME* issuer = d2i_X509_NAME(nullptr, &p, len);
  ASN1_INTEGER* serial = issuer ? d2i_ASN1_INTEGER(nullptr, &p, len) : nullptr;
  std::optional<pki::Certificate> found;
  for (const auto& c : bag) {
    if (issuer && serial && X509_NAME_cmp(X509_get_issuer_name(c.native()), issuer) == 0 &&
        ASN1_INTEGER_cmp(X509_get0_serialNumber(c.native()), serial) == 0)
      found = c;
  }
  X509_NAME_free(issuer);
  ASN1_INTEGER_free(serial);
  ossl::DrainErrors();
  return found;
}

// MD2/MD4/MD5 have practical collisions: never acceptable, even for reading old mail
// (catalogue A2); SHA-1 alone is what allow_legacy admits.
bool IsBrokenDigestNid(int nid) { return nid == NID_md5 || nid == NID_md4 || nid == NID_md2; }

// d2i_CMS, but with the certificate bag taken from `cache`: the bag is cut out of the
// encoding, its certificates looked up (parsed on first sight) and added back in order.
// Anything unusual (no bag, other certificate types, a certificate that does not parse)
// takes the ordinary path, so errors read the same either way.
ossl::CmsPtr ParseWithCachedCertificates(std::string_view der, pki::CertificateCache& cache) {
  auto split = internal::SplitCertificateBag(der);
  if (!split) return nullptr;
  std::vector<pki::Certificate> certs;
  for (std::string_view encoded : split->certificates) {
    auto cert = cache.Get(encoded);
    if (!cert) {
      ossl::DrainErrors();
      return nullptr;
    }
    certs.push_back(std::move(cert).value());
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(split->without_certificates.data());
  ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(split->without_certificates.size())));
  if (!cms) {
    ossl::DrainErrors();
    return nullptr;
  }
  // A repeated certificate is refused by CMS_add1_cert (it is already there): harmless.
  for (const auto& c : certs) CMS_add1_cert(cms.get(), c.native());
  ossl::DrainErrors();
  return cms;
}

}  // namespace

std::string_view SignatureStatusName(SignatureStatus status) {
  switch (status) {
    case SignatureStatus::kValid: return "valid";
    case SignatureStatus::kInvalid: return "invalid";
    case SignatureStatus::kInsecureAlgorithm: return "insecure-algorithm";
    case SignatureStatus::kUnsupportedAlgorithm: return "unsupported-algorithm";
    case SignatureStatus::kNoCertificate: return "no-certificate";
    case SignatureStatus::kMalformed: return "malformed";
  }
  return "malformed";
}

namespace {

// Whether the signer's messageDigest attribute (checked to be a single OCTET STRING by
// CheckSignedAttributes) equals `digest`: what CMS_SignerInfo_verify_content compares.
bool MessageDigestMatches(CMS_SignerInfo* si, const std::string& digest) {
  const auto* value = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  return value && static_cast<size_t>(ASN1_STRING_length(value)) == digest.size() &&
         CRYPTO_memcmp(ASN1_STRING_get0_data(value), digest.data(), digest.size()) == 0;
}

// Whether every signer can be checked against a precomputed digest of this algorithm.
bool DigestAppliesToEverySigner(STACK_OF(CMS_SignerInfo)* infos, int nid) {
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    X509_ALGOR* dig_alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig_alg, nullptr);
    const ASN1_OBJECT* dig_obj = nullptr;
    X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig_alg);
    if (OBJ_obj2nid(dig_obj) != nid || CMS_signed_get_attr_count(si) < 0) return false;
  }
  return true;
}

// Whether the digest BIO chain CMS_dataInit built (one BIO per declared digest algorithm)
// has one for `nid`: where CMS_SignerInfo_verify_content would look for the signer's.
bool ChainHasDigest(BIO* chain, int nid) {
  for (BIO* b = BIO_find_type(chain, BIO_TYPE_MD); b; b = BIO_find_type(BIO_next(b), BIO_TYPE_MD)) {
    const EVP_MD* md = nullptr;
    BIO_get_md(b, &md);
    if (md && EVP_MD_get_type(md) == nid) return true;
  }
  return false;
}

// Frees the chain CMS_dataInit built over `source`, which stays its owner's.
struct DigestChainGuard {
  BIO* chain;
  BIO* source;
  ~DigestChainGuard() {
    if (!chain || chain == source) return;
    if (source) BIO_pop(source);  // CMS_dataInit put it at the end of the chain
    BIO_free_all(chain);
  }
};

// `content_bio`: the detached content (not owned), or null to use the embedded one.
// `precomputed`: instead of any content, the digest of the detached content.
Result<SignedDataResult> VerifyWithContent(std::string_view der, BIO* content_bio, const VerifyOptions& options,
                                           const std::vector<pki::Certificate>& extra_certs,
                                           const ContentDigest* precomputed = nullptr) {
  ossl::CmsPtr cms;
  if (options.certificate_cache) cms = ParseWithCachedCertificates(der, *options.certificate_cache);
  if (!cms) {
    ossl::BioPtr in = ossl::MemBio(der.data(), der.size());
    cms.reset(d2i_CMS_bio(in.get(), nullptr));
  }
  if (!cms) return ossl::MakeError(ErrorCode::kMalformed, "the signature is not a readable CMS structure");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return Error(ErrorCode::kMalformed, "the CMS structure is not SignedData");

  SignedDataResult result;
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (infos && sk_CMS_SignerInfo_num(infos) > kMaxSignerInfos)
    return Error(ErrorCode::kLimit, "the signature has " + std::to_string(sk_CMS_SignerInfo_num(infos)) +
                                        " signers; at most " + std::to_string(kMaxSignerInfos) + " are checked");
  if (STACK_OF(X509)* certs = CMS_get1_certs(cms.get())) {
    const int count = sk_X509_num(certs);
    if (count > kMaxBagCertificates) {
      sk_X509_pop_free(certs, X509_free);
      return Error(ErrorCode::kLimit, "the signature carries " + std::to_string(count) + " certificates; at most " +
                                          std::to_string(kMaxBagCertificates) + " are accepted");
    }
    for (int i = 0; i < sk_X509_num(certs); ++i) result.certificates.push_back(pki::Certificate::FromNative(sk_X509_value(certs, i)));
    sk_X509_pop_free(certs, X509_free);
  }
  ASN1_OCTET_STRING** econtent = CMS_get0_content(cms.get());
  result.has_econtent = econtent && *econtent;

  if (!infos || sk_CMS_SignerInfo_num(infos) == 0)
    return Error(ErrorCode::kMalformed, "the SignedData has no signers, so nothing is signed");
  const Error not_applicable(ErrorCode::kUnsupported, "the precomputed content digest does not apply to this SignedData");
  if (precomputed && (result.has_econtent || !DigestAppliesToEverySigner(infos, precomputed->nid))) return not_applicable;
  // Looks each signer's certificate up in the bag; unknown signers keep a null cert.
  ossl::X509StackPtr extra(sk_X509_new_null());
  for (const auto& c : extra_certs) {
    X509_up_ref(c.native());
    sk_X509_push(extra.get(), c.native());
  }
  CMS_set1_signers_certs(cms.get(), extra.get(), 0);
  ossl::DrainErrors();

  // Digest the content once through the BIO chain CMS_dataInit builds for every declared
  // digest algorithm, then let each signer compare against its own digest. With a
  // precomputed digest the chain is built over nothing: it still tells which digests the
  // SignedData declares, judged below as for streamed content (none at all is catalogue C7).
  ossl::BioPtr nothing(precomputed ? BIO_new(BIO_s_null()) : nullptr);
  if (precomputed && !nothing) return Error(ErrorCode::kInternal, "out of memory");
  BIO* source = precomputed ? nothing.get() : content_bio;
  DigestChainGuard guard{CMS_dataInit(cms.get(), source), source};
  BIO* chain = guard.chain;
  if (chain && precomputed && !ChainHasDigest(chain, precomputed->nid)) return not_applicable;
  if (chain && !precomputed) {
    char buffer[16384];
    int n;
    while ((n = BIO_read(chain, buffer, sizeof buffer)) > 0) {
      if (result.has_econtent) result.econtent.append(buffer, static_cast<size_t>(n));
    }
  } else if (!chain) {
    ossl::DrainErrors();  // why is told per signer below
  }

  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    SignerResult r;
    EVP_PKEY* pkey = nullptr;
    X509* signer = nullptr;
    X509_ALGOR* dig_alg = nullptr;
    X509_ALGOR* sig_alg = nullptr;
    CMS_SignerInfo_get0_algs(si, &pkey, &signer, &dig_alg, &sig_alg);
    const ASN1_OBJECT* dig_obj = nullptr;
    X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig_alg);
    int dig_nid = OBJ_obj2nid(dig_obj);
    const ASN1_OBJECT* sig_obj = nullptr;
    X509_ALGOR_get0(&sig_obj, nullptr, nullptr, sig_alg);
    r.digest = NidName(dig_nid);
    r.signature_algorithm = NidName(OBJ_obj2nid(sig_obj));
    r.signing_time = SigningTime(si);
    if (options.want_sender_preferences) {
      r.capabilities = Capabilities(si);
      r.encryption_preference = EncryptionPreference(si, result.certificates);
    }
    if (signer) r.certificate = pki::Certificate::FromNative(signer);
    r.weak = IsLegacyDigestNid(dig_nid) || OBJ_obj2nid(sig_obj) == NID_dsaWithSHA1 || internal::KeyIsWeak(pkey, options.min_rsa_bits);

    if (!signer) {
      r.status = SignatureStatus::kNoCertificate;
      r.detail = "the signer's certificate is not included in the message";
    } else if (internal::KeyIsTooLarge(pkey)) {
      r.status = SignatureStatus::kUnsupportedAlgorithm;
      r.detail = "the signer's RSA key is too large (" + std::to_string(EVP_PKEY_get_bits(pkey)) + " bits; at most " +
                 std::to_string(kMaxRsaKeyBits) + ")";
    } else if (std::string bad = CheckSignedAttributes(cms.get(), si); !bad.empty()) {
      r.status = SignatureStatus::kMalformed;
      r.detail = bad;
    } else if (!chain) {
      // A digest we know but could not set up means the structure is broken (e.g. an empty
      // digestAlgorithms SET, catalogue C7); one we do not know is unsupported (C8).
      EVP_MD* md = EVP_MD_fetch(nullptr, OBJ_nid2sn(dig_nid), nullptr);
      bool known = md != nullptr;
      EVP_MD_free(md);
      ossl::DrainErrors();
      r.status = known ? SignatureStatus::kMalformed : SignatureStatus::kUnsupportedAlgorithm;
      r.detail = known ? "the SignedData does not declare the signer's digest algorithm (" + r.digest + ")"
                       : "cannot compute the " + r.digest + " digest here";
    } else {
      // The fast check only ever says "valid"; anything else is OpenSSL's to judge.
      bool attrs_ok = CMS_signed_get_attr_count(si) < 0 ||
                      (options.key_cache && internal::SignedAttributesVerifyFast(si, pkey, *options.key_cache)) ||
                      CMS_SignerInfo_verify(si) == 1;
      std::string attr_error = attrs_ok ? "" : ossl::DrainErrors();
      bool content_ok = attrs_ok && (precomputed ? MessageDigestMatches(si, precomputed->value)
                                                 : CMS_SignerInfo_verify_content(si, chain) == 1);
      std::string content_error = content_ok ? "" : ossl::DrainErrors();
      if (attrs_ok && content_ok) {
        r.status = SignatureStatus::kValid;
      } else {
        std::string why = attr_error + content_error;
        bool unsupported = why.find("unsupported") != std::string::npos ||
                           why.find("not supported") != std::string::npos ||
                           why.find("unknown digest") != std::string::npos ||
                           why.find("invalid digest") != std::string::npos;
        r.status = unsupported ? SignatureStatus::kUnsupportedAlgorithm : SignatureStatus::kInvalid;
        r.detail = unsupported ? "this signature algorithm cannot be checked here"
                   : !attrs_ok ? "the signature does not match the signed attributes"
                               : "the content was changed after signing";
      }
    }
    // A weak algorithm is refused whatever the maths says, unless policy allows reading
    // legacy mail; a bad signature stays bad.
    if (r.status == SignatureStatus::kValid && (IsBrokenDigestNid(dig_nid) || (r.weak && !options.allow_legacy))) {
      r.status = SignatureStatus::kInsecureAlgorithm;
      r.detail = "uses a weak algorithm (" + r.digest + "/" + r.signature_algorithm + ")";
    }
    result.signers.push_back(std::move(r));
  }
  ossl::DrainErrors();
  return result;
}

}  // namespace

Result<SignedDataResult> VerifySignedData(std::string_view der, std::optional<std::string_view> detached_content,
                                          const VerifyOptions& options,
                                          const std::vector<pki::Certificate>& extra_certs) {
  if (detached_content) {
    if (auto fast = internal::VerifyCommonSignedData(der, &*detached_content, nullptr, options, extra_certs))
      return std::move(fast).value();
  }
  ossl::BioPtr content_bio;
  if (detached_content) content_bio = ossl::MemBio(detached_content->data(), detached_content->size());
  return VerifyWithContent(der, content_bio.get(), options, extra_certs);
}

Result<SignedDataResult> VerifySignedDataWithDigest(std::string_view der, const ContentDigest& digest,
                                                    const VerifyOptions& options,
                                                    const std::vector<pki::Certificate>& extra_certs) {
  if (auto fast = internal::VerifyCommonSignedData(der, nullptr, &digest, options, extra_certs)) return std::move(fast).value();
  return VerifyWithContent(der, nullptr, options, extra_certs, &digest);
}

Result<SignedDataResult> VerifySignedData(std::string_view der, ByteSource& detached_content,
                                          const VerifyOptions& options,
                                          const std::vector<pki::Certificate>& extra_certs) {
  ossl::StreamBio content = ossl::StreamBio::Reading(detached_content);
  auto result = VerifyWithContent(der, content.get(), options, extra_certs);
  // A content stream that failed (unreadable file, ...) makes every verdict meaningless.
  if (content.error()) return *content.error();
  return result;
}

}  // namespace sealpost::cms

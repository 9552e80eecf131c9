// SPDX-License-Identifier: Apache-2.0
// CMS encryption and decryption over OpenSSL, with a header check of our own first.
#include "cms/envelope.h"

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>


#include "cms/internal/ber_reader.h"
#include "cms/internal/entity_start.h"
#include "cms/internal/envelope_setup.h"
#include "ossl/errors.h"
#include "ossl/providers.h"
#include "ossl/handles.h"

namespace sealpost::cms {
namespace {

using internal::Children;
using internal::OctetStringValue;
using internal::ReadTlv;
using internal::SmallIntegerValue;
using internal::Tlv;

int OidTlvToNid(const Tlv& oid) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(oid.whole.data());
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(oid.whole.size()));
  int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
  ASN1_OBJECT_free(obj);
  ossl::DrainErrors();
  return nid;
}

Error Malformed(std::string what) { return Error(ErrorCode::kMalformed, "the encrypted message is malformed: " + what); }

}  // namespace

Result<std::string> Encrypt(std::string_view content, const std::vector<Recipient>& recipients,
                            ContentCipher cipher) {
  const unsigned flags = CMS_BINARY | CMS_PARTIAL;
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, internal::StartEnvelope(recipients, cipher, flags));
  ossl::BioPtr in = ossl::MemBio(content.data(), content.size());
  if (!CMS_final(cms.get(), in.get(), nullptr, flags)) return ossl::MakeError(ErrorCode::kInternal, "encryption failed");
  unsigned char* der = nullptr;
  int len = i2d_CMS_ContentInfo(cms.get(), &der);
  if (len <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot encode the encrypted structure");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<EnvelopeInfo> InspectEnvelope(std::string_view der, TagPlace tag_place) {
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
  auto ci = ReadTlv(der);
  if (!ci || ci->tag != 0x30) return Malformed("not a CMS ContentInfo");
  auto ci_parts = Children(*ci);
  if (!ci_parts || ci_parts->size() < 2 || (*ci_parts)[0].tag != 0x06 || (*ci_parts)[1].tag != 0xa0)
    return Malformed("not a CMS ContentInfo");
  EnvelopeInfo info;
  int type = OidTlvToNid((*ci_parts)[0]);
  if (type == NID_id_smime_ct_authEnvelopedData) {
    info.authenticated = true;
  } else if (type != NID_pkcs7_enveloped) {
    return Error(ErrorCode::kMalformed, "the CMS structure is not EnvelopedData or AuthEnvelopedData");
  }
  auto wrapped = Children((*ci_parts)[1]);
  if (!wrapped || wrapped->size() != 1 || (*wrapped)[0].tag != 0x30) return Malformed("bad content wrapper");
  auto fields = Children((*wrapped)[0]);
  if (!fields || fields->size() < 3) return Malformed("too few fields");
  size_t i = 1;  // after version
  if ((*fields)[i].tag == 0xa0) ++i;  // originatorInfo
  if (i + 1 >= fields->size() || (*fields)[i].tag != 0x31) return Malformed("no recipientInfos");
  auto recipients = Children((*fields)[i]);
  if (!recipients || recipients->empty()) return Malformed("no recipients");
  if (recipients->size() > static_cast<size_t>(kMaxRecipientInfos))
    return Error(ErrorCode::kLimit, "the message is encrypted to " + std::to_string(recipients->size()) +
                                        " recipients; at most " + std::to_string(kMaxRecipientInfos) + " are accepted");
  int public_key_recipients = 0;
  for (const auto& ri : *recipients) {
    // KeyTransRecipientInfo is a SEQUENCE; kari [1], kekri [2], pwri [3], ori [4]. Mail uses
    // only the first two; the others are never handed a key (catalogue E9), because
    // decryption passes our certificate and OpenSSL then tries matching ktri/kari only.
    if (ri.tag == 0x30 || ri.tag == 0xa1) ++public_key_recipients;
    else if (ri.tag != 0xa2 && ri.tag != 0xa3 && ri.tag != 0xa4) return Malformed("unknown recipient type");
  }
  if (public_key_recipients == 0)
    return Error(ErrorCode::kUnsupported, "the message is only for password or shared-key recipients, which mail does not use; refused");
  info.recipient_count = static_cast<int>(recipients->size());
  ++i;
  // EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm, [0] encryptedContent }
  if ((*fields)[i].tag != 0x30) return Malformed("no encrypted content");
  auto eci = Children((*fields)[i]);
  if (!eci || eci->size() < 2 || (*eci)[1].tag != 0x30) return Malformed("no content encryption algorithm");
  auto alg = Children((*eci)[1]);
  if (!alg || alg->empty() || (*alg)[0].tag != 0x06) return Malformed("bad content encryption algorithm");
  int nid = OidTlvToNid((*alg)[0]);
  info.algorithm = NidName(nid);
  info.legacy = IsLegacyCipherNid(nid);
  const bool gcm = nid == NID_aes_128_gcm || nid == NID_aes_192_gcm || nid == NID_aes_256_gcm;
  const bool cbc = nid == NID_aes_128_cbc || nid == NID_aes_192_cbc || nid == NID_aes_256_cbc;
  if (info.authenticated != gcm) {
    // A GCM OID in EnvelopedData, or a non-AEAD cipher in AuthEnvelopedData (catalogue E5/E6).
    if (info.authenticated) return Error(ErrorCode::kUnsupported, "the authenticated envelope uses " + info.algorithm + ", which is not an AEAD cipher");
    return Error(ErrorCode::kMalformed, "an unauthenticated envelope claims the AEAD cipher " + info.algorithm);
  }
  if (!gcm && !cbc && !info.legacy)
    return Error(ErrorCode::kUnsupported, "the message is encrypted with " + info.algorithm + ", which Sealpost does not support");
  if (gcm) {
    // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
    if (alg->size() < 2 || (*alg)[1].tag != 0x30) return Malformed("GCM parameters missing");
    auto params = Children((*alg)[1]);
    if (!params || params->empty() || (*params)[0].tag != 0x04) return Malformed("GCM nonce missing");
    size_t nonce_len = (*params)[0].contents.size();
    if (nonce_len < 8 || nonce_len > 16) return Malformed("GCM nonce of " + std::to_string(nonce_len) + " bytes");
    long icv = 12;
    if (params->size() > 1) {
      auto v = SmallIntegerValue((*params)[1]);
      if (!v) return Malformed("bad GCM tag length");
      icv = *v;
    }
    if (icv < 12 || icv > 16)  // RFC 5084 §3.2: 12, 13, 14, 15 or 16 octets
      return Error(ErrorCode::kIntegrity, "the message's authentication tag is " + std::to_string(icv) +
                                              " bytes; at least 12 are required (RFC 5084)");
    info.tag_length = static_cast<int>(icv);
    if (tag_place == TagPlace::kFollowsContent) return info;
    // mac MessageAuthenticationCode follows EncryptedContentInfo and optional [1] authAttrs.
    size_t m = i + 1;
    if (m < fields->size() && (*fields)[m].tag == 0xa1) {
      info.auth_attrs = true;
      ++m;
    }
    if (m >= fields->size() || (*fields)[m].tag != 0x04) return Malformed("authentication tag missing");
    auto mac = OctetStringValue((*fields)[m]);
    if (!mac || static_cast<long>(mac->size()) != icv)
      return Error(ErrorCode::kIntegrity, "the message's authentication tag has the wrong length");
    info.tag.assign(mac->data(), mac->size());
  }
  return info;
}

Result<std::string> Decrypt(std::string_view der, const std::vector<Identity>& identities,
                            const DecryptOptions& options) {
  ASSIGN_OR_RETURN(EnvelopeInfo info, InspectEnvelope(der));
  if (info.legacy) {
    if (!options.allow_legacy)
      return Error(ErrorCode::kPolicy, "insecure-algorithm: the message is encrypted with " + info.algorithm +
                                           ", which is refused; use --allow-legacy to read old mail");
    ossl::EnsureLegacyProvider();
  }
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, internal::ParseEnvelope(der));

  RETURN_IF_ERROR(internal::SelectIdentity(cms.get(), identities));
  ossl::BioPtr out(BIO_new(BIO_s_mem()));
  // Without an output BIO, CMS_decrypt would succeed into a null sink: "decrypted", empty.
  if (!out) return ossl::MakeError(ErrorCode::kInternal, "out of memory while decrypting");
  // CMS_decrypt on AuthEnvelopedData checks the tag before returning success; on failure
  // the partial output is discarded with the BIO (catalogue E3).
  if (CMS_decrypt(cms.get(), nullptr, nullptr, nullptr, out.get(), CMS_BINARY) != 1) {
    std::string why = ossl::DrainErrors();
    if (!info.authenticated) return internal::UndecryptableContent(std::move(why));
    return Error(ErrorCode::kIntegrity, "decryption failed: the message was altered (authentication tag mismatch)",
                 why);
  }
  std::string plaintext = ossl::MemBioContents(out.get());
  if (!info.authenticated && internal::ClassifyEntityStart(plaintext, true) != internal::EntityStart::kPlausible)
    return internal::UndecryptableContent("the decrypted content does not begin like a MIME entity");
  return plaintext;
}

}  // namespace sealpost::cms

// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/envelope_setup.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "ossl/errors.h"

namespace sealpost::cms::internal {

const EVP_CIPHER* CipherFor(ContentCipher c) {
  switch (c) {
    case ContentCipher::kAes256Gcm: return EVP_aes_256_gcm();
    case ContentCipher::kAes128Gcm: return EVP_aes_128_gcm();
    case ContentCipher::kAes256Cbc: return EVP_aes_256_cbc();
    case ContentCipher::kAes128Cbc: return EVP_aes_128_cbc();
  }
  return EVP_aes_256_cbc();
}

Status ConfigureRecipient(CMS_RecipientInfo* ri, const Recipient& r) {
  EVP_PKEY_CTX* pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
  if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
    if (!r.rsa_oaep) return Ok();
    if (!pctx || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0)
      return ossl::MakeError(ErrorCode::kInternal, "cannot set RSA-OAEP parameters");
    return Ok();
  }
  if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE && pctx) {
    // RFC 5753 §7.1 / RFC 8551: an X9.63 KDF with SHA-256 (P-256) or SHA-384 (P-384),
    // instead of OpenSSL's SHA-1 default.
    const EVP_MD* md = r.certificate.KeyBits() > 256 ? EVP_sha384() : EVP_sha256();
    if (EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, md) <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot set the ECDH KDF");
  }
  return Ok();
}

Result<ossl::CmsPtr> StartEnvelope(const std::vector<Recipient>& recipients, ContentCipher cipher, unsigned flags) {
  if (recipients.empty()) return Error(ErrorCode::kInvalidArgument, "no recipients to encrypt to");
  ossl::CmsPtr cms(CMS_encrypt(nullptr, nullptr, CipherFor(cipher), flags));
  if (!cms) return ossl::MakeError(ErrorCode::kInternal, "cannot start the encrypted structure");
  for (const auto& r : recipients) {
    CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms.get(), r.certificate.native(), flags | CMS_KEY_PARAM);
    if (!ri) {
      return ossl::MakeError(ErrorCode::kInvalidArgument,
                             "cannot encrypt to the certificate of " + r.certificate.Subject() +
                                 " (its key type cannot receive encrypted mail)");
    }
    RETURN_IF_ERROR(ConfigureRecipient(ri, r));
  }
  return cms;
}

namespace {

// The key-transport RecipientInfo addressed to `certificate`, if any.
CMS_RecipientInfo* KeyTransportFor(CMS_ContentInfo* cms, const pki::Certificate& certificate) {
  STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
  for (int i = 0; infos && i < sk_CMS_RecipientInfo_num(infos); ++i) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
    if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS && CMS_RecipientInfo_ktri_cert_cmp(ri, certificate.native()) == 0)
      return ri;
  }
  return nullptr;
}

}  // namespace

Result<ossl::CmsPtr> ParseEnvelope(std::string_view der) {
  ossl::BioPtr in = ossl::MemBio(der.data(), der.size());
  ossl::CmsPtr cms(d2i_CMS_bio(in.get(), nullptr));
  if (!cms) return ossl::MakeError(ErrorCode::kMalformed, "the encrypted message is not a readable CMS structure");
  return cms;
}

Status SelectIdentity(CMS_ContentInfo* cms, const std::vector<Identity>& identities) {
  for (const auto& id : identities) {
    // RSA key transport: only the RecipientInfo addressed to us is tried (catalogue E7), and
    // whether unwrapping worked is deliberately not looked at. On failure OpenSSL decrypts
    // the content with a random key, as it does for a key of the wrong length, so a damaged
    // or hostile encryptedKey takes the same path and time as a genuine one. The noise it
    // yields is refused by the authentication tag or, for CBC, by EntityStartGuard, with
    // the same error either way.
    if (CMS_RecipientInfo* ri = KeyTransportFor(cms, id.certificate)) {
      EVP_PKEY* key = id.key.native();
      EVP_PKEY_up_ref(key);
      CMS_RecipientInfo_set0_pkey(ri, key);  // takes the reference
      (void)CMS_RecipientInfo_decrypt(cms, ri);
      CMS_RecipientInfo_set0_pkey(ri, nullptr);
      ERR_clear_error();
      return Ok();
    }
    // Key agreement (ECDH): OpenSSL reports a failed unwrap itself.
    if (CMS_decrypt_set1_pkey_and_peer(cms, id.key.native(), id.certificate.native(), nullptr) == 1) return Ok();
    ossl::DrainErrors();
  }
  return Error(ErrorCode::kNoKey, "the message is not encrypted to any identity in this profile");
}

}  // namespace sealpost::cms::internal

// SPDX-License-Identifier: Apache-2.0
// Sign/encrypt/decrypt orchestration: MIME preparation, CMS, MIME wrapping.
#include "smime/context.h"

#include <algorithm>

#include "cms/signer.h"
#include "mime/composer.h"
#include "mime/entity.h"
#include "smime/internal/message_walker.h"
#include "smime/internal/cms_detect.h"

namespace sealpost::smime {
namespace {

Status CheckSize(std::string_view message) {
  if (message.size() > kMaxMessageBytes)
    return Error(ErrorCode::kLimit, "the message is larger than " + std::to_string(kMaxMessageBytes >> 20) + " MiB, the most Sealpost handles");
  return Ok();
}

}  // namespace

SecureMimeContext::SecureMimeContext(std::vector<Identity> identities, std::shared_ptr<KeySource> keys,
                                     pki::TrustStore trust, policy::AlgorithmPolicy policy, std::optional<std::time_t> at)
    : identities_(std::move(identities)),
      keys_(std::move(keys)),
      trust_(std::move(trust)),
      policy_(std::move(policy)),
      at_(at) {}

Result<std::vector<cms::Identity>> SecureMimeContext::DecryptionKeys() const {
  std::vector<cms::Identity> out;
  if (!keys_) return out;
  for (const auto& id : identities_) {
    if (!id.certificate.AllowsEncryption()) continue;
    ASSIGN_OR_RETURN(pki::PrivateKey key, keys_->PrivateKeyFor(id.certificate));
    out.push_back({id.certificate, std::move(key)});
  }
  return out;
}

std::time_t SecureMimeContext::Now() const { return at_ ? *at_ : std::time(nullptr); }

const Identity* SecureMimeContext::SigningIdentity() const {
  for (const auto& id : identities_) {
    if (id.for_signing) return &id;
  }
  return nullptr;
}

const Identity* SecureMimeContext::EncryptionIdentity() const {
  for (const auto& id : identities_) {
    if (id.for_encryption) return &id;
  }
  return nullptr;
}

Result<SecureMimeContext::SigningSetup> SecureMimeContext::PrepareSigning(const SignRequest& request) const {
  const Identity* signer = SigningIdentity();
  if (!signer) return Error(ErrorCode::kNotFound, "no signing identity in this profile; add one with 'sealpost identity add --as signing'");
  if (!signer->certificate.ValidAt(Now()))
    return Error(ErrorCode::kPolicy, "the signing certificate is not valid now (expired or not yet valid); renew it");
  cms::SignOptions options;
  cms::Digest digest = cms::Digest::kSha256;
  if (request.digest) {
    digest = *request.digest;
  } else if (signer->certificate.KeyAlgorithm() == "ec" && signer->certificate.KeyBits() > 256) {
    digest = signer->certificate.KeyBits() > 384 ? cms::Digest::kSha512 : cms::Digest::kSha384;
  }
  options.digest = digest;
  options.rsa_pss = request.rsa_pss;
  options.detached = !request.opaque;
  // Include the intermediates of our own path so recipients can build it (not the anchor).
  pki::ChainResult chain = trust_.Validate(signer->certificate, {}, Now(), pki::CertUse::kSigning, policy_.min_rsa_bits);
  for (size_t i = 1; i < chain.chain.size(); ++i) {
    if (!chain.chain[i].IsSelfSigned()) options.chain.push_back(chain.chain[i]);
  }
  if (const Identity* enc = EncryptionIdentity()) {
    options.encryption_cert = enc->certificate;
    // Carried in the message too, so recipients can harvest it and encrypt replies to it
    // (RFC 8551 §2.5.3; Outlook and Thunderbird do the same).
    if (!(enc->certificate == signer->certificate)) options.chain.push_back(enc->certificate);
  }
  if (!keys_) return Error(ErrorCode::kNotFound, "no key store to take the signing key from");
  ASSIGN_OR_RETURN(pki::PrivateKey key, keys_->PrivateKeyFor(signer->certificate));
  return SigningSetup{signer->certificate, std::move(key), std::move(options)};
}

Result<std::string> SecureMimeContext::SignEntity(std::string_view entity, const SignRequest& request) const {
  ASSIGN_OR_RETURN(SigningSetup setup, PrepareSigning(request));
  ASSIGN_OR_RETURN(std::string der, cms::Sign(entity, setup.certificate, setup.key, setup.options));
  if (request.opaque) return mime::BuildPkcs7Mime(der, "signed-data");
  return mime::BuildMultipartSigned(entity, der, cms::MicalgName(setup.options.digest));
}

Result<std::string> SecureMimeContext::Sign(std::string_view message, const SignRequest& request) const {
  RETURN_IF_ERROR(CheckSize(message));
  ASSIGN_OR_RETURN(mime::SplitMessage split, mime::PrepareForSigning(message));
  ASSIGN_OR_RETURN(std::string entity, SignEntity(split.entity, request));
  return mime::AssembleMessage(split.outer_headers, entity);
}

cms::ContentCipher SecureMimeContext::ChooseCipher(const EncryptRequest& request) const {
  if (request.cipher) return *request.cipher;
  // RFC 8551 §2.7.1: when every recipient's capabilities are known, the first of our
  // preferences that all of them announce; otherwise what every client opens.
  bool all_known = !request.recipients.empty() && request.capabilities.size() == request.recipients.size();
  for (const auto& caps : request.capabilities) all_known &= !caps.empty();
  if (all_known) {
    for (cms::ContentCipher c : {cms::ContentCipher::kAes256Gcm, cms::ContentCipher::kAes128Gcm,
                                 cms::ContentCipher::kAes256Cbc, cms::ContentCipher::kAes128Cbc}) {
      bool everyone = true;
      for (const auto& caps : request.capabilities)
        everyone &= std::find(caps.begin(), caps.end(), std::string(cms::CipherName(c))) != caps.end();
      if (everyone) return c;
    }
  }
  auto parsed = cms::ParseCipher(policy_.unknown_capabilities_cipher);
  return parsed ? *parsed : cms::ContentCipher::kAes256Cbc;
}

Result<SecureMimeContext::EncryptionSetup> SecureMimeContext::PrepareEncryption(const EncryptRequest& request) const {
  const Identity* self = EncryptionIdentity();
  if (!self) return Error(ErrorCode::kNotFound, "no encryption identity in this profile, so sent mail would be unreadable to you; add one with 'sealpost identity add --as encryption'");
  std::vector<cms::Recipient> recipients;
  auto add = [&](const pki::Certificate& cert) {
    for (const auto& r : recipients) {
      if (r.certificate == cert) return;
    }
    recipients.push_back({cert, request.rsa_oaep});
  };
  for (const auto& cert : request.recipients) {
    // Fail closed: a recipient certificate we would not accept for encryption is an error,
    // not a reason to send in the clear (catalogue S1-S4).
    pki::ChainResult chain = trust_.Validate(cert, {}, Now(), pki::CertUse::kEncryption, policy_.min_rsa_bits);
    if (!chain.trusted) {
      std::string problems;
      for (const auto& p : chain.problems) problems += (problems.empty() ? "" : ", ") + p;
      std::string who = cert.Emails().empty() ? cert.Subject() : cert.Emails().front();
      return Error(ErrorCode::kPolicy, "recipient certificate for " + who + " is not usable for encryption (" + problems + ")");
    }
    add(cert);
  }
  add(self->certificate);
  return EncryptionSetup{std::move(recipients), ChooseCipher(request)};
}

Result<std::string> SecureMimeContext::EncryptEntity(std::string_view entity, const EncryptRequest& request) const {
  ASSIGN_OR_RETURN(EncryptionSetup setup, PrepareEncryption(request));
  ASSIGN_OR_RETURN(std::string der, cms::Encrypt(entity, setup.recipients, setup.cipher));
  return mime::BuildPkcs7Mime(der, cms::IsAuthenticated(setup.cipher) ? "authEnveloped-data" : "enveloped-data");
}

Result<std::string> SecureMimeContext::Encrypt(std::string_view message, const EncryptRequest& request) const {
  RETURN_IF_ERROR(CheckSize(message));
  ASSIGN_OR_RETURN(mime::SplitMessage split, mime::PrepareForEncryption(message));
  ASSIGN_OR_RETURN(std::string entity, EncryptEntity(split.entity, request));
  return mime::AssembleMessage(split.outer_headers, entity);
}

Result<std::string> SecureMimeContext::SignAndEncrypt(std::string_view message, const SignRequest& sign,
                                                      const EncryptRequest& encrypt) const {
  RETURN_IF_ERROR(CheckSize(message));
  ASSIGN_OR_RETURN(mime::SplitMessage split, mime::PrepareForSigning(message));
  ASSIGN_OR_RETURN(std::string signed_entity, SignEntity(split.entity, sign));
  ASSIGN_OR_RETURN(std::string entity, EncryptEntity(signed_entity, encrypt));
  return mime::AssembleMessage(split.outer_headers, entity);
}

Result<std::string> SecureMimeContext::Decrypt(std::string_view message) const {
  RETURN_IF_ERROR(CheckSize(message));
  ASSIGN_OR_RETURN(mime::SplitMessage split, mime::PrepareForEncryption(message));
  ASSIGN_OR_RETURN(internal::CmsBody body, internal::ExtractCmsBody(message));
  if (body.kind == internal::CmsKind::kOther)
    return Error(ErrorCode::kMalformed, "the S/MIME body is damaged or truncated (not a readable CMS structure)");
  if (body.kind != internal::CmsKind::kEnveloped)
    return Error(ErrorCode::kInvalidArgument, "the message is not encrypted (nothing to decrypt)");
  ASSIGN_OR_RETURN(std::vector<cms::Identity> keys, DecryptionKeys());
  cms::DecryptOptions options;
  options.allow_legacy = policy_.allow_legacy;
  ASSIGN_OR_RETURN(std::string plaintext, cms::Decrypt(body.der, keys, options));
  return mime::AssembleMessage(split.outer_headers, mime::CanonicalizeLineEndings(plaintext));
}

Result<Report> SecureMimeContext::Read(std::string_view message, const ReadOptions& options) const {
  RETURN_IF_ERROR(CheckSize(message));
  if (options.detached_content) RETURN_IF_ERROR(CheckSize(*options.detached_content));
  internal::MessageWalker::KeyLoader load_keys = options.load_keys;
  if (!load_keys) load_keys = [this] { return DecryptionKeys(); };
  internal::MessageWalker walker(std::move(load_keys), trust_, policy_, options.at ? *options.at : Now());
  walker.SetRevocation(revocation_.get(), revocation_hard_fail_);
  walker.SetTrustCache(options.trust_cache);
  walker.SetCertificateCache(options.certificate_cache);
  walker.SetSignerKeyCache(options.signer_key_cache);
  walker.SetWantContent(options.want_content);
  walker.SetWantSenderPreferences(options.want_sender_preferences);
  return walker.Walk(message, options.detached_content);
}

}  // namespace sealpost::smime

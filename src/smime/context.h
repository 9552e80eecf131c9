// SPDX-License-Identifier: Apache-2.0
// SecureMimeContext: the S/MIME facade the CLI (and later the web client) uses. Where keys,
// trust and policy come from is injected; the context holds no global state.
#pragma once

#include <cstdint>
#include <cstddef>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/algorithms.h"
#include "pki/certificate_cache.h"
#include "cms/envelope.h"
#include "cms/signer.h"
#include "cms/signer_key_cache.h"
#include "core/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "pki/trust_store.h"
#include "policy/algorithm_policy.h"
#include "smime/report.h"

namespace sealpost::smime {

// The largest message Sealpost signs, encrypts or examines (docs/limits.md; catalogue R2
// proposes 50 MiB). Every later cost — base64, canonical form, digests, MIME splitting — is
// linear in it, which keeps the worst case within the 2 s CPU budget per message.
inline constexpr std::size_t kMaxMessageBytes = std::size_t{50} << 20;

// One of the user's certificates and what they set it up for. Its private key is fetched
// from the KeySource only when an operation needs it.
struct Identity {
  pki::Certificate certificate;
  bool for_signing = false;
  bool for_encryption = false;
};

// Where private keys come from (the vault, later a token). Asked lazily, so reading a
// message that needs no key never asks for a passphrase.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // The private key for `cert`. Errors: kNotFound, kBadPassword, kIo, ...
  virtual Result<pki::PrivateKey> PrivateKeyFor(const pki::Certificate& cert) = 0;
};

// Revocation status of a validated chain (leaf first). Injected, so tests and the CLI
// decide where answers come from (OCSP/CRL over HTTP, a cache, nothing).
struct RevocationAnswer {
  std::string state = "unknown";  // "good", "revoked", "unknown"
  std::string detail;
  bool unreachable = false;       // unknown because no server could be reached
};
class RevocationSource {
 public:
  virtual ~RevocationSource() = default;
  virtual RevocationAnswer Check(const std::vector<pki::Certificate>& chain) = 0;
};

struct SignRequest {
  bool opaque = false;            // application/pkcs7-mime signed-data instead of multipart/signed
  // Unset: matched to the key (SHA-384 for P-384, SHA-512 for P-521, else SHA-256), since
  // gpgsm and RFC 5480 §4 refuse a digest shorter than the curve.
  std::optional<cms::Digest> digest;
  bool rsa_pss = false;
};

struct EncryptRequest {
  std::vector<pki::Certificate> recipients;  // the sender's own encryption cert is added
  // Each recipient's known SMIMECapabilities (same order; empty = unknown).
  std::vector<std::vector<std::string>> capabilities;
  std::optional<cms::ContentCipher> cipher;  // unset: chosen per RFC 8551 §2.7.1
  bool rsa_oaep = false;
};

class SignerTrustCache;

struct ReadOptions {
  std::optional<std::string_view> detached_content;  // verify a bare signature over this
  // Bulk reads (MailboxVerifier): one validation time for the whole run, and a cache of
  // signer trust decisions shared between messages (and threads).
  std::optional<std::time_t> at;
  SignerTrustCache* trust_cache = nullptr;
  pki::CertificateCache* certificate_cache = nullptr;  // certificates parsed once per run
  cms::SignerKeyCache* signer_key_cache = nullptr;     // one per thread: see its header
  // Where decryption keys come from instead of the context's KeySource (a bulk run loads
  // them once for all its threads).
  std::function<Result<std::vector<cms::Identity>>()> load_keys;
  // False when the caller drops the displayed content (text, attachments): the report then
  // has the same verdict and warnings, with `content` and `content_entity` left empty.
  bool want_content = true;
  // False when nothing will be harvested from the signatures: SignatureVerdict's
  // capabilities and encryption_preference are then left empty.
  bool want_sender_preferences = true;
};

// Messages larger than this are never loaded whole: the *File operations stream them.
inline constexpr uint64_t kInMemoryMessageLimit = 16ull << 20;

class SecureMimeContext final {
 public:
  // `at`: the time certificates are validated at (unset: now).
  SecureMimeContext(std::vector<Identity> identities, std::shared_ptr<KeySource> keys, pki::TrustStore trust,
                    policy::AlgorithmPolicy policy, std::optional<std::time_t> at = std::nullopt);

  // Signs a whole RFC 5322 message with the signing identity; returns the new message.
  Result<std::string> Sign(std::string_view message, const SignRequest& request) const;
  // Encrypts the message to the recipients and the sender's own encryption certificate.
  Result<std::string> Encrypt(std::string_view message, const EncryptRequest& request) const;
  // Sign, then encrypt the signed entity (triple-wrap order of RFC 8551 §3.7, outer two).
  Result<std::string> SignAndEncrypt(std::string_view message, const SignRequest& sign,
                                     const EncryptRequest& encrypt) const;
  // Removes the outer encryption layer; errors per cms::Decrypt.
  Result<std::string> Decrypt(std::string_view message) const;
  // Unwraps every layer (decrypting and verifying) and reports. Fails only when the input
  // cannot be examined at all (not a message); problems inside are in the report.
  Result<Report> Read(std::string_view message, const ReadOptions& options = {}) const;

  // Bounded-memory forms for messages of any size, file to file: memory does not grow with
  // the message, and `out_path` appears only when the whole operation succeeded (for
  // AES-GCM only after the tag verified; catalogue E3). SignFile makes multipart/signed and
  // needs 7-bit content (it cannot re-encode while streaming).
  Status SignFile(const std::string& in_path, const std::string& out_path, const SignRequest& request) const;
  Status EncryptFile(const std::string& in_path, const std::string& out_path, const EncryptRequest& request) const;
  Status DecryptFile(const std::string& in_path, const std::string& out_path) const;
  // Read over a file: messages up to options.stream_above bytes are read as Read does;
  // larger ones are walked from the file (their parts over stream_above streamed, smaller
  // ones in memory), decrypted layers going to anonymous scratch files.
  struct FileReadOptions {
    bool force_stream = false;  // walk every part from the file (tests, and users who want it)
    uint64_t stream_above = kInMemoryMessageLimit;
    bool want_content = true;   // as ReadOptions::want_content
  };
  Result<Report> ReadMessageFile(const std::string& path, const FileReadOptions& options) const;
  Result<Report> ReadMessageFile(const std::string& path) const { return ReadMessageFile(path, FileReadOptions{}); }

  // The cipher for these recipients when none is forced.
  cms::ContentCipher ChooseCipher(const EncryptRequest& request) const;

  // Checks signers' chains for revocation; `hard_fail`: an unknown answer is a failure.
  // Without a source, signatures say "not-checked".
  void SetRevocation(std::shared_ptr<RevocationSource> source, bool hard_fail) {
    revocation_ = std::move(source);
    revocation_hard_fail_ = hard_fail;
  }

  // Every identity with its key, for decryption (asks the KeySource).
  Result<std::vector<cms::Identity>> DecryptionKeys() const;

  const pki::TrustStore& trust() const { return trust_; }
  const policy::AlgorithmPolicy& policy() const { return policy_; }
  std::time_t Now() const;

 private:
  const Identity* SigningIdentity() const;
  const Identity* EncryptionIdentity() const;
  struct SigningSetup {
    pki::Certificate certificate;
    pki::PrivateKey key;
    cms::SignOptions options;
  };
  struct EncryptionSetup {
    std::vector<cms::Recipient> recipients;
    cms::ContentCipher cipher;
  };
  Result<SigningSetup> PrepareSigning(const SignRequest& request) const;
  Result<EncryptionSetup> PrepareEncryption(const EncryptRequest& request) const;
  Result<std::string> SignEntity(std::string_view entity, const SignRequest& request) const;
  Result<Report> ReadLargeMessage(const std::string& path, uint64_t size, uint64_t in_memory_part_limit,
                                  bool want_content) const;
  Result<std::string> EncryptEntity(std::string_view entity, const EncryptRequest& request) const;
  std::vector<Identity> identities_;
  std::shared_ptr<KeySource> keys_;
  pki::TrustStore trust_;
  policy::AlgorithmPolicy policy_;
  std::optional<std::time_t> at_;
  std::shared_ptr<RevocationSource> revocation_;
  bool revocation_hard_fail_ = false;
};

}  // namespace sealpost::smime

// SPDX-License-Identifier: Apache-2.0
// Checking SignedData: one result per SignerInfo. A bad signature is a result, not an
// error; the error side means the structure could not be examined at all.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/result.h"
#include "pki/certificate.h"
#include "cms/signer_key_cache.h"
#include "pki/certificate_cache.h"

namespace sealpost::cms {

// The cryptographic status of one signature, before any trust decision.
enum class SignatureStatus {
  kValid,                 // the signature and the content digest check out
  kInvalid,               // they do not (content or signed attributes changed)
  kInsecureAlgorithm,     // SHA-1/MD5, RSA < 2048, DSA... refused by policy
  kUnsupportedAlgorithm,  // an algorithm OpenSSL 3.0 cannot check here
  kNoCertificate,         // the signer's certificate is not in the message
  kMalformed,             // signed attributes break RFC 5652 §5.3 / §11 rules
};
std::string_view SignatureStatusName(SignatureStatus status);

struct SignerResult {
  SignatureStatus status = SignatureStatus::kMalformed;
  std::optional<pki::Certificate> certificate;
  std::string digest;               // "sha256"
  std::string signature_algorithm;  // "rsa", "rsa-pss", "ecdsa", ...
  bool weak = false;                // uses a legacy algorithm (accepted only with allow_legacy)
  std::optional<std::time_t> signing_time;
  std::vector<std::string> capabilities;  // SMIMECapabilities, in the sender's order
  // The certificate SMIMEEncryptionKeyPreference names, when the message carries it.
  std::optional<pki::Certificate> encryption_preference;
  std::string detail;               // why the status is not valid, for the user
};

struct SignedDataResult {
  std::vector<SignerResult> signers;
  std::vector<pki::Certificate> certificates;  // the bag (untrusted helpers only)
  bool has_econtent = false;
  std::string econtent;                        // the embedded content, when present
};

// Caps on one SignedData (docs/limits.md). Every signer costs a signature check and a path
// validation, every bag certificate a candidate in path building (catalogue P11): hostile
// counts would otherwise buy seconds of CPU per message. Real mail has 1-2 signers and a
// handful of certificates.
inline constexpr int kMaxSignerInfos = 16;
inline constexpr int kMaxBagCertificates = 64;
// OpenSSL refuses RSA moduli above 16,384 bits anyway (OPENSSL_RSA_MAX_MODULUS_BITS); saying
// so before the check gives the user "too large" instead of a generic failure (catalogue A5).
inline constexpr int kMaxRsaKeyBits = 16384;

struct VerifyOptions {
  bool allow_legacy = false;
  int min_rsa_bits = 2048;
  // Bulk runs: the message's certificates are taken from (and added to) this cache
  // instead of being decoded with every message.
  pki::CertificateCache* certificate_cache = nullptr;
  // Bulk runs: verification contexts reused per signer key (one cache per thread).
  SignerKeyCache* key_cache = nullptr;
  // The signer's SMIMECapabilities and encryption-key preference: only harvesting a
  // contact uses them, so a bulk run that harvests nothing skips decoding them.
  bool want_sender_preferences = true;
  // With both caches: messages of the common shape (internal/common_signed_data.h) are
  // checked without OpenSSL's CMS decoder. Off only to compare the two paths in tests.
  bool common_shape_fast_path = true;
};

// Parses DER/BER SignedData and checks every signer. With `detached_content`, the digest is
// computed over it (it must already be canonical). Errors: kMalformed (not SignedData, no
// signers — an empty signerInfos is "not signed", catalogue C3), kLimit (more signers or
// bag certificates than the caps above).
// `extra_certs` are searched for signer certificates the message does not carry.
Result<SignedDataResult> VerifySignedData(std::string_view der, std::optional<std::string_view> detached_content,
                                          const VerifyOptions& options,
                                          const std::vector<pki::Certificate>& extra_certs = {});

// The same over detached content read from a stream (a big message's signed part).
Result<SignedDataResult> VerifySignedData(std::string_view der, ByteSource& detached_content,
                                          const VerifyOptions& options,
                                          const std::vector<pki::Certificate>& extra_certs = {});

// The digest of detached content, computed by the caller while it read the content for
// another reason (a big message's boundary scan), so the content is read once.
struct ContentDigest {
  int nid = 0;        // NID_sha256, ...
  std::string value;  // the raw digest
};

// The same verdicts as the streamed form, from a digest of the content. Applies only when
// every signer uses `digest.nid` and has signed attributes (then the signature covers the
// messageDigest attribute, which is compared here); otherwise, and for SignedData that
// embeds its content, the error is kUnsupported and the caller verifies the content itself.
Result<SignedDataResult> VerifySignedDataWithDigest(std::string_view der, const ContentDigest& digest,
                                                    const VerifyOptions& options,
                                                    const std::vector<pki::Certificate>& extra_certs = {});

}  // namespace sealpost::cms

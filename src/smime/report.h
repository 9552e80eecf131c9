// SPDX-License-Identifier: Apache-2.0
// The verdict on a message, as values: one entry per cryptographic layer and per signer.
// What the user sees is derived from this, never recomputed in the UI.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "cms/signed_data.h"
#include "core/error.h"
#include "mime/leaf_content.h"
#include "pki/certificate.h"

namespace sealpost::smime {

struct SignatureVerdict {
  cms::SignatureStatus status = cms::SignatureStatus::kMalformed;
  std::optional<pki::Certificate> signer;
  std::string signer_email;                 // the address that matches From, else the first
  std::vector<std::string> signer_emails;
  bool trusted = false;
  std::vector<std::string> chain_problems;
  std::string revocation = "not-checked";   // good | revoked | unknown | not-checked
  std::string revocation_detail;
  bool revocation_unreachable = false;      // unknown because no responder answered
  bool revocation_hard_fail = false;        // policy: unknown is a failure
  bool email_matches_from = false;
  bool covers_whole_message = false;
  bool weak = false;
  std::string digest;
  std::string signature_algorithm;
  std::optional<std::time_t> signing_time;
  // Whether the signer's certificate was within its validity period at the claimed signing
  // time (unset without a signingTime). Information only: signingTime is the signer's own
  // claim (catalogue C9); trust is decided at the validation time.
  std::optional<bool> valid_at_signing_time;
  std::vector<std::string> capabilities;
  std::optional<pki::Certificate> encryption_preference;  // SMIMEEncryptionKeyPreference
  int layer = 0;                            // index into Report::layers
  std::string detail;

  // Good in every respect checked: the only state that earns a green verdict.
  bool FullyGood() const;
};

struct LayerVerdict {
  enum class Kind { kSigned, kEncrypted };
  Kind kind = Kind::kSigned;
  bool covers_whole_message = false;
  std::string form;    // "multipart/signed", "signed-data", "enveloped-data", "authEnveloped-data"
  std::string part;    // MIME part path: "" for the root, "1", "2.1", ...
  std::string status;  // "ok", "not-decrypted", or the error kind
  std::string error;   // one line for the user when status is not ok
  std::optional<ErrorCode> error_code;
  std::string algorithm;       // encryption layers: content cipher
  bool authenticated = false;  // encryption layers: AEAD (AuthEnvelopedData)
  bool weak = false;           // encryption layers: a legacy cipher (RC2/DES/3DES)
};

struct Report {
  bool is_signed = false;     // a signature layer covers the whole message
  bool is_encrypted = false;  // an encryption layer covers the whole message
  std::vector<LayerVerdict> layers;  // outermost first
  std::vector<SignatureVerdict> signatures;
  std::string from;                  // the From addr-spec the signers were matched against
  std::vector<std::string> warnings;
  std::vector<std::string> malformed;  // structural problems outside crypto layers (exit 3)
  // The innermost content on the root chain (decrypted, unwrapped), and what it shows.
  std::string content_entity;
  mime::LeafContent content;

  // The outermost encryption layer that covers the whole message, if any.
  const LayerVerdict* Encryption() const;
};

// Exit code per the CLI contract: 0 all good, 1 a security verdict is not fully good,
// 3 malformed input. `require_signature`: an unsigned message is not good (verify).
int ExitCodeFor(const Report& report, bool require_signature);

}  // namespace sealpost::smime

// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the CLI: parsed options, exit codes, and opening the profile/context.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/result.h"
#include "core/secret_bytes.h"
#include "keys/vault.h"
#include "pki/certificate.h"
#include "policy/loaded_policy.h"
#include "profile/profile.h"
#include "smime/context.h"

namespace sealpost::cli {

enum ExitCode { kExitGood = 0, kExitVerdict = 1, kExitUsage = 2, kExitInput = 3, kExitNetwork = 4 };

struct Options {
  std::string profile_dir;
  std::string policy_file;                // --policy: the administrator's file
  std::string passphrase_file;            // --passphrase-file: the vault's passphrase
  std::string new_passphrase_file;        // keystore change-passphrase --new-passphrase-file
  // cert request
  std::string purpose, email, rsa_bits, ec_curve;
  std::vector<std::string> assignments;   // policy set / settings set: KEY=VALUE
  bool verbose = false;
  bool json = false;
  // identity add / cert import
  std::string cert_path, key_path, as = "auto", password_file, cert_id;
  bool public_only = false;
  // trust
  std::string trust_path, trust_id;
  bool intermediate = false;
  // messages
  std::string in = "-", out = "-", content_path, at, digest, cipher;
  bool opaque = false, pss = false, oaep = false, allow_legacy = false;
  bool stream = false;  // the bounded-memory path even below kInMemoryMessageLimit
  bool do_sign = false, do_encrypt = false;
  // encrypt/protect: when a recipient has no usable certificate, send unencrypted to all
  // (only where missing_certificate_action = ask; catalogue S3)
  bool allow_unencrypted = false;
  std::vector<std::string> recipient_certs;
  // verify --maildir
  std::string maildir;
  unsigned jobs = 0;
  // lookup
  std::vector<std::string> addresses;
  std::string unlock_for;  // keystore unlock --for
  bool refresh = false;
  std::string secret_name;
};

// Maps an engine error to the CLI contract's exit code.
int ExitCodeForError(const Error& error);
// Prints the one-line error (and library detail with --verbose); returns the exit code.
int Fail(const Error& error, bool verbose);

Result<profile::Profile> OpenProfile(const Options& o);
// The effective policy: defaults, the profile's policy.toml, then the administrator's file.
Result<policy::LoadedPolicy> LoadEffectivePolicy(const Options& o);
// The engine, set up from the profile (identities, trust, their chains) and the options.
Result<smime::SecureMimeContext> MakeContext(const Options& o);
Result<pki::Certificate> LoadCert(const std::string& path);

// Adds the anchors the administrator distributes in trust_anchor_dir ("credentials policy").
Status AddPolicyAnchors(const std::string& dir, pki::TrustStore& trust);

// The vault's passphrase: --passphrase-file, else $SEALPOST_PASSPHRASE_FILE, else a
// no-echo prompt (twice for a new one). A world-readable file draws a warning.
Result<SecretBytes> GetVaultPassphrase(const Options& o, bool is_new);
// Opens the profile's vault, creating it (with the policy's KDF parameters) if missing.
Result<keys::Vault> OpenOrCreateVault(const Options& o, const profile::Profile& p);
// Opens the existing vault: with the session's unlock key when `keystore unlock` left one
// and the policy allows it, else with the passphrase. `require_passphrase` insists on the
// passphrase (changing it must prove it is known).
Result<keys::Vault> OpenVault(const Options& o, const profile::Profile& p, bool require_passphrase = false);

}  // namespace sealpost::cli

// SPDX-License-Identifier: Apache-2.0
// Profile: the user's directory (identities, trust anchors, settings). Until the vault
// lands (identities issue), private keys are PEM files with mode 0600 in a 0700 directory.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "keys/vault.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "pki/trust_store.h"
#include "smime/context.h"

namespace sealpost::profile {

enum class Role { kSigning, kEncryption, kBoth };

struct StoredIdentity {
  std::string id;  // SHA-256 fingerprint of the certificate
  pki::Certificate certificate;
  Role role = Role::kBoth;
  std::string source;                 // "pem", "pkcs12"
  std::vector<pki::Certificate> chain;  // intermediates that came with it
  bool active_signing = false;
  bool active_encryption = false;
};

struct TrustEntry {
  pki::Certificate certificate;
  bool intermediate = false;
};

class Profile final {
 public:
  // The directory from --profile, else $SEALPOST_HOME, else ~/.sealpost.
  static std::string DefaultDirectory();
  // Opens (creating with mode 0700 if missing) the profile at `dir`.
  static Result<Profile> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }

  // Stores cert + key; the key must match the certificate. The newest identity for a role
  // becomes the one used for it.
  // The vault holding this profile's private keys and secrets.
  std::string VaultPath() const;

  // Stores the certificate in the profile and the key in `vault` (encrypted at rest).
  Result<StoredIdentity> AddIdentity(keys::Vault& vault, const pki::Certificate& cert, const pki::PrivateKey& key, Role role,
                                     std::string_view source = "pem",
                                     const std::vector<pki::Certificate>& chain = {}, bool activate = true);
  // Removes the identity whose id starts with `id_prefix` (unique prefix of 8+ hex digits).
  Status RemoveIdentity(keys::Vault& vault, const std::string& id_prefix);
  // The private key of identity `id` (full id) from `vault`.
  Result<pki::PrivateKey> LoadKey(const keys::Vault& vault, const std::string& id) const;
  // The identity whose id starts with `id_prefix`; kNotFound / kInvalidArgument (ambiguous).
  Result<StoredIdentity> FindIdentity(const std::string& id_prefix) const;
  Result<std::vector<StoredIdentity>> ListIdentities() const;
  // The identities (certificates and roles), the active signing/encryption ones first.
  Result<std::vector<smime::Identity>> LoadIdentities() const;

  // Makes the identity `id` (full id) the one used for signing or for encryption.
  Status SetActive(Role role, const std::string& id);

  Status AddTrust(const pki::Certificate& cert, bool intermediate);
  Result<std::vector<TrustEntry>> ListTrust() const;
  Status RemoveTrust(const std::string& fingerprint_prefix);
  Result<pki::TrustStore> LoadTrustStore() const;

 private:
  explicit Profile(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

std::string_view RoleName(Role role);

}  // namespace sealpost::profile

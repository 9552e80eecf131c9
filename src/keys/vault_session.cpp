// SPDX-License-Identifier: Apache-2.0
#include "keys/vault_session.h"

#include "keys/session_keyring.h"

namespace sealpost::keys {

Result<Vault> OpenVaultInSession(const std::string& path, const PassphraseSource& passphrase, bool use_session) {
  if (use_session) {
    std::string cached_under;  // the name a key was found under: the vault file is read once
    auto vault = Vault::OpenWithCachedUnlockKey(path, [&](const std::string& name) {
      auto key = LoadSessionKey(name);
      if (key) cached_under = name;
      return key;
    });
    if (!cached_under.empty()) {
      if (vault || vault.error().code() != ErrorCode::kBadPassword) return vault;
      (void)ForgetSessionKey(cached_under);  // stale: the passphrase decides, as without a cache
    }
  }
  ASSIGN_OR_RETURN(SecretBytes secret, passphrase());
  return Vault::Open(path, secret);
}

Status UnlockVaultForSession(const std::string& path, const SecretBytes& passphrase, long seconds) {
  ASSIGN_OR_RETURN(SecretBytes key, Vault::DeriveUnlockKey(path, passphrase));
  ASSIGN_OR_RETURN(std::string name, Vault::UnlockKeyName(path));
  return StoreSessionKey(name, key, seconds);
}

Status LockVaultForSession(const std::string& path) {
  ASSIGN_OR_RETURN(std::string name, Vault::UnlockKeyName(path));
  return ForgetSessionKey(name);
}

}  // namespace sealpost::keys

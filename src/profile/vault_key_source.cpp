// SPDX-License-Identifier: Apache-2.0
// Lazy vault unlocking for the engine's key requests.
#include "profile/vault_key_source.h"

#include "keys/vault_session.h"

namespace sealpost::profile {

Result<pki::PrivateKey> VaultKeySource::PrivateKeyFor(const pki::Certificate& cert) {
  if (!vault_) {
    if (!keys::Vault::Exists(profile_.VaultPath()))
      return Error(ErrorCode::kNotFound, "this profile has no private keys yet (no vault at " + profile_.VaultPath() + ")");
    ASSIGN_OR_RETURN(keys::Vault vault, keys::OpenVaultInSession(profile_.VaultPath(), passphrase_, use_session_));
    vault_ = std::move(vault);
  }
  return profile_.LoadKey(*vault_, cert.Sha256Fingerprint());
}

}  // namespace sealpost::profile

// SPDX-License-Identifier: Apache-2.0
// `sealpost keystore unlock`: the vault opened from the login session's cached unlock key
// when there is one (no passphrase, no scrypt), else with the passphrase as always.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "core/secret_bytes.h"
#include "keys/vault.h"

namespace sealpost::keys {

using PassphraseSource = std::function<Result<SecretBytes>()>;

// Opens the vault at `path`: with the session's unlock key if `use_session` (the policy
// allows unlocking) and one is cached, else with the passphrase `passphrase` gives. A cached
// key that no longer opens the vault is dropped and the passphrase asked for.
Result<Vault> OpenVaultInSession(const std::string& path, const PassphraseSource& passphrase, bool use_session);

// Derives the unlock key from the passphrase (a wrong one fails here) and keeps it in the
// session keyring for `seconds`.
Status UnlockVaultForSession(const std::string& path, const SecretBytes& passphrase, long seconds);

// Forgets the session's unlock key of this vault (Ok when there was none).
Status LockVaultForSession(const std::string& path);

}  // namespace sealpost::keys

// SPDX-License-Identifier: Apache-2.0
// A vault unlock key kept for a while in the Linux kernel's session keyring, so that one
// `sealpost keystore unlock` spares the following commands of the login session the
// passphrase and the scrypt derivation (0.1 s and 32-128 MiB each), as gpg-agent's cache
// does for gpgsm, but with no daemon: the kernel holds the key, drops it when the timeout
// runs out, and shows it only to processes that possess the session keyring.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "core/secret_bytes.h"

namespace sealpost::keys {

// Stores `key` under `name` ("user" key type) in the session keyring, readable only by its
// possessors, expiring after `seconds` (> 0). Replaces a key of the same name.
// kUnsupported when the kernel or a sandbox does not offer keyrings.
Status StoreSessionKey(const std::string& name, const SecretBytes& key, long seconds);

// The key stored under `name`, or nullopt when there is none (never stored, expired,
// revoked, or no keyring in this environment: all mean "ask for the passphrase").
std::optional<SecretBytes> LoadSessionKey(const std::string& name);

// Removes the key (invalidates it in the kernel). Ok when there was none.
Status ForgetSessionKey(const std::string& name);

}  // namespace sealpost::keys

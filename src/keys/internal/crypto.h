// SPDX-License-Identifier: Apache-2.0
// The vault's three primitives, all from OpenSSL: scrypt, AES-256-GCM and RAND_bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret_bytes.h"
#include "keys/kdf_params.h"

namespace sealpost::keys::internal {

inline constexpr std::size_t kKeySize = 32;    // AES-256
inline constexpr std::size_t kNonceSize = 12;  // GCM's natural IV size (SP 800-38D 8.2)
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kSaltSize = 16;

// `size` bytes from OpenSSL's CSPRNG; kInternal if it is not seeded.
Result<std::string> RandomBytes(std::size_t size);

// A fresh random 32-byte key.
Result<SecretBytes> RandomKey();

// scrypt(passphrase, salt, params) -> a 32-byte key. The caller validates `params` first.
Result<SecretBytes> DeriveKey(const SecretBytes& passphrase, std::string_view salt, const KdfParams& params);

// AES-256-GCM: returns ciphertext || 16-byte tag.
Result<std::string> Seal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                         std::string_view plaintext);

// Inverse of Seal. A tag mismatch is kIntegrity and releases nothing; the caller turns it
// into kBadPassword where the key came from a passphrase.
Result<SecretBytes> Unseal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                           std::string_view sealed);

}  // namespace sealpost::keys::internal

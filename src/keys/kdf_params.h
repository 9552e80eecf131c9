// SPDX-License-Identifier: Apache-2.0
// KdfParams: the scrypt cost parameters that turn a vault passphrase into a key.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace sealpost::keys {

// scrypt (RFC 7914): `n` is the CPU/memory cost (a power of two), `r` the block size,
// `p` the parallelism. Memory used is about 128 * n * r bytes.
struct KdfParams {
  std::uint64_t n = 0;
  std::uint32_t r = 0;
  std::uint32_t p = 0;

  friend bool operator==(const KdfParams&, const KdfParams&) = default;
};

// The parameters new vaults get: N = 2^16, r = 8, p = 1 (64 MiB, about 0.3 s on the
// reference machine; see the measurements in kdf_params.cpp).
KdfParams DefaultKdfParams();

// The weakest parameters this build accepts for creating or opening a vault. Only a build
// configured with the test-only SEALPOST_TESTING_WEAK_KDF option has a lower floor.
KdfParams MinimumKdfParams();

// True if any component of `params` is below the same component of `floor`.
bool IsBelow(const KdfParams& params, const KdfParams& floor);

// The component-wise maximum: a floor at least as strict as both.
KdfParams Stricter(const KdfParams& a, const KdfParams& b);

// Checks that `params` are computable: n a power of two >= 2, r and p >= 1, and memory and
// work within the caps that keep a hostile vault file from exhausting the machine.
// kInvalidArgument otherwise, naming the parameters.
Status ValidateKdfParams(const KdfParams& params);

// "scrypt N=65536 r=8 p=1", for messages.
std::string ToString(const KdfParams& params);

}  // namespace sealpost::keys

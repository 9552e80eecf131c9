// SPDX-License-Identifier: Apache-2.0
// Default and minimum scrypt parameters, and the caps on what a vault file may ask for.
#include "keys/kdf_params.h"

#include <algorithm>

namespace sealpost::keys {
namespace {

// Measured with EVP_PBE_scrypt on the reference machine (2-core AMD EPYC VM, OpenSSL 3.0,
// best of 5, r=8 p=1): N=2^14 33 ms, 2^15 150-165 ms, 2^16 330-340 ms, 2^17 0.7-1.0 s.
// 2^16 keeps a margin above the 100 ms target on faster hardware while one unlock per CLI
// command stays bearable; 2^15 is the floor, still above 100 ms here.
constexpr KdfParams kDefault{std::uint64_t{1} << 16, 8, 1};

#ifdef SEALPOST_TESTING_WEAK_KDF
// Test builds only (CMake option SEALPOST_TESTING_WEAK_KDF): lets unit and kill-safety
// tests run thousands of unlocks. Release builds refuse to configure with it.
constexpr KdfParams kFloor{std::uint64_t{1} << 10, 8, 1};
#else
constexpr KdfParams kFloor{std::uint64_t{1} << 15, 8, 1};
#endif

// Caps against a hostile or damaged vault file: 1 GiB of memory and p <= 16.
constexpr std::uint64_t kMaxMemoryBytes = std::uint64_t{1} << 30;
constexpr std::uint32_t kMaxR = 32;
constexpr std::uint32_t kMaxP = 16;

}  // namespace

KdfParams DefaultKdfParams() { return kDefault; }
KdfParams MinimumKdfParams() { return kFloor; }

bool IsBelow(const KdfParams& params, const KdfParams& floor) {
  return params.n < floor.n || params.r < floor.r || params.p < floor.p;
}

KdfParams Stricter(const KdfParams& a, const KdfParams& b) {
  return {std::max(a.n, b.n), std::max(a.r, b.r), std::max(a.p, b.p)};
}

Status ValidateKdfParams(const KdfParams& params) {
  bool power_of_two = params.n >= 2 && (params.n & (params.n - 1)) == 0;
  bool in_range = params.r >= 1 && params.r <= kMaxR && params.p >= 1 && params.p <= kMaxP;
  // Checked in this order so that the multiplication cannot overflow.
  bool memory_ok = in_range && params.n <= kMaxMemoryBytes / (128u * params.r);
  if (!power_of_two || !in_range || !memory_ok)
    return Error(ErrorCode::kInvalidArgument,
                 "unusable key-derivation parameters " + ToString(params) +
                     " (N must be a power of two, r 1..32, p 1..16, 128*N*r at most 1 GiB)");
  return Ok();
}

std::string ToString(const KdfParams& params) {
  return "scrypt N=" + std::to_string(params.n) + " r=" + std::to_string(params.r) + " p=" + std::to_string(params.p);
}

}  // namespace sealpost::keys

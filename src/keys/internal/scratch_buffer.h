// SPDX-License-Identifier: Apache-2.0
// ScratchBuffer: a fixed-size writable buffer for secrets in flight, wiped on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/secret_bytes.h"

namespace sealpost::keys::internal {

// SecretBytes is read-only once built; OpenSSL needs somewhere to write plaintext and
// derived keys first. Move-only so that no unwiped copy is ever made.
class ScratchBuffer final {
 public:
  explicit ScratchBuffer(std::size_t size) : bytes_(size) {}
  ~ScratchBuffer();
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;

  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }

  // Drops everything after the first `size` bytes (wiping them).
  void Truncate(std::size_t size);

  // A SecretBytes copy of the contents; this buffer is still wiped when it goes away.
  SecretBytes ToSecret() const;

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace sealpost::keys::internal

// SPDX-License-Identifier: Apache-2.0
// ScratchBuffer wiping; OPENSSL_cleanse so the compiler cannot drop it.
#include "keys/internal/scratch_buffer.h"

#include <openssl/crypto.h>

namespace sealpost::keys::internal {

ScratchBuffer::~ScratchBuffer() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

void ScratchBuffer::Truncate(std::size_t size) {
  if (size >= bytes_.size()) return;
  OPENSSL_cleanse(bytes_.data() + size, bytes_.size() - size);
  bytes_.resize(size);
}

SecretBytes ScratchBuffer::ToSecret() const {
  return SecretBytes(std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()));
}

}  // namespace sealpost::keys::internal

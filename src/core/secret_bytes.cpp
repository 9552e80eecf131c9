// SPDX-License-Identifier: Apache-2.0
// Self-wiping buffer; OPENSSL_cleanse so the compiler cannot drop the wipe.
#include "core/secret_bytes.h"

#include <openssl/crypto.h>

namespace sealpost {

SecretBytes::SecretBytes(std::string_view bytes) : bytes_(bytes.begin(), bytes.end()) {}
SecretBytes::~SecretBytes() { Wipe(); }
SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}
SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}
void SecretBytes::Wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

}  // namespace sealpost

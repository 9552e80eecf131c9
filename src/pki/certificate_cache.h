// SPDX-License-Identifier: Apache-2.0
// CertificateCache: certificates parsed once per distinct encoding. Decoding a certificate
// (its public key above all: OpenSSL 3.0 sets up a provider decoder each time, under locks
// every thread contends for) costs more than verifying a signature, and a mailbox carries
// the same few certificates in every message, a directory the same ones on every lookup.
// Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "pki/certificate.h"

namespace sealpost::pki {

class CertificateCache final {
 public:
  // Keeps at most `max_entries` certificates; past that, parses are returned but not kept
  // (a long-lived cache stays bounded whatever it is fed).
  explicit CertificateCache(std::size_t max_entries = std::numeric_limits<std::size_t>::max())
      : max_entries_(max_entries) {}

  // The certificate with exactly these bytes: one X.509 certificate and nothing after it
  // (trailing bytes would let two encodings carry the "same" certificate). kMalformed
  // otherwise; failures are not cached.
  Result<Certificate> Get(std::string_view encoded);

 private:
  const std::size_t max_entries_;
  std::mutex mutex_;
  // Looked up by the message's bytes as they are (no key copied per lookup).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view bytes) const { return std::hash<std::string_view>{}(bytes); }
  };
  std::unordered_map<std::string, Certificate, Hash, std::equal_to<>> entries_;  // guarded by mutex_
};

}  // namespace sealpost::pki

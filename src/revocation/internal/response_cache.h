// SPDX-License-Identifier: Apache-2.0
// ResponseCache: OCSP responses and CRLs kept as files, one per key, written atomically.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost::revocation::internal {

// Stores bytes only. Whoever loads an entry re-verifies it (signature, issuer, freshness)
// exactly as a fresh answer, so a tampered or stale file can only cause a miss, never "good".
class ResponseCache final {
 public:
  // An empty `dir` disables the cache: Load always misses, Store does nothing.
  // Entries larger than `max_bytes` are ignored on load.
  ResponseCache(std::string dir, std::size_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  // A file-name-safe key: `kind` ("ocsp", "crl") and the SHA-256 of `material` in hex.
  static std::string Key(std::string_view kind, std::string_view material);

  // The stored bytes for `key`, or nullopt (missing, unreadable, too large, disabled).
  std::optional<std::string> Load(const std::string& key) const;

  // Replaces the entry for `key` (temp file + rename), creating the directory (0700) first.
  // Fails with kIo; callers may ignore that, as a cache that cannot write only costs fetches.
  Status Store(const std::string& key, std::string_view bytes) const;

  bool enabled() const { return !dir_.empty(); }

 private:
  std::string PathFor(const std::string& key) const;

  std::string dir_;
  std::size_t max_bytes_;
};

}  // namespace sealpost::revocation::internal

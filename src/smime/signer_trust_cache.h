// SPDX-License-Identifier: Apache-2.0
// SignerTrustCache: remembers the trust decision (path validation and revocation answer)
// for a signer certificate already seen, so a mailbox signed by few people validates each
// path once instead of once per message. Each thread of a bulk run has its own (sharing
// one would make every message take the same lock and bump the same reference counts);
// the threads' caches share one mutex that serialises the computations.
//
// Keyed on certificate objects, not encodings: with a pki::CertificateCache every message
// carrying the same certificate hands over the same object, and hashing encodings cost
// more than the rest of the lookup. Each entry keeps its certificates alive, so an
// object's address is never reused for another certificate while the entry exists.
#pragma once

#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pki/certificate.h"
#include "pki/trust_store.h"
#include "smime/context.h"

namespace sealpost::smime {

// What the trust check of one signer concluded.
struct SignerTrust {
  pki::ChainResult chain;
  bool revocation_checked = false;
  RevocationAnswer revocation;
};

class SignerTrustCache final {
 public:
  // `compute_mutex`: held around every computation; caches that share it never run two at
  // once. Null: this cache's own.
  explicit SignerTrustCache(std::mutex* compute_mutex = nullptr)
      : compute_mutex_(compute_mutex ? compute_mutex : &own_compute_mutex_) {}
  SignerTrustCache(const SignerTrustCache&) = delete;
  SignerTrustCache& operator=(const SignerTrustCache&) = delete;

  // The answer for `leaf` with this certificate bag, time, use and key floor: from the
  // cache, else from `compute` (called at most once per key and cache; calls are
  // serialised, which also keeps a revocation source that is not thread-safe out of trouble).
  SignerTrust Get(const pki::Certificate& leaf, const std::vector<pki::Certificate>& bag, std::time_t at,
                  pki::CertUse use, int min_rsa_bits, const std::function<SignerTrust()>& compute);

  size_t hits() const;
  size_t misses() const;

 private:
  mutable std::mutex mutex_;
  std::mutex own_compute_mutex_;
  std::mutex* const compute_mutex_;
  struct Entry {
    std::vector<pki::Certificate> pinned;  // the leaf and the bag the key names
    SignerTrust trust;
  };
  std::unordered_map<std::string, Entry> entries_;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace sealpost::smime

// SPDX-License-Identifier: Apache-2.0
// The key names everything the decision depends on: the leaf, the message's certificate
// bag (it may supply a different path), the time and the rules.
#include "smime/signer_trust_cache.h"

namespace sealpost::smime {
namespace {

void AppendObject(std::string& key, const pki::Certificate& cert) {
  const void* object = cert.native();
  key.append(reinterpret_cast<const char*>(&object), sizeof object);
}

std::string Key(const pki::Certificate& leaf, const std::vector<pki::Certificate>& bag, std::time_t at,
                pki::CertUse use, int min_rsa_bits) {
  std::string key;
  key.reserve((bag.size() + 1) * sizeof(void*) + 32);
  AppendObject(key, leaf);
  for (const auto& c : bag) AppendObject(key, c);
  key += "|" + std::to_string(static_cast<long long>(at)) + "|" + std::to_string(static_cast<int>(use)) + "|" +
         std::to_string(min_rsa_bits);
  return key;
}

}  // namespace

SignerTrust SignerTrustCache::Get(const pki::Certificate& leaf, const std::vector<pki::Certificate>& bag,
                                  std::time_t at, pki::CertUse use, int min_rsa_bits,
                                  const std::function<SignerTrust()>& compute) {
  std::string key = Key(leaf, bag, at, use, min_rsa_bits);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    ++hits_;
    return it->second.trust;
  }
  ++misses_;
  std::lock_guard computing(*compute_mutex_);
  Entry entry{bag, compute()};
  entry.pinned.push_back(leaf);
  return entries_.emplace(std::move(key), std::move(entry)).first->second.trust;
}

size_t SignerTrustCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

size_t SignerTrustCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace sealpost::smime

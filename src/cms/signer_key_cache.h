// SPDX-License-Identifier: Apache-2.0
// SignerKeyCache: verification contexts kept per signer key and digest for a bulk run, so a
// mailbox signed by few people sets each one up once instead of once per message (OpenSSL
// 3.0 fetches the digest and signature algorithms under a global lock at every set-up:
// ~10 % of a small message's CPU, and the lock is shared by every thread).
//
// Not thread-safe: one cache per thread. Each context holds a reference to its key, so a
// key's address is never reused for another key while the cache lives.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <map>
#include <utility>

namespace sealpost::cms {

class SignerKeyCache final {
 public:
  SignerKeyCache() = default;
  ~SignerKeyCache();
  SignerKeyCache(const SignerKeyCache&) = delete;
  SignerKeyCache& operator=(const SignerKeyCache&) = delete;

  // A context set up with EVP_PKEY_verify_init and the digest `md_nid` for `key`, or null
  // when OpenSSL cannot make one. Owned by the cache.
  EVP_PKEY_CTX* VerifyContext(EVP_PKEY* key, int md_nid);

  // The digest `md_nid`, fetched once. Null if unknown. Owned by the cache.
  const EVP_MD* Digest(int md_nid);

 private:
  // A bulk run meets a handful of signers; a hostile mailbox with thousands of distinct
  // keys must not make the cache grow without bound.
  static constexpr std::size_t kMaxContexts = 256;
  std::map<std::pair<EVP_PKEY*, int>, EVP_PKEY_CTX*> contexts_;
  std::map<int, EVP_MD*> digests_;
};

}  // namespace sealpost::cms

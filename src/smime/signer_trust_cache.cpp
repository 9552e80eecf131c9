// SPDX-License-Identifier: Apache-2.0
// The cache key is a SHA-256 over everything the decision depends on: the leaf, the
// message's certificate bag (it may supply a different path), the time and the rules.
#include "smime/signer_trust_cache.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ossl/handles.h"

namespace sealpost::smime {
namespace {

void HashCertificate(EVP_MD_CTX* md, const pki::Certificate& cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.native(), &der);
  if (len > 0) {
    // The length first, so two concatenations of different certificates never collide.
    uint32_t n = static_cast<uint32_t>(len);
    EVP_DigestUpdate(md, &n, sizeof n);
    EVP_DigestUpdate(md, der, static_cast<size_t>(len));
  }
  OPENSSL_free(der);
}

std::string Key(const pki::Certificate& leaf, const std::vector<pki::Certificate>& bag, std::time_t at,
                pki::CertUse use, int min_rsa_bits) {
  ossl::EvpMdCtxPtr md(EVP_MD_CTX_new());
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  HashCertificate(md.get(), leaf);
  for (const auto& c : bag) HashCertificate(md.get(), c);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(md.get(), digest, &digest_len);
  std::string key(reinterpret_cast<const char*>(digest), digest_len);
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
    return it->second;
  }
  ++misses_;
  return entries_.emplace(std::move(key), compute()).first->second;
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

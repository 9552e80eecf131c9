// SPDX-License-Identifier: Apache-2.0
#include "cms/certificate_cache.h"

#include <openssl/x509.h>

#include "ossl/errors.h"

namespace sealpost::cms {

Result<pki::Certificate> CertificateCache::Get(std::string_view encoded) {
  std::string key(encoded);
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  // Parsed outside the lock; a race parses twice and keeps the first.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(encoded.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(encoded.size()));
  if (!x || p != reinterpret_cast<const unsigned char*>(encoded.data()) + encoded.size()) {
    X509_free(x);
    return ossl::MakeError(ErrorCode::kMalformed, "a certificate in the message is not readable");
  }
  pki::Certificate cert = pki::Certificate::FromNative(x);
  X509_free(x);  // FromNative took its own reference
  std::lock_guard lock(mutex_);
  return entries_.emplace(std::move(key), std::move(cert)).first->second;
}

}  // namespace sealpost::cms

// SPDX-License-Identifier: Apache-2.0
#include "pki/certificate_cache.h"

#include <openssl/x509.h>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::pki {

Result<Certificate> CertificateCache::Get(std::string_view encoded) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(encoded); it != entries_.end()) return it->second;
  }
  // Parsed outside the lock; a race parses twice and keeps the first.
  const auto* begin = reinterpret_cast<const unsigned char*>(encoded.data());
  const unsigned char* p = begin;
  ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(encoded.size())));
  if (!x) return ossl::MakeError(ErrorCode::kMalformed, "not a DER X.509 certificate");
  if (p != begin + encoded.size()) {
    return Error(ErrorCode::kMalformed,
                 "a DER certificate followed by " + std::to_string(begin + encoded.size() - p) + " unexpected bytes");
  }
  Certificate cert = Certificate::FromNative(x.get());  // takes its own reference
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) return cert;
  return entries_.emplace(std::string(encoded), std::move(cert)).first->second;
}

}  // namespace sealpost::pki

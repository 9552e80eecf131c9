// SPDX-License-Identifier: Apache-2.0
// HttpFetcher: bounded plain-HTTP GET and POST for CRL and OCSP retrieval, over libcurl.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost::revocation::internal {

class HttpFetcher final {
 public:
  // `timeout_ms` bounds the whole exchange (connecting included); `max_bytes` bounds the body.
  HttpFetcher(long timeout_ms, std::size_t max_bytes) : timeout_ms_(timeout_ms), max_bytes_(max_bytes) {}

  // Returns the body of a 200 answer. Fails with kInvalidArgument for anything but an
  // http:// URL, kNetwork when the server cannot be reached, times out or answers another
  // status, and kLimit when the body would exceed `max_bytes`. Redirects are followed only
  // to http:// URLs. Thread-safe: each call uses its own curl handle.
  Result<std::string> Get(const std::string& url) const;
  Result<std::string> Post(const std::string& url, std::string_view content_type, std::string_view body) const;

 private:
  Result<std::string> Perform(const std::string& url, const std::string* content_type, std::string_view body) const;

  long timeout_ms_;
  std::size_t max_bytes_;
};

// True for "http://host..." (scheme case-insensitive) without whitespace or control bytes.
// AIA and CRL DP URLs are plain HTTP by design (RFC 5280 §4.2.1.13, RFC 6960 App. A): the
// answers are signed, and TLS to fetch them would itself need revocation checking.
bool IsHttpUrl(std::string_view url);

}  // namespace sealpost::revocation::internal

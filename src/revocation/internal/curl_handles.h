// SPDX-License-Identifier: Apache-2.0
// RAII for libcurl easy handles and header lists, and curl's one-time global setup.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace sealpost::revocation::internal {

struct CurlEasyCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlSlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlPtr = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

// Runs curl_global_init once per process (thread-safe); returns false if it failed.
bool EnsureCurlGlobalInit();

}  // namespace sealpost::revocation::internal

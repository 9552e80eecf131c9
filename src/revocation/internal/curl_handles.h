// SPDX-License-Identifier: Apache-2.0
// RAII for libcurl easy handles and header lists.
#pragma once

#include <memory>

#include "revocation/internal/curl_api.h"

namespace sealpost::revocation::internal {

struct CurlEasyCleanup {
  void operator()(CURL* curl) const { Curl().curl_easy_cleanup(curl); }
};
struct CurlSlistFree {
  void operator()(curl_slist* list) const { Curl().curl_slist_free_all(list); }
};
using CurlPtr = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

}  // namespace sealpost::revocation::internal

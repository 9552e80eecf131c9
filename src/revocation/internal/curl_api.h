// SPDX-License-Identifier: Apache-2.0
// libcurl, loaded on first use (see core/shared_library.h for why). Calls go through
// Curl().<function>, typed by <curl/curl.h>.
#pragma once

// curl's type-checking macros would rewrite Curl().curl_easy_setopt(...); the option values
// passed through the pointer are checked by hand (long, curl_off_t, pointers) at the call.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "core/result.h"

namespace sealpost::revocation::internal {

#define SEALPOST_CURL_FUNCTIONS(X)                                                                    \
  X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_setopt) X(curl_easy_perform) \
  X(curl_easy_getinfo) X(curl_easy_strerror) X(curl_slist_append) X(curl_slist_free_all)

struct CurlApi {
#define SEALPOST_CURL_MEMBER(name) decltype(&::name) name = nullptr;
  SEALPOST_CURL_FUNCTIONS(SEALPOST_CURL_MEMBER)
#undef SEALPOST_CURL_MEMBER
};

// Loads libcurl and runs curl_global_init, once per process (thread-safe).
Result<const CurlApi*> LoadCurlApi();

// The loaded table; only valid after LoadCurlApi succeeded (aborts with a message if not).
const CurlApi& Curl();

}  // namespace sealpost::revocation::internal

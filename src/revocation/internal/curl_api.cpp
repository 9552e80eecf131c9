// SPDX-License-Identifier: Apache-2.0
#include "revocation/internal/curl_api.h"

#include <cstdio>
#include <cstdlib>

#include "core/shared_library.h"

namespace sealpost::revocation::internal {
namespace {

Result<CurlApi> Load() {
  // SEALPOST_CURL_SONAME comes from the build (the soname of the libcurl it compiled against).
  ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::Open(SEALPOST_CURL_SONAME));
  CurlApi api;
#define SEALPOST_CURL_BIND(name) RETURN_IF_ERROR(library.Bind(api.name, #name));
  SEALPOST_CURL_FUNCTIONS(SEALPOST_CURL_BIND)
#undef SEALPOST_CURL_BIND
  if (api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return Error(ErrorCode::kInternal, "cannot initialise libcurl");
  return api;
}

}  // namespace

Result<const CurlApi*> LoadCurlApi() {
  static const Result<CurlApi> loaded = Load();
  if (!loaded) return Error(loaded.error().code(), "HTTP (OCSP, CRL) is not available: " + loaded.error().message(),
                            loaded.error().detail());
  return &*loaded;
}

const CurlApi& Curl() {
  auto api = LoadCurlApi();
  if (!api) {
    std::fprintf(stderr, "sealpost: internal error: libcurl called before it was loaded: %s\n",
                 api.error().message().c_str());
    std::abort();
  }
  return **api;
}

}  // namespace sealpost::revocation::internal

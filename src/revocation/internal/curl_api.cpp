// SPDX-License-Identifier: Apache-2.0
#include "revocation/internal/curl_api.h"

#include "core/shared_library.h"

namespace sealpost::revocation::internal {
namespace {

Result<CurlApi> Load() {
  // SEALPOST_CURL_SONAME comes from the build (the soname of the libcurl it compiled against).
  ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::Open(SEALPOST_CURL_SONAME));
  CurlApi api;
  SEALPOST_CURL_FUNCTIONS(SEALPOST_BIND_FUNCTION)
  if (api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return Error(ErrorCode::kInternal, "cannot initialise libcurl");
  return api;
}

}  // namespace

Result<const CurlApi*> LoadCurlApi() { return LoadOnce(&Load, "HTTP (OCSP, CRL)"); }

const CurlApi& Curl() {
  auto api = LoadCurlApi();
  if (!api) AbortUnloaded("libcurl", api.error());
  return **api;
}

}  // namespace sealpost::revocation::internal

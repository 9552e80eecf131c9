// SPDX-License-Identifier: Apache-2.0
// curl's process-wide initialisation, done once on first use.
#include "revocation/internal/curl_handles.h"

#include <mutex>

namespace sealpost::revocation::internal {

bool EnsureCurlGlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

}  // namespace sealpost::revocation::internal

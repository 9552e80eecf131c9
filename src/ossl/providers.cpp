// SPDX-License-Identifier: Apache-2.0
// Provider loading.
#include "ossl/providers.h"

#include <openssl/provider.h>

#include <mutex>

#include "ossl/errors.h"

namespace sealpost::ossl {

void EnsureLegacyProvider() {
  static std::once_flag once;
  std::call_once(once, [] {
    OSSL_PROVIDER_load(nullptr, "legacy");
    OSSL_PROVIDER_load(nullptr, "default");
    DrainErrors();
  });
}

}  // namespace sealpost::ossl

// SPDX-License-Identifier: Apache-2.0
// Provider loading.
#include "ossl/providers.h"

#include <openssl/provider.h>

#include <mutex>

#include "ossl/errors.h"

namespace sealpost::ossl {
namespace {

// Loaded providers stay for the life of the process; holding them here keeps them
// reachable (LeakSanitizer would otherwise report the dropped handles).
OSSL_PROVIDER* legacy_provider = nullptr;
OSSL_PROVIDER* default_provider = nullptr;

}  // namespace

void EnsureLegacyProvider() {
  static std::once_flag once;
  std::call_once(once, [] {
    legacy_provider = OSSL_PROVIDER_load(nullptr, "legacy");
    default_provider = OSSL_PROVIDER_load(nullptr, "default");
    DrainErrors();
  });
}

}  // namespace sealpost::ossl

// SPDX-License-Identifier: Apache-2.0
// OpenSSL providers Sealpost loads on demand.
#pragma once

namespace sealpost::ossl {

// Loads OpenSSL's legacy provider (RC2, DES, MD4) and then the default one explicitly,
// which stops being implicit once any provider is loaded. Once per process, thread-safe.
// Needed only to read old mail and old PKCS#12 exports; nothing we produce uses them.
void EnsureLegacyProvider();

}  // namespace sealpost::ossl

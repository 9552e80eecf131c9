// SPDX-License-Identifier: Apache-2.0
// Test helper: a fresh RSA-2048 recipient ("Bob") with a throwaway certificate, as an
// Identity the decryption calls take.
#pragma once

#include <openssl/rsa.h>

#include "cms/envelope.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::cms::testing {

struct RsaIdentity {
  ossl::EvpPkeyPtr key{EVP_RSA_gen(2048)};
  ossl::X509Ptr x509 = pki::testing::ThrowawayCertificate("Bob", 1, key.get());
  pki::Certificate certificate = pki::Certificate::FromNative(x509.get());
  Identity identity{certificate, pki::PrivateKey::FromNative(key.get())};
};

}  // namespace sealpost::cms::testing

// SPDX-License-Identifier: Apache-2.0
// The signer-key rules both verification paths apply before trusting the maths: keys
// below the policy's floor are weak (RFC 8551 §2.7), RSA keys above kMaxRsaKeyBits are
// refused as too large (catalogue A5).
#pragma once

#include <openssl/evp.h>

#include "cms/signed_data.h"

namespace sealpost::cms::internal {

inline bool KeyIsTooLarge(EVP_PKEY* key) {
  if (!key) return false;
  int id = EVP_PKEY_get_base_id(key);
  return (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) && EVP_PKEY_get_bits(key) > kMaxRsaKeyBits;
}

inline bool KeyIsWeak(EVP_PKEY* key, int min_rsa_bits) {
  if (!key) return false;
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) return EVP_PKEY_get_bits(key) < min_rsa_bits;
  if (id == EVP_PKEY_DSA) return true;  // DSA is not in RFC 8551's algorithm set
  return false;
}

}  // namespace sealpost::cms::internal

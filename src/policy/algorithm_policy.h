// SPDX-License-Identifier: Apache-2.0
// The algorithm rules pki/ and cms/ apply, as a plain value. Defaults are the safe ones;
// tests pin them (algorithm_policy_test.cpp) so that weakening a default shows in review.
#pragma once

#include <string>

namespace sealpost::policy {

struct AlgorithmPolicy {
  // Read old mail: SHA-1/MD5 signatures, RSA < 2048, RC2/DES/3DES content. Never used
  // for anything we produce.
  bool allow_legacy = false;
  // Smallest RSA modulus accepted for signatures and encryption.
  int min_rsa_bits = 2048;
  // Cipher for recipients whose capabilities are unknown (RFC 8551 §2.7.1). AES-256-CBC
  // because Outlook, Thunderbird (NSS 3.87) and gpgsm 2.2 cannot open AuthEnvelopedData.
  std::string unknown_capabilities_cipher = "aes-256-cbc";
  // Largest number of nested cryptographic layers unwrapped (catalogue C10).
  int max_crypto_layers = 8;
  // Largest MIME nesting depth parsed (catalogue R3's 32: each level rescans its body, so
  // depth times message size is the worst-case work; docs/limits.md).
  int max_mime_depth = 32;
  // Decrypt an encrypted part that is not the message root (catalogue E1: default off).
  bool decrypt_non_root_parts = false;
};

// The default policy (a function, not a global, so nothing can mutate it).
AlgorithmPolicy DefaultAlgorithmPolicy();

}  // namespace sealpost::policy

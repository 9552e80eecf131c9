// SPDX-License-Identifier: Apache-2.0
// The default policy and its algorithm rules.
#include "policy/policy.h"

namespace sealpost::policy {

AlgorithmPolicy Policy::ToAlgorithmPolicy() const {
  AlgorithmPolicy rules = DefaultAlgorithmPolicy();
  rules.allow_legacy = allow_legacy_algorithms;
  // Legacy mail is mostly signed with 1024-bit RSA; the CLI's --allow-legacy does the same.
  if (allow_legacy_algorithms) rules.min_rsa_bits = 1024;
  rules.unknown_capabilities_cipher =
      unknown_capabilities_cipher == ContentCipher::kAes256Gcm ? "aes-256-gcm" : "aes-256-cbc";
  return rules;
}

Policy DefaultPolicy() { return Policy{}; }

}  // namespace sealpost::policy

// SPDX-License-Identifier: Apache-2.0
// Snapshot of the default policy: changing a value here must be a reviewed decision.
#include "policy/algorithm_policy.h"

#include <gtest/gtest.h>

namespace sealpost::policy {
namespace {

TEST(AlgorithmPolicyTest, DefaultsArePinned) {
  AlgorithmPolicy p = DefaultAlgorithmPolicy();
  EXPECT_FALSE(p.allow_legacy);
  EXPECT_EQ(p.min_rsa_bits, 2048);
  EXPECT_EQ(p.unknown_capabilities_cipher, "aes-256-cbc");
  EXPECT_EQ(p.max_crypto_layers, 8);
  EXPECT_EQ(p.max_mime_depth, 32);
  EXPECT_FALSE(p.decrypt_non_root_parts);
}

}  // namespace
}  // namespace sealpost::policy

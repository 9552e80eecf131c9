// SPDX-License-Identifier: Apache-2.0
// KdfParams: the pinned default, the floor, comparisons and the caps on hostile values.
#include "keys/kdf_params.h"

#include <gtest/gtest.h>

namespace sealpost::keys {
namespace {

// Pins the default (s2n's snapshot habit): weakening it must show up in review.
TEST(KdfParamsTest, DefaultIsScryptN65536R8P1) {
  EXPECT_EQ(DefaultKdfParams(), (KdfParams{65536, 8, 1}));
  EXPECT_EQ(ToString(DefaultKdfParams()), "scrypt N=65536 r=8 p=1");
}

TEST(KdfParamsTest, DefaultMeetsTheFloorAndTheFloorIsUsable) {
  EXPECT_FALSE(IsBelow(DefaultKdfParams(), MinimumKdfParams()));
  EXPECT_TRUE(ValidateKdfParams(MinimumKdfParams()).has_value());
  EXPECT_TRUE(ValidateKdfParams(DefaultKdfParams()).has_value());
  EXPECT_GE(MinimumKdfParams().r, 8u);
  EXPECT_GE(MinimumKdfParams().p, 1u);
}

TEST(KdfParamsTest, IsBelowChecksEveryComponent) {
  KdfParams floor{1024, 8, 1};
  EXPECT_FALSE(IsBelow({1024, 8, 1}, floor));
  EXPECT_FALSE(IsBelow({2048, 16, 2}, floor));
  EXPECT_TRUE(IsBelow({512, 8, 1}, floor));
  EXPECT_TRUE(IsBelow({1 << 20, 4, 1}, floor));
  EXPECT_TRUE(IsBelow({1024, 8, 0}, floor));
}

TEST(KdfParamsTest, StricterTakesTheMaximumOfEachComponent) {
  EXPECT_EQ(Stricter({1024, 16, 1}, {4096, 8, 2}), (KdfParams{4096, 16, 2}));
}

TEST(KdfParamsTest, ValidateRejectsUncomputableOrHugeParameters) {
  for (KdfParams bad : {KdfParams{0, 8, 1}, KdfParams{1, 8, 1}, KdfParams{1000, 8, 1}, KdfParams{1024, 0, 1},
                        KdfParams{1024, 8, 0}, KdfParams{1024, 33, 1}, KdfParams{1024, 8, 17},
                        KdfParams{std::uint64_t{1} << 21, 8, 1}, KdfParams{std::uint64_t{1} << 63, 8, 1}}) {
    auto st = ValidateKdfParams(bad);
    ASSERT_FALSE(st.has_value()) << ToString(bad);
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(ValidateKdfParams({std::uint64_t{1} << 20, 8, 1}).has_value());  // exactly 1 GiB
}

}  // namespace
}  // namespace sealpost::keys

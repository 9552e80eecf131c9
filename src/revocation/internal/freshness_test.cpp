// SPDX-License-Identifier: Apache-2.0
// thisUpdate/nextUpdate windows: skew, the default lifetime, and empty windows.
#include "revocation/internal/freshness.h"

#include <gtest/gtest.h>

namespace sealpost::revocation::internal {
namespace {

constexpr std::time_t kT = 1'800'000'000;
constexpr std::time_t kDay = 24 * 60 * 60;

TEST(FreshnessTest, CurrentInsideTheWindow) {
  EXPECT_EQ(CheckFreshness(kT, kT + kDay, kT), Freshness::kCurrent);
  EXPECT_EQ(CheckFreshness(kT, kT + kDay, kT + kDay), Freshness::kCurrent);
}

TEST(FreshnessTest, ToleratesClockSkewAtBothEnds) {
  EXPECT_EQ(CheckFreshness(kT + kClockSkewSeconds, kT + kDay, kT), Freshness::kCurrent);
  EXPECT_EQ(CheckFreshness(kT + kClockSkewSeconds + 1, kT + kDay, kT), Freshness::kNotYetValid);
  EXPECT_EQ(CheckFreshness(kT, kT + kDay, kT + kDay + kClockSkewSeconds), Freshness::kCurrent);
  EXPECT_EQ(CheckFreshness(kT, kT + kDay, kT + kDay + kClockSkewSeconds + 1), Freshness::kExpired);
}

TEST(FreshnessTest, WithoutNextUpdateAnAnswerLivesTheDefaultLifetime) {
  EXPECT_EQ(ExpiresAt(kT, 0), kT + kDefaultLifetimeSeconds);
  EXPECT_EQ(ExpiresAt(kT, kT + kDay), kT + kDay);
  EXPECT_EQ(CheckFreshness(kT, 0, kT + kDefaultLifetimeSeconds), Freshness::kCurrent);
  EXPECT_EQ(CheckFreshness(kT, 0, kT + kDefaultLifetimeSeconds + kClockSkewSeconds + 1), Freshness::kExpired);
}

TEST(FreshnessTest, NextUpdateBeforeThisUpdateIsNeverCurrent) {
  EXPECT_EQ(CheckFreshness(kT, kT - 1, kT), Freshness::kExpired);
}

TEST(FreshnessTest, NullOrGarbageAsn1TimeIsZero) { EXPECT_EQ(AsnTimeToTimeT(nullptr), 0); }

}  // namespace
}  // namespace sealpost::revocation::internal

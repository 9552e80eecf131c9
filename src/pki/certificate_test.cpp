// SPDX-License-Identifier: Apache-2.0
// Time parsing for --at, and certificate parsing failures.
#include "pki/certificate.h"

#include <gtest/gtest.h>

namespace sealpost::pki {
namespace {

TEST(Rfc3339Test, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("2020-01-01T00:00:00Z"), 1577836800);
  EXPECT_EQ(*ParseRfc3339("2020-01-01T01:00:00+01:00"), 1577836800);
  EXPECT_EQ(*ParseRfc3339("2019-12-31T23:00:00.250-01:00"), 1577836800);
  EXPECT_EQ(*ParseRfc3339("2020-01-01"), 1577836800);
}

TEST(Rfc3339Test, RejectsMissingZoneAndGarbage) {
  for (const char* bad : {"2020-01-01T00:00:00", "yesterday", "2020-13-01T00:00:00Z", "2020-01-01T00:00:00Zjunk"}) {
    auto r = ParseRfc3339(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(Rfc3339Test, FormatRoundTrips) { EXPECT_EQ(FormatRfc3339(1577836800), "2020-01-01T00:00:00Z"); }

TEST(CertificateTest, GarbageIsMalformed) {
  auto r = Certificate::Parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kMalformed);
  EXPECT_FALSE(Certificate::Parse("").has_value());
}

}  // namespace
}  // namespace sealpost::pki

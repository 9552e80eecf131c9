// SPDX-License-Identifier: Apache-2.0
// Base64 round trips (RFC 4648 §10 vectors) and strictness on garbage.
#include "mime/base64.h"

#include <gtest/gtest.h>

namespace sealpost::mime {
namespace {

TEST(Base64Test, Rfc4648VectorsRoundTrip) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""}, {"f", "Zg==\r\n"}, {"fo", "Zm8=\r\n"}, {"foo", "Zm9v\r\n"},
      {"foob", "Zm9vYg==\r\n"}, {"fooba", "Zm9vYmE=\r\n"}, {"foobar", "Zm9vYmFy\r\n"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, LinesAre76CharactersWithCrlf) {
  std::string data(200, '\x7f');
  std::string enc = Base64Encode(data);
  EXPECT_EQ(enc.find("\r\n"), 76u);
  auto dec = Base64Decode(enc);
  ASSERT_TRUE(dec.has_value());
  EXPECT_EQ(*dec, data);
}

TEST(Base64Test, GarbageIsMalformed) {
  auto r = Base64Decode("Zm9v!!!");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kMalformed);
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").has_value());  // data after padding
  EXPECT_FALSE(Base64Decode("Zm9vY").has_value());     // dangling character
}

// The decoder's four-at-a-time path and its one-character path must agree wherever groups
// are split by line breaks or spaces, at every length.
TEST(Base64Test, WhitespaceAnywhereAndEveryLengthRoundTrip) {
  for (size_t n = 0; n < 200; ++n) {
    std::string data(n, '\0');
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<char>((i * 167 + n) & 0xff);
    std::string enc = Base64Encode(data);
    std::string spaced;
    for (size_t i = 0; i < enc.size(); ++i) {
      spaced += enc[i];
      if (i % 7 == 3) spaced += (i % 2 ? " " : "\r\n");
    }
    for (const std::string& text : {enc, spaced}) {
      auto dec = Base64Decode(text);
      ASSERT_TRUE(dec.has_value()) << n;
      EXPECT_EQ(*dec, data) << n;
    }
  }
}

TEST(Base64Test, GarbageAfterWholeGroupsIsMalformed) {
  EXPECT_FALSE(Base64Decode("Zm9vYmFyZm9v\r\nZm9v-mFy").has_value());
  EXPECT_FALSE(Base64Decode("Zm9vYmE=Zm9v").has_value());
  EXPECT_FALSE(Base64Decode("Zm9vYmFyZ").has_value());
}

}  // namespace
}  // namespace sealpost::mime

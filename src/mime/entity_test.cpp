// SPDX-License-Identifier: Apache-2.0
// Byte-exact entity parsing and multipart splitting.
#include "mime/entity.h"
#include "mime/testing/all_strings.h"

#include <gtest/gtest.h>

#include <vector>

namespace sealpost::mime {
namespace {

TEST(EntityTest, SplitsHeadersAndBodyExactly) {
  std::string raw = "From: a@example.org\r\nSubject: hi\r\n  there\r\n\r\nbody\r\n";
  auto e = ParseEntity(raw);
  ASSERT_TRUE(e.has_value());
  ASSERT_EQ(e->headers.size(), 2u);
  EXPECT_EQ(e->headers[1].value, "hi there");
  EXPECT_EQ(e->headers[1].raw, "Subject: hi\r\n  there\r\n");
  EXPECT_EQ(e->body, "body\r\n");
  EXPECT_EQ(e->header_block.size() + e->body.size(), raw.size());
}

TEST(EntityTest, FindIsCaseInsensitiveAndCountsDuplicates) {
  auto e = ParseEntity("from: a@x.org\nFROM: b@x.org\n\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->Count("From"), 2);
  EXPECT_EQ(e->Find("From")->value, "a@x.org");
}

TEST(EntityTest, HeaderLineOverCapIsMalformed) {
  std::string raw = "Subject: " + std::string(kMaxHeaderLine + 1, 'a') + "\r\n\r\nbody";
  auto e = ParseEntity(raw);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code(), ErrorCode::kMalformed);
}

TEST(EntityTest, InputWithoutHeadersIsAllBody) {
  auto e = ParseEntity("just text\nmore\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->headers.empty());
  EXPECT_EQ(e->body, "just text\nmore\n");
}

// HasCanonicalLineEndings is exactly "canonicalising changes nothing": every string of up
// to six characters over CR, LF and a letter.
TEST(EntityTest, CanonicalLineEndingsMeansCanonicalizingChangesNothing) {
  for (const auto& s : testing::AllStrings("\r\na", 6)) {
    SCOPED_TRACE(::testing::PrintToString(s));
    EXPECT_EQ(HasCanonicalLineEndings(s), CanonicalizeLineEndings(s) == s);
  }
  EXPECT_EQ(testing::AllStrings("ab", 3).size(), 1u + 2u + 4u + 8u);
  EXPECT_TRUE(HasCanonicalLineEndings("a\r\nb\r\n"));
  EXPECT_FALSE(HasCanonicalLineEndings("a\r\nb\n"));
}

TEST(EntityTest, CanonicalizeAddsCrOnlyWhereMissing) {
  EXPECT_EQ(CanonicalizeLineEndings("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
  EXPECT_EQ(CanonicalizeLineEndings("no newline"), "no newline");
  EXPECT_EQ(CanonicalizeLineEndings("\n\n\r\n\r\r\nx\r"), "\r\n\r\n\r\n\r\r\nx\r");
  EXPECT_EQ(CanonicalizeLineEndings(""), "");
}

TEST(MultipartTest, PartsExcludeTheLineBreakBeforeDelimiters) {
  std::string body = "preamble\r\n--b\r\npart one\r\n--b\r\npart two\r\n--b--\r\nepilogue";
  auto parts = SplitMultipart(body, "b");
  ASSERT_TRUE(parts.has_value());
  EXPECT_TRUE(parts->closed);
  ASSERT_EQ(parts->parts.size(), 2u);
  EXPECT_EQ(parts->parts[0], "part one");
  EXPECT_EQ(parts->parts[1], "part two");
}

TEST(MultipartTest, BoundaryTextInsideALineIsNotADelimiter) {
  auto parts = SplitMultipart("--b\nx --b y\n--bextra\n--b--\n", "b");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->parts.size(), 1u);
  EXPECT_EQ(parts->parts[0], "x --b y\n--bextra");
}

TEST(MultipartTest, MissingCloseDelimiterIsReported) {
  auto parts = SplitMultipart("--b\none\n--b\ntwo\n", "b");
  ASSERT_TRUE(parts.has_value());
  EXPECT_FALSE(parts->closed);
  EXPECT_EQ(parts->parts.size(), 2u);
}

TEST(MultipartTest, NoDelimiterOrBadBoundaryIsMalformed) {
  EXPECT_FALSE(SplitMultipart("no parts here\n", "b").has_value());
  EXPECT_FALSE(SplitMultipart("--\n", "").has_value());
  EXPECT_FALSE(SplitMultipart("x", std::string(71, 'b')).has_value());
}

}  // namespace
}  // namespace sealpost::mime

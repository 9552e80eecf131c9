// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/entity_start.h"

#include <gtest/gtest.h>

#include <random>

namespace sealpost::cms::internal {
namespace {

using enum EntityStart;

TEST(ClassifyEntityStartTest, MimeEntitiesArePlausible) {
  EXPECT_EQ(ClassifyEntityStart("Content-Type: text/plain\r\n\r\nhello", true), kPlausible);
  // After the header block the body may be anything.
  EXPECT_EQ(ClassifyEntityStart(std::string("Content-Type: image/png\r\n\r\n\x89PNG\0\0", 33), true), kPlausible);
  EXPECT_EQ(ClassifyEntityStart(std::string("X:\n\n\xff\0", 6), true), kPlausible);
  // Headerless text, also UTF-8, and an empty header block followed by text.
  EXPECT_EQ(ClassifyEntityStart("just a line of text\n", true), kPlausible);
  EXPECT_EQ(ClassifyEntityStart("Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x93\xa7\r\n", true), kPlausible);
  EXPECT_EQ(ClassifyEntityStart("\r\nbody", true), kPlausible);
  EXPECT_EQ(ClassifyEntityStart("", true), kPlausible);
  // Only the window counts.
  EXPECT_EQ(ClassifyEntityStart(std::string(kEntityStartWindow, 'a') + '\0', false), kPlausible);
}

TEST(ClassifyEntityStartTest, NonTextBeforeTheBodyIsImplausible) {
  EXPECT_EQ(ClassifyEntityStart(std::string("Subject: a\0b\r\n\r\n", 16), true), kImplausible);
  EXPECT_EQ(ClassifyEntityStart("text then \x01", true), kImplausible);
  EXPECT_EQ(ClassifyEntityStart("\x7f", true), kImplausible);
  // No header field before the blank line: the body that follows must be text too.
  EXPECT_EQ(ClassifyEntityStart(std::string("\r\n\x89PNG", 6), true), kImplausible);
  EXPECT_EQ(ClassifyEntityStart(std::string(":\n\n\x89", 4), true), kImplausible);
  // Malformed UTF-8 (RFC 3629 §3, §4): a lone continuation byte, an overlong form, a
  // surrogate, a code point above U+10FFFF, and a sequence cut off at the end.
  for (const char* bad : {"a\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok \xe2\x82"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ClassifyEntityStart(bad, true), kImplausible);
  }
}

TEST(ClassifyEntityStartTest, WaitsForEnoughBytes) {
  EXPECT_EQ(ClassifyEntityStart("Content-Ty", false), kNeedMore);
  EXPECT_EQ(ClassifyEntityStart("ok \xe2\x82", false), kNeedMore);
  EXPECT_EQ(ClassifyEntityStart("bad\x01", false), kImplausible);  // decided as soon as it is seen
}

// The point of the check: noise from a wrong key almost never passes. 64 random bytes would
// need to be all text; measured here over a fixed-seed sample.
TEST(ClassifyEntityStartTest, RandomBytesAreImplausible) {
  std::mt19937_64 random(20261129);
  int plausible = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string noise(16 + i % 49, '\0');
    for (char& c : noise) c = static_cast<char>(random());
    if (ClassifyEntityStart(noise, true) == kPlausible) ++plausible;
  }
  EXPECT_EQ(plausible, 0);
}

class CollectingSink final : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    received.append(bytes);
    ++writes;
    return Ok();
  }
  Status Finish() override {
    finished = true;
    return Ok();
  }
  std::string received;
  int writes = 0;
  bool finished = false;
};

TEST(EntityStartGuardTest, PassesAnEntityThroughByteByByte) {
  const std::string entity = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + std::string(500, 'x');
  CollectingSink next;
  EntityStartGuard guard(next);
  for (char c : entity) ASSERT_TRUE(guard.Write(std::string_view(&c, 1)).has_value());
  ASSERT_TRUE(guard.Finish().has_value());
  EXPECT_EQ(next.received, entity);
  EXPECT_TRUE(next.finished);
}

TEST(EntityStartGuardTest, ShortEntityIsReleasedAtFinish) {
  CollectingSink next;
  EntityStartGuard guard(next);
  ASSERT_TRUE(guard.Write("hi\r\n").has_value());
  EXPECT_EQ(next.writes, 0);
  ASSERT_TRUE(guard.Finish().has_value());
  EXPECT_EQ(next.received, "hi\r\n");
}

TEST(EntityStartGuardTest, NoiseNeverReachesTheNextSink) {
  CollectingSink next;
  EntityStartGuard guard(next);
  ASSERT_TRUE(guard.Write("Subject: fine so far ").has_value());
  auto st = guard.Write(std::string("\x01\x02 noise", 8));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.error().message(), "decryption failed: the message was altered or the key does not fit");
  EXPECT_TRUE(next.received.empty());
  // Short noise is caught at Finish, and Finish does not reach the next sink.
  CollectingSink other;
  EntityStartGuard short_guard(other);
  ASSERT_TRUE(short_guard.Write("ok \xe2").has_value());
  EXPECT_FALSE(short_guard.Finish().has_value());
  EXPECT_TRUE(other.received.empty());
  EXPECT_FALSE(other.finished);
}

}  // namespace
}  // namespace sealpost::cms::internal

// SPDX-License-Identifier: Apache-2.0
#include "core/threaded_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>

namespace sealpost {
namespace {

// Records what it is given; can be told to fail at a byte count.
class RecordingSink final : public ByteSink {
 public:
  explicit RecordingSink(size_t fail_after = SIZE_MAX) : fail_after_(fail_after) {}
  Status Write(std::string_view bytes) override {
    if (received.size() + bytes.size() > fail_after_) return Error(ErrorCode::kIo, "disk full");
    received.append(bytes);
    return Ok();
  }
  Status Finish() override {
    ++finishes;
    return Ok();
  }
  std::string received;
  std::atomic<int> finishes{0};

 private:
  size_t fail_after_;
};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

TEST(ThreadedSinkTest, DeliversEveryByteInOrder) {
  const std::string data = Pattern(3 * 1000 * 1000 + 17);
  std::mt19937 random(5);
  RecordingSink next;
  {
    ThreadedSink sink(next, 4096, 3);  // small chunks: many hand-overs
    size_t pos = 0;
    while (pos < data.size()) {
      const size_t n = std::min<size_t>(data.size() - pos, random() % 20000);
      ASSERT_TRUE(sink.Write(std::string_view(data).substr(pos, n)).has_value());
      pos += n;
    }
    ASSERT_TRUE(sink.Finish().has_value());
    EXPECT_EQ(next.finishes, 1);
    // The sink can be written again after Finish, like any other.
    ASSERT_TRUE(sink.Write("tail").has_value());
    ASSERT_TRUE(sink.Finish().has_value());
  }
  EXPECT_EQ(next.received, data + "tail");
}

TEST(ThreadedSinkTest, AFailureReachesTheCallerAndNothingFollowsIt) {
  RecordingSink next(/*fail_after=*/10000);
  ThreadedSink sink(next, 4096, 4);
  Status status = Ok();
  for (int i = 0; i < 1000 && status; ++i) status = sink.Write(Pattern(1000));
  if (status) status = sink.Finish();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code(), ErrorCode::kIo);
  EXPECT_EQ(status.error().message(), "disk full");
  EXPECT_LE(next.received.size(), 10000u);
  EXPECT_EQ(next.received.size() % 4096, 0u);  // whole chunks only, up to the failed one
  EXPECT_EQ(next.finishes, 0);
  // Sticky: later calls report it too.
  EXPECT_FALSE(sink.Write("x").has_value());
  EXPECT_FALSE(sink.Finish().has_value());
}

TEST(ThreadedSinkTest, AbandonedWithoutFinishStopsCleanly) {
  RecordingSink next;
  std::string written;
  {
    ThreadedSink sink(next, 4096, 4);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(sink.Write(Pattern(1000)).has_value());
      written += Pattern(1000);
    }
  }  // an operation that failed elsewhere: the destructor joins, nothing is finished
  EXPECT_EQ(next.finishes, 0);
  EXPECT_LT(next.received.size(), written.size());  // the chunk being filled never went out
  EXPECT_EQ(written.compare(0, next.received.size(), next.received), 0) << "not a prefix of what was written";
}

}  // namespace
}  // namespace sealpost

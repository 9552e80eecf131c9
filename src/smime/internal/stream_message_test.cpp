// SPDX-License-Identifier: Apache-2.0
// The boundary scan over a file must find exactly the parts mime::SplitMultipart finds in
// memory (the verdicts of the two paths depend on it), including the edge cases.
#include "smime/internal/stream_message.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/byte_stream.h"
#include "mime/entity.h"

namespace sealpost::smime::internal {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& data) {
    path_ = ::testing::TempDir() + "/stream_message_test_XXXXXX";
    int fd = ::mkstemp(path_.data());
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  Blob blob(uint64_t size) const { return Blob{path_, 0, size}; }

 private:
  std::string path_;
};

void ExpectSameParts(const std::string& body, const std::string& boundary) {
  TempFile file(body);
  auto streamed = ScanMultipart(file.blob(body.size()), boundary, 100);
  auto in_memory = mime::SplitMultipart(body, boundary, 100);
  ASSERT_EQ(static_cast<bool>(streamed), static_cast<bool>(in_memory)) << body;
  if (!streamed) return;
  EXPECT_EQ(streamed->closed, in_memory->closed) << body;
  ASSERT_EQ(streamed->parts.size(), in_memory->parts.size()) << body;
  for (size_t i = 0; i < streamed->parts.size(); ++i) {
    EXPECT_EQ(body.substr(streamed->parts[i].offset, streamed->parts[i].length), std::string(in_memory->parts[i]))
        << "part " << i << " of " << body;
  }
}

TEST(ScanMultipartTest, FindsTheSamePartsAsSplitMultipart) {
  ExpectSameParts("preamble\r\n--b\r\nA\r\n--b\r\nB\r\n--b--\r\nepilogue", "b");
  ExpectSameParts("--b\nA\n--b\nB\n--b--\n", "b");
  ExpectSameParts("--b\r\n\r\n--b\r\n--b--", "b");                    // empty parts
  ExpectSameParts("--b\r\nA\r\n--bb\r\n--b \t\r\nB\r\n--b--", "b");  // look-alike lines
  ExpectSameParts("--b\r\nA\r\n--b\r\nunclosed\r\n", "b");
  ExpectSameParts("no boundary at all\r\n", "b");
  ExpectSameParts(std::string("--b\r\n") + std::string(300000, 'x') + "\r\n--b--\r\n", "b");  // long line
}

TEST(ScanMultipartTest, StopsAtThePartCap) {
  std::string body = "--b\r\n1\r\n--b\r\n2\r\n--b\r\n3\r\n--b\r\n4\r\n--b--\r\n";
  TempFile file(body);
  auto parts = ScanMultipart(file.blob(body.size()), "b", 3);
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code(), ErrorCode::kLimit);
}

TEST(ReadHeaderBlockTest, EndsAtTheFirstBlankLine) {
  std::string msg = "From: a@b\r\nSubject: x\r\n\r\nbody\r\n\r\nmore";
  TempFile file(msg);
  auto head = ReadHeaderBlock(file.blob(msg.size()));
  ASSERT_TRUE(head);
  EXPECT_EQ(head->bytes, "From: a@b\r\nSubject: x\r\n\r\n");
  EXPECT_EQ(head->body_offset, head->bytes.size());
}

// Every position of a 40-byte text (so the 8-byte steps and the tail both see it): a NUL
// or a byte >= 0x80 is refused, and the bytes on either side of the range pass.
TEST(SevenBitSourceTest, RefusesANulOrAn8BitByteWherever) {
  const std::string clean(40, 'a');
  for (unsigned char bad : {0x00, 0x80, 0xff, 0xc3}) {
    for (size_t at = 0; at < clean.size(); ++at) {
      std::string text = clean;
      text[at] = static_cast<char>(bad);
      MemorySource memory(text);
      SevenBitSource seven_bit(memory);
      char buffer[64];
      auto got = seven_bit.Read(buffer, sizeof buffer);
      ASSERT_FALSE(got.has_value()) << "byte " << int(bad) << " at " << at;
      EXPECT_EQ(got.error().code(), ErrorCode::kUnsupported);
    }
  }
  const std::string edges = std::string(20, '\x01') + std::string(20, '\x7f');
  MemorySource memory(edges);
  SevenBitSource seven_bit(memory);
  char buffer[64];
  auto got = seven_bit.Read(buffer, sizeof buffer);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(std::string(buffer, *got), edges);
}

}  // namespace
}  // namespace sealpost::smime::internal

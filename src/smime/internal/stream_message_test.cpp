// SPDX-License-Identifier: Apache-2.0
// The boundary scan over a file must find exactly the parts mime::SplitMultipart finds in
// memory (the verdicts of the two paths depend on it), including the edge cases.
#include "smime/internal/stream_message.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <vector>

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
  ExpectSameParts("--b\r\nA\r\n--b\r\r\nB\r\n--b--\r\r\n", "b");        // a CR too many is no delimiter
  ExpectSameParts("--b\r\nA\r\n--b\r\nunclosed\r\n", "b");
  ExpectSameParts("no boundary at all\r\n", "b");
  ExpectSameParts(std::string("--b\r\n") + std::string(300000, 'x') + "\r\n--b--\r\n", "b");  // long line
}

// Collects what the scan hands a tap, canonicalising where the scan says it must.
class RecordingTap final : public PartTap {
 public:
  char* NextChunk(size_t size) override {
    // Scribble over the last chunk first: bytes handed over must not be read after this.
    std::fill(chunk_.begin(), chunk_.end(), '#');
    chunk_.resize(size);
    return chunk_.data();
  }
  void FirstPartBytes(const char* data, size_t n, bool crlf_only) override {
    EXPECT_FALSE(ended);
    raw.append(data, n);
    for (size_t i = 0; i < n; ++i) {
      const bool after_cr = i > 0 ? data[i - 1] == '\r' : previous_cr_;
      if (data[i] == '\n' && !after_cr) {
        EXPECT_FALSE(crlf_only) << "a bare LF was handed over as canonical at byte " << raw.size() - n + i;
        canonical += '\r';
      }
      canonical += data[i];
    }
    if (n > 0) previous_cr_ = data[n - 1] == '\r';
  }
  void FirstPartEnd() override {
    EXPECT_FALSE(ended);
    ended = true;
  }
  std::string raw, canonical;
  bool ended = false;

 private:
  std::vector<char> chunk_;
  bool previous_cr_ = false;
};

// Returns whether the first part was complete (a delimiter followed it) and so checked.
bool ExpectTapGetsTheFirstPart(const std::string& body, const std::string& boundary) {
  TempFile file(body);
  RecordingTap tap;
  auto streamed = ScanMultipart(file.blob(body.size()), boundary, 3, &tap);
  auto in_memory = mime::SplitMultipart(body, boundary, 100);
  EXPECT_TRUE(streamed.has_value()) << streamed.error().message();
  if (!streamed || streamed->parts.empty()) return false;
  const bool complete = streamed->parts.size() >= 2 || streamed->closed;
  if (complete) {
    EXPECT_TRUE(tap.ended);
    const std::string part(in_memory->parts[0]);
    EXPECT_EQ(streamed->parts[0].length, part.size()) << "the scanner and SplitMultipart disagree";
    EXPECT_EQ(tap.raw.size(), part.size());
    EXPECT_TRUE(tap.raw == part) << "the tapped bytes differ from the first part";
    EXPECT_TRUE(tap.canonical == mime::CanonicalizeLineEndings(part));
  } else {
    EXPECT_FALSE(tap.ended);
  }
  return complete;
}

TEST(ScanMultipartTapTest, HandsOverExactlyTheFirstPart) {
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("preamble\r\n--b\r\nA\r\n--b\r\nB\r\n--b--\r\nepilogue", "b"));
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("--b\nA\n--b\nB\n--b--\n", "b"));
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("--b\r\n\r\n--b\r\n--b--", "b"));                    // empty first part
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("--b\r\nA\r\n--bb\r\n--b \t\r\nB\r\n--b--", "b"));  // look-alikes
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("--b\r\nA\r\n--b\r\nunclosed\r\n", "b"));
  EXPECT_FALSE(ExpectTapGetsTheFirstPart("--b\r\nA\r\nunclosed first part\r\n", "b"));
  EXPECT_TRUE(ExpectTapGetsTheFirstPart("--b\r\nmixed\nendings\r\n\n\r\r\n--b--\r\n", "b"));
}

TEST(ScanMultipartTapTest, HandsOverExactlyTheFirstPartAcrossReadChunks) {
  // Random bodies of a few read chunks (256 KiB), with short and long lines, CRLF and bare
  // LF endings, lines starting with '-' and delimiter look-alikes, so that every kind of
  // line, a lone CR and a delimiter land on a chunk edge somewhere.
  std::mt19937 random(20261129);
  // Never a bare "--b" line: that would be a real delimiter (and end the first part early).
  const std::vector<std::string> starts = {"", "-", "--", "--b-", "--bx", "--b--x", "x", "--b \tx"};
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE(round);
    std::string body = "--b\r\n";
    const size_t target = 200000 + random() % 400000;
    while (body.size() < target) {
      std::string line = starts[random() % starts.size()];
      const size_t length = random() % 8 == 0 ? random() % 1000 : random() % 120;
      for (size_t i = 0; i < length; ++i) line += static_cast<char>('a' + random() % 26);
      if (random() % 16 == 0) line += '\r';  // a CR inside the line
      body += line + (random() % 3 == 0 ? "\n" : "\r\n");
    }
    body += random() % 2 ? "--b\r\nsecond\r\n--b--\r\n" : "--b--\n";
    EXPECT_TRUE(ExpectTapGetsTheFirstPart(body, "b"));
  }
}

TEST(ScanMultipartTapTest, HandsOverExactlyTheFirstPartWhenALineBreakSpansAReadChunk) {
  // The scan reads 256 KiB at a time (kScanChunk): put the CR, the LF or the start of the
  // delimiter line just before, on and after that edge, after a plain line and after a
  // short line starting with '-' (which could have been a delimiter until its end).
  constexpr size_t kChunk = 1 << 18;
  for (const std::string last_line_start : {"x", "-"}) {
    for (size_t cr_at = kChunk - 4; cr_at <= kChunk + 3; ++cr_at) {
      SCOPED_TRACE(last_line_start + " CR at " + std::to_string(cr_at));
      std::string body = "--b\r\n";
      while (body.size() + 100 < cr_at - 40) body += std::string(98, 'y') + "\r\n";
      body += last_line_start;
      body += std::string(cr_at - body.size(), 'z');
      body += "\r\n--b\r\nsecond\r\n--b--\r\n";
      ASSERT_EQ(body[cr_at], '\r');
      EXPECT_TRUE(ExpectTapGetsTheFirstPart(body, "b"));
    }
  }
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

// A line that is neither a field nor a continuation ends the block early, as in
// mime::ParseEntity: the in-memory path splits there, so the streamed path must too.
TEST(ReadHeaderBlockTest, EndsWhereParseEntityEndsIt) {
  for (const std::string& msg : {
           std::string("From: a@b\r\nnot a field\r\nSubject: x\r\n\r\nbody\r\n"),
           std::string("From: a@b\nContent-Type: multipart/mixed; boundary=b\nxyz\n--b\nA: 1\n\npart\n--b--\n"),
           std::string("not a field\r\nFrom: a@b\r\n\r\nbody"),
           std::string("From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\n\nbody\n"),
           std::string("From: a@b\r\n Subject-like continuation\r\n\r\nbody"),
       }) {
    SCOPED_TRACE(msg);
    TempFile file(msg);
    auto head = ReadHeaderBlock(file.blob(msg.size()));
    ASSERT_TRUE(head);
    auto entity = mime::ParseEntity(msg);
    ASSERT_TRUE(entity);
    EXPECT_EQ(head->bytes, entity->header_block);
    EXPECT_EQ(head->body_offset, entity->header_block.size());
  }
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

// Reads all of `text` through a SevenBitSource `chunk` bytes at a time.
Status ReadAllSevenBit(const std::string& text, size_t chunk) {
  MemorySource memory(text);
  SevenBitSource seven_bit(memory);
  std::string buffer(chunk, '\0');
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, seven_bit.Read(buffer.data(), buffer.size()));
    if (n == 0) return Ok();
  }
}

// RFC 5322 §2.1.1: 998 octets a line, CRLF not counted. Longer lines would be broken by a
// relay and the signature with them; streamed signing cannot re-encode, so it refuses. Read
// whole and in chunks that split lines anywhere.
TEST(SevenBitSourceTest, RefusesALineLongerThan998Octets) {
  const std::string fits = std::string(998, 'a') + "\r\n";
  const std::string too_long = std::string(999, 'a') + "\r\n";
  for (size_t chunk : {size_t{7}, size_t{64}, size_t{1000}, size_t{1 << 16}}) {
    SCOPED_TRACE(chunk);
    EXPECT_TRUE(ReadAllSevenBit(fits + fits + "short\r\n" + fits, chunk).has_value());
    EXPECT_TRUE(ReadAllSevenBit(std::string(998, 'b'), chunk).has_value());  // a last line without CRLF
    for (const std::string& text : {too_long, fits + too_long + fits, fits + std::string(999, 'c')}) {
      auto st = ReadAllSevenBit(text, chunk);
      ASSERT_FALSE(st.has_value());
      EXPECT_EQ(st.error().code(), ErrorCode::kUnsupported);
      EXPECT_NE(st.error().message().find("998"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sealpost::smime::internal

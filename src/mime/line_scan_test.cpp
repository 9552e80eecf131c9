// SPDX-License-Identifier: Apache-2.0
#include "mime/line_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mime/entity.h"
#include "mime/internal/base64_decode_avx2.h"

namespace sealpost::mime {
namespace {

// Text of CR, LF and letters in the proportions that make every case common: CRLF, bare LF,
// bare CR, CRLF split across the 32-byte blocks, long and short lines.
std::string RandomText(std::mt19937& random, size_t n) {
  static constexpr char kPick[] = "aaaaaa\r\n\n";
  std::string s(n, 'a');
  for (char& c : s) c = kPick[random() % (sizeof kPick - 1)];
  return s;
}

TEST(FindBareLfTest, Cases) {
  EXPECT_EQ(FindBareLf("", 0, false), 0u);
  EXPECT_EQ(FindBareLf("\n", 1, false), 0u);
  EXPECT_EQ(FindBareLf("\n", 1, true), 1u) << "a CRLF split between blocks is not bare";
  EXPECT_EQ(FindBareLf("a\r\nb\r\n", 6, false), 6u);
  EXPECT_EQ(FindBareLf("a\r\nb\n", 5, false), 4u);
  EXPECT_EQ(FindBareLf("a\r\r\n\r", 5, false), 5u);
  EXPECT_EQ(FindBareLf("\r\n\n", 3, false), 2u);
  // The same around the 32-byte steps of the AVX2 form.
  for (size_t at : {30u, 31u, 32u, 33u, 63u, 64u, 65u}) {
    std::string s(100, 'x');
    s[at] = '\n';
    EXPECT_EQ(FindBareLf(s.data(), s.size(), false), at) << at;
    s[at - 1] = '\r';
    EXPECT_EQ(FindBareLf(s.data(), s.size(), false), s.size()) << at;
  }
}

TEST(FindBareLfTest, AgreesWithThePortableFormOnRandomText) {
  // Without AVX2 the dispatcher runs the portable form, and comparing it with itself would
  // prove nothing; the cases above still run on such a CPU.
  if (!internal::HaveAvx2()) GTEST_SKIP() << "this CPU has no AVX2: only the portable form runs";
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    const std::string s = RandomText(random, random() % 300);
    const size_t from = s.empty() ? 0 : random() % (s.size() + 1);
    const bool cr_before = random() % 2;
    ASSERT_EQ(FindBareLf(s.data() + from, s.size() - from, cr_before),
              FindBareLfPortable(s.data() + from, s.size() - from, cr_before))
        << "round " << round;
  }
}

TEST(CopyWithCrlfTest, AddsACrBeforeEveryBareLfOnly) {
  const std::string in = "a\nb\r\nc\r\r\n\n\nend\n\r";
  std::string out(2 * in.size(), '\0');
  out.resize(CopyWithCrlf(in.data(), in.size(), false, out.data()));
  EXPECT_EQ(out, "a\r\nb\r\nc\r\r\n\r\n\r\nend\r\n\r");
  out.assign(4, '\0');
  out.resize(CopyWithCrlf("\nx", 2, true, out.data()));
  EXPECT_EQ(out, "\nx") << "the CR came at the end of the block before";
}

TEST(CopyWithCrlfTest, AgreesWithThePortableFormAndTheWholeBufferCanonicaliser) {
  std::mt19937 random(13);
  for (int round = 0; round < 20000; ++round) {
    const std::string s = RandomText(random, random() % 300);
    const bool cr_before = random() % 2;
    std::string fast(2 * s.size(), '\0'), portable(2 * s.size(), '\0');
    fast.resize(CopyWithCrlf(s.data(), s.size(), cr_before, fast.data()));
    portable.resize(CopyWithCrlfPortable(s.data(), s.size(), cr_before, portable.data()));
    ASSERT_EQ(fast, portable) << "round " << round;
    if (!cr_before) {
      ASSERT_EQ(fast, CanonicalizeLineEndings(s)) << "round " << round;
    }
  }
}

TEST(FindOverlongLineTest, Cases) {
  size_t open = 0;
  EXPECT_EQ(FindOverlongLine("abc\r\nabcd\r\n", 11, open, 5), 11u);
  EXPECT_EQ(open, 0u);
  open = 0;
  EXPECT_EQ(FindOverlongLine("abc\r\nabcde\r\n", 12, open, 5), 11u) << "6 octets with the CR";
  open = 3;
  EXPECT_EQ(FindOverlongLine("ab\r\n", 4, open, 5), 3u) << "the line began in the block before";
  open = 3;
  EXPECT_EQ(FindOverlongLine("a\r\nxyz", 6, open, 5), 6u);
  EXPECT_EQ(open, 3u) << "the line left open";
  // A line longer than the limit with no LF yet: reported through `open`, not the offset.
  open = 0;
  const std::string no_lf(100, 'q');
  EXPECT_EQ(FindOverlongLine(no_lf.data(), no_lf.size(), open, 50), no_lf.size());
  EXPECT_EQ(open, 100u);
}

TEST(FindOverlongLineTest, AgreesWithThePortableFormOnRandomText) {
  // As for FindBareLf: without AVX2 only the portable form exists to run.
  if (!internal::HaveAvx2()) GTEST_SKIP() << "this CPU has no AVX2: only the portable form runs";
  std::mt19937 random(11);
  for (int round = 0; round < 20000; ++round) {
    // Lines of random length around a small limit, so both outcomes are frequent.
    std::string s;
    const size_t lines = random() % 12;
    for (size_t i = 0; i < lines; ++i) s += std::string(random() % 60, 'a') + (random() % 3 ? "\r\n" : "\n");
    s += std::string(random() % 60, 'b');
    const size_t max_line = 20 + random() % 30;
    size_t open_fast = random() % 40;
    size_t open_portable = open_fast;
    const size_t fast = FindOverlongLine(s.data(), s.size(), open_fast, max_line);
    const size_t portable = FindOverlongLinePortable(s.data(), s.size(), open_portable, max_line);
    ASSERT_EQ(fast, portable) << "round " << round;
    if (fast == s.size()) {
      ASSERT_EQ(open_fast, open_portable) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace sealpost::mime

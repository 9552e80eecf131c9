// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/base64_lines.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "mime/internal/base64_decode_avx2.h"

namespace sealpost::mime::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The two characters for every 12-bit value: a 3-byte group is two lookups instead of four
// (8 KiB, stays in L1 while a line is encoded).
constexpr std::array<std::array<char, 2>, 4096> MakePairs() {
  std::array<std::array<char, 2>, 4096> pairs{};
  for (std::size_t v = 0; v < pairs.size(); ++v) pairs[v] = {kAlphabet[v >> 6], kAlphabet[v & 63]};
  return pairs;
}
constexpr auto kPairs = MakePairs();

// 0..63 for the alphabet, 64 for everything else.
constexpr std::array<std::uint8_t, 256> MakeValues() {
  std::array<std::uint8_t, 256> values{};
  for (auto& v : values) v = 64;
  for (int i = 0; i < 64; ++i) values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  return values;
}
constexpr auto kValues = MakeValues();

inline void EncodeGroup(const unsigned char* in, char* out) {
  const std::uint32_t v = static_cast<std::uint32_t>(in[0]) << 16 | static_cast<std::uint32_t>(in[1]) << 8 | in[2];
  std::memcpy(out, kPairs[v >> 12].data(), 2);
  std::memcpy(out + 2, kPairs[v & 0xfff].data(), 2);
}

}  // namespace

void EncodeBase64Lines(const unsigned char* in, std::size_t lines, char* out) {
  for (std::size_t l = 0; l < lines; ++l) {
    for (std::size_t g = 0; g < kBase64LineBytes; g += 3, in += 3, out += 4) EncodeGroup(in, out);
    *out++ = '\r';
    *out++ = '\n';
  }
}

std::size_t EncodeBase64Tail(const unsigned char* in, std::size_t n, char* out) {
  char* start = out;
  for (; n >= 3; n -= 3, in += 3, out += 4) EncodeGroup(in, out);
  if (n > 0) {
    const unsigned char last[3] = {in[0], n == 2 ? in[1] : static_cast<unsigned char>(0), 0};
    EncodeGroup(last, out);
    out[3] = '=';
    if (n == 1) out[2] = '=';
    out += 4;
  }
  *out++ = '\r';
  *out++ = '\n';
  return static_cast<std::size_t>(out - start);
}

void DecodeBase64Groups(const unsigned char*& in, const unsigned char* end, char*& out) {
  const bool avx2 = HaveAvx2();
  const unsigned char* p = in;
  char* o = out;
  for (;;) {
    if (avx2) DecodeBase64BlocksAvx2(p, end, o);  // the long runs; the rest of a line below
    while (end - p >= 4) {
      const std::uint32_t a = kValues[p[0]], b = kValues[p[1]], c = kValues[p[2]], d = kValues[p[3]];
      if ((a | b | c | d) >= 64) break;
      const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
      o[0] = static_cast<char>(v >> 16);
      o[1] = static_cast<char>((v >> 8) & 0xff);
      o[2] = static_cast<char>(v & 0xff);
      o += 3;
      p += 4;
    }
    // A line break between whole groups is skipped here rather than by the caller's careful
    // path, one character at a time (that was most of the cost per 76-character line).
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
      p += 2;
    } else if (end - p >= 1 && p[0] == '\n') {
      p += 1;
    } else {
      break;
    }
  }
  in = p;
  out = o;
}

}  // namespace sealpost::mime::internal

// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/base64_lines.h"

#include <array>
#include <cstdint>
#include <cstring>

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

}  // namespace sealpost::mime::internal

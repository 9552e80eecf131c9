// SPDX-License-Identifier: Apache-2.0
// Table-driven base64; strict on garbage so a damaged message is reported, not guessed at.
#include "mime/base64.h"

#include "mime/internal/base64_lines.h"

#include <array>
#include <cstdint>

namespace sealpost::mime {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = MakeDecodeTable();

}  // namespace

std::string Base64Encode(std::string_view data) {
  using internal::kBase64LineBytes;
  using internal::kBase64LineChars;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t lines = data.size() / kBase64LineBytes;
  const size_t rest = data.size() % kBase64LineBytes;
  std::string out(lines * kBase64LineChars + (rest ? kBase64LineChars : 0), '\0');
  internal::EncodeBase64Lines(p, lines, out.data());
  if (rest) {
    const size_t tail = internal::EncodeBase64Tail(p + lines * kBase64LineBytes, rest, out.data() + lines * kBase64LineChars);
    out.resize(lines * kBase64LineChars + tail);
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  // Written through a pointer into a buffer sized for the worst case, and four characters
  // at a time while whole groups come in a row (the common case: 76-character lines);
  // everything else goes through the strict one-character path below.
  std::string out(text.size() / 4 * 3 + 3, '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  uint32_t acc = 0;
  int bits = 0;
  int quantum = 0;  // characters in the current 4-character group
  int padding = 0;
  while (p < end) {
    if (quantum == 0 && padding == 0) {
      internal::DecodeBase64Groups(p, end, o);
      if (p == end) break;
    }
    unsigned char ch = *p++;
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
    if (ch == '=') {
      ++padding;
      ++quantum;
      if (quantum == 4) quantum = 0;
      continue;
    }
    int8_t v = kDecode[ch];
    if (v < 0) return Error(ErrorCode::kMalformed, "the base64 body contains a character outside the alphabet");
    if (padding) return Error(ErrorCode::kMalformed, "the base64 body has data after its padding");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    quantum = (quantum + 1) % 4;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (quantum == 1) return Error(ErrorCode::kMalformed, "the base64 body is truncated");
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

}  // namespace sealpost::mime

// SPDX-License-Identifier: Apache-2.0
// Writing DER tag-length-value elements (definite lengths), for the envelope stream code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sealpost::cms::internal {

// DER length octets for `n` (X.690 §8.1.3: short form below 128, else the long form).
inline std::string EncodeLength(std::size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (std::size_t v = n; v > 0; v >>= 8) bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

// One element: `tag`, the DER length of `contents`, and `contents`.
inline std::string Wrap(unsigned char tag, std::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  out += EncodeLength(contents.size());
  out += contents;
  return out;
}

}  // namespace sealpost::cms::internal

// SPDX-License-Identifier: Apache-2.0
// ASCII case folding for protocol tokens (algorithm names, addresses, MIME types).
#pragma once

#include <string>
#include <string_view>

namespace sealpost {

// Lower-cases ASCII letters only; other bytes (UTF-8 included) pass through unchanged.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace sealpost

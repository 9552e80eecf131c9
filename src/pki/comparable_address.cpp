// SPDX-License-Identifier: Apache-2.0
// Address normalisation for matching: libidn2 for the domain, ASCII case fold for the rest.
#include "pki/comparable_address.h"

#include <idn2.h>

#include <memory>

#include "core/ascii.h"

namespace sealpost::pki {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // bounds of the first continuation byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
    }
    i += extra + 1;
  }
  return true;
}

bool HasALabel(std::string_view lower_domain) {
  for (size_t start = 0; start <= lower_domain.size();) {
    size_t dot = lower_domain.find('.', start);
    if (dot == std::string_view::npos) dot = lower_domain.size();
    if (lower_domain.substr(start, dot - start).starts_with("xn--")) return true;
    start = dot + 1;
  }
  return false;
}

std::optional<std::string> ComparableDomain(std::string_view domain) {
  std::string lower = AsciiLower(domain);
  if (IsAscii(lower) && !HasALabel(lower)) return lower;
  if (!IsUtf8(lower)) return std::nullopt;
  // UTS #46 mapping (case fold, width, NFC) then IDNA2008 validity; A-labels in the input are
  // decoded and checked too, so an "xn--" label that is not valid punycode fails here.
  char* out = nullptr;
  int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(lower.c_str()), reinterpret_cast<uint8_t**>(&out),
                          IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
  if (rc != IDN2_OK || !out || *out == '\0') return std::nullopt;
  return AsciiLower(out);
}

}  // namespace

std::optional<std::string> ComparableAddress(std::string_view address) {
  // A quoted local part may hold '@'; the domain never does, so the last '@' splits them.
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return std::nullopt;
  // A NUL would cut the domain short inside libidn2's C-string interface.
  if (address.find('\0') != std::string_view::npos) return std::nullopt;
  std::string_view local = address.substr(0, at);
  if (!IsUtf8(local)) return std::nullopt;
  auto domain = ComparableDomain(address.substr(at + 1));
  if (!domain) return std::nullopt;
  return AsciiLower(local) + "@" + *domain;
}

}  // namespace sealpost::pki

// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/der_cursor.h"

#include <cstddef>

namespace sealpost::cms::internal {

std::optional<DerElement> DerCursor::Next() {
  if (rest_.size() < 2) return std::nullopt;
  const auto tag = static_cast<std::uint8_t>(rest_[0]);
  if ((tag & 0x1f) == 0x1f) return std::nullopt;  // high tag numbers: nothing CMS needs here
  const auto first = static_cast<std::uint8_t>(rest_[1]);
  std::size_t header = 2;
  std::size_t length = first;
  if (first & 0x80) {
    const std::size_t count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 octets would be over 4 GiB.
    if (count == 0 || count > 4 || rest_.size() < 2 + count) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | static_cast<std::uint8_t>(rest_[2 + i]);
    // Shortest form: no leading zero octet, and the long form only from 128 up.
    if (static_cast<std::uint8_t>(rest_[2]) == 0 || length < 0x80) return std::nullopt;
    header += count;
  }
  if (length > rest_.size() - header) return std::nullopt;
  DerElement element{tag, rest_.substr(0, header + length), rest_.substr(header, length)};
  rest_.remove_prefix(header + length);
  return element;
}

std::optional<DerElement> DerCursor::Next(std::uint8_t tag) {
  if (!NextIs(tag)) return std::nullopt;
  return Next();
}

bool IsWellFormedOid(std::string_view contents) {
  if (contents.empty() || (static_cast<std::uint8_t>(contents.back()) & 0x80)) return false;
  bool at_start = true;
  for (char c : contents) {
    const auto octet = static_cast<std::uint8_t>(c);
    if (at_start && octet == 0x80) return false;
    at_start = (octet & 0x80) == 0;
  }
  return true;
}

}  // namespace sealpost::cms::internal

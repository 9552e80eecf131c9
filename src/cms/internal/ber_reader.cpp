// SPDX-License-Identifier: Apache-2.0
// BER TLV reading with explicit bounds: never reads past the input, never recurses deeper
// than kMaxDepth (hostile input can nest indefinite lengths arbitrarily).
#include "cms/internal/ber_reader.h"

#include <string>

namespace sealpost::cms::internal {
namespace {

constexpr int kMaxDepth = 64;

std::optional<Tlv> ReadTlvAt(std::string_view in, int depth) {
  if (depth > kMaxDepth || in.size() < 2) return std::nullopt;
  Tlv tlv;
  size_t pos = 0;
  tlv.tag = static_cast<std::uint8_t>(in[pos++]);
  tlv.constructed = (tlv.tag & 0x20) != 0;
  if ((tlv.tag & 0x1f) == 0x1f) {  // high tag number form: skip its octets
    while (pos < in.size() && (static_cast<std::uint8_t>(in[pos]) & 0x80)) ++pos;
    if (++pos > in.size()) return std::nullopt;
  }
  if (pos >= in.size()) return std::nullopt;
  std::uint8_t first = static_cast<std::uint8_t>(in[pos++]);
  if (first == 0x80) {
    if (!tlv.constructed) return std::nullopt;
    tlv.indefinite = true;
    size_t start = pos;
    for (;;) {
      if (pos + 2 > in.size()) return std::nullopt;
      if (in[pos] == 0 && in[pos + 1] == 0) break;
      auto child = ReadTlvAt(in.substr(pos), depth + 1);
      if (!child) return std::nullopt;
      pos += child->whole.size();
    }
    tlv.contents = in.substr(start, pos - start);
    tlv.whole = in.substr(0, pos + 2);
    return tlv;
  }
  size_t length = 0;
  if (first & 0x80) {
    int count = first & 0x7f;
    if (count > 8 || pos + static_cast<size_t>(count) > in.size()) return std::nullopt;
    for (int i = 0; i < count; ++i) length = (length << 8) | static_cast<std::uint8_t>(in[pos++]);
  } else {
    length = first;
  }
  if (length > in.size() - pos) return std::nullopt;
  tlv.contents = in.substr(pos, length);
  tlv.whole = in.substr(0, pos + length);
  return tlv;
}

}  // namespace

std::optional<Tlv> ReadTlv(std::string_view in) { return ReadTlvAt(in, 0); }

std::optional<std::vector<Tlv>> Children(const Tlv& parent) {
  std::vector<Tlv> out;
  std::string_view rest = parent.contents;
  while (!rest.empty()) {
    auto child = ReadTlv(rest);
    if (!child) return std::nullopt;
    rest.remove_prefix(child->whole.size());
    out.push_back(*child);
  }
  return out;
}

std::optional<std::string> OctetStringValue(const Tlv& tlv) {
  if (!tlv.constructed) return std::string(tlv.contents);
  auto parts = Children(tlv);
  if (!parts) return std::nullopt;
  std::string out;
  for (const auto& p : *parts) {
    auto v = OctetStringValue(p);
    if (!v) return std::nullopt;
    out += *v;
  }
  return out;
}

std::optional<long> SmallIntegerValue(const Tlv& tlv) {
  if (tlv.tag != 0x02 || tlv.contents.empty() || tlv.contents.size() > 4) return std::nullopt;
  if (static_cast<std::uint8_t>(tlv.contents[0]) & 0x80) return std::nullopt;
  long v = 0;
  for (char c : tlv.contents) v = (v << 8) | static_cast<std::uint8_t>(c);
  return v;
}

}  // namespace sealpost::cms::internal

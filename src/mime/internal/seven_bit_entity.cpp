// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/seven_bit_entity.h"

#include "mime/entity.h"
#include "mime/internal/simple_syntax.h"

namespace sealpost::mime::internal {
namespace {

// GMime turns text into quoted-printable once a line reaches 998 octets counting its CR
// (found by the differential test); lines are kept a little shorter than that here.
constexpr size_t kMaxLine = 996;

bool IsPlainChar(char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

// Calls `line` for each line of `text` (CRLF-ended; the last may lack its CRLF when
// `last_may_end_open`); false if `text` holds a bare CR or LF or `line` says no.
template <typename Fn>
bool ForEachLine(std::string_view text, bool last_may_end_open, Fn line) {
  while (!text.empty()) {
    size_t end = text.find("\r\n");
    if (end == std::string_view::npos && !last_may_end_open) return false;
    std::string_view l = text.substr(0, end);
    if (l.find_first_of("\r\n") != std::string_view::npos || !line(l)) return false;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return true;
}

bool IsPlainLine(std::string_view l) {
  if (l.size() > kMaxLine) return false;
  for (char c : l) {
    if (!IsPlainChar(c)) return false;
  }
  return l.empty() || (l.back() != ' ' && l.back() != '\t');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool SigningLeavesUnchanged(std::string_view entity) {
  const size_t split = entity.find("\r\n\r\n");
  if (split == std::string_view::npos) return false;
  std::string_view header = entity.substr(0, split + 2);
  std::string_view body = entity.substr(split + 4);
  int content_types = 0;
  int encodings = 0;
  bool header_ok = ForEachLine(header, false, [&](std::string_view l) {
    if (!IsPlainLine(l) || l.empty() || l.front() == ' ' || l.front() == '\t') return false;
    const size_t colon = l.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = l.substr(0, colon);
    std::string_view value = Trim(l.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Type")) {
      auto ct = ParseSimpleContentType(value);
      ++content_types;
      return ct && ct->type != "multipart" && ct->type != "message";  // the parser lower-cases
    }
    if (EqualsIgnoreCase(name, "Content-Transfer-Encoding")) {
      ++encodings;
      return EqualsIgnoreCase(value, "7bit");
    }
    return false;
  });
  if (!header_ok || content_types != 1 || encodings > 1) return false;
  return ForEachLine(body, true, [](std::string_view l) { return IsPlainLine(l) && l.substr(0, 5) != "From "; });
}

}  // namespace sealpost::mime::internal

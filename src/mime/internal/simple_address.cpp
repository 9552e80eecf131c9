// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/simple_address.h"

#include <cctype>
#include <optional>
#include <string>

#include "core/ascii.h"

namespace sealpost::mime::internal {
namespace {

// RFC 5322 §3.2.3 atext. '=' and '?' are atext but start encoded words ("=?"), which GMime
// decodes: any value holding "=?" is left to it.
bool IsAtext(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool IsDomainChar(unsigned char c) { return std::isalnum(c) || c == '-'; }

// Non-empty runs of `allowed` characters separated by single `separator`s.
template <typename Pred>
bool IsSeparatedRuns(std::string_view s, char separator, Pred allowed) {
  if (s.empty() || s.front() == separator || s.back() == separator) return false;
  char previous = 0;
  for (char c : s) {
    if (c == separator) {
      if (previous == separator) return false;
    } else if (!allowed(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

// `s` lower-cased when it is a plain addr-spec (see the header), else nullopt.
std::optional<std::string> SimpleAddrSpec(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return std::nullopt;
  std::string lower = AsciiLower(s);
  if (lower.find("xn--") != std::string::npos) return std::nullopt;
  if (!IsSeparatedRuns(s.substr(0, at), '.', IsAtext) || !IsSeparatedRuns(s.substr(at + 1), '.', IsDomainChar))
    return std::nullopt;
  return lower;
}

// Words of atext separated by single spaces (possibly none at all).
bool IsPlainPhrase(std::string_view s) { return s.empty() || IsSeparatedRuns(s, ' ', IsAtext); }

}  // namespace

std::optional<Mailbox> ParseSimpleMailbox(std::string_view value) {
  const size_t first = value.find_first_not_of(' ');
  if (first == std::string_view::npos) return std::nullopt;
  value = value.substr(first, value.find_last_not_of(' ') - first + 1);
  if (value.find("=?") != std::string_view::npos) return std::nullopt;
  if (value.back() != '>') {
    auto address = SimpleAddrSpec(value);
    if (!address) return std::nullopt;
    return Mailbox{"", std::move(*address)};
  }
  const size_t open = value.find('<');
  if (open == std::string_view::npos || value.find('<', open + 1) != std::string_view::npos) return std::nullopt;
  std::string_view address = value.substr(open + 1, value.size() - open - 2);
  std::string_view phrase = value.substr(0, open);
  // One space at most between the name and '<' ("Alice <a@b>" or "Alice<a@b>").
  if (!phrase.empty() && phrase.back() == ' ') phrase.remove_suffix(1);
  if (!IsPlainPhrase(phrase)) return std::nullopt;
  auto lower = SimpleAddrSpec(address);
  if (!lower) return std::nullopt;
  return Mailbox{std::string(phrase), std::move(*lower)};
}

}  // namespace sealpost::mime::internal

// SPDX-License-Identifier: Apache-2.0
// RFC 4515 assertion-value escaping and filter-template expansion.
#include "directory/filter_escape.h"

#include <cctype>

namespace sealpost::directory {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

Error BadTemplate(std::string_view filter_template, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument,
               "ldap_search_filter \"" + std::string(filter_template) + "\" " + std::string(why));
}

}  // namespace

std::string EscapeFilterValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    // RFC 4515 §3 requires escaping only NUL * ( ) \; escaping every non-printable byte as
    // well keeps CR/LF and stray UTF-8 out of logs and off parsers with their own ideas.
    bool plain = c >= 0x20 && c < 0x7f && c != '*' && c != '(' && c != ')' && c != '\\';
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('\\');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

Status CheckFilterTemplate(std::string_view filter_template) {
  if (filter_template.find("%s") == std::string_view::npos) {
    // Without %s every address would get the same answer.
    return BadTemplate(filter_template, "has no %s for the address");
  }
  if (filter_template.size() < 2 || filter_template.front() != '(' || filter_template.back() != ')') {
    return BadTemplate(filter_template, "must be one parenthesised filter, e.g. (mail=%s)");
  }
  int depth = 0;
  for (std::size_t i = 0; i < filter_template.size(); ++i) {
    char c = filter_template[i];
    if (c == '\\') {
      if (i + 2 >= filter_template.size() || !IsHex(filter_template[i + 1]) || !IsHex(filter_template[i + 2])) {
        return BadTemplate(filter_template, "has a \\ that is not followed by two hex digits (RFC 4515 §3)");
      }
      i += 2;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return BadTemplate(filter_template, "has an unmatched )");
      if (depth == 0 && i + 1 != filter_template.size()) {
        return BadTemplate(filter_template, "has text after its closing )");
      }
    } else if (c == '\0') {
      return BadTemplate(filter_template, "contains a NUL byte");
    }
  }
  if (depth != 0) return BadTemplate(filter_template, "has an unmatched (");
  return Ok();
}

std::string ExpandFilter(std::string_view filter_template, std::string_view address) {
  const std::string escaped = EscapeFilterValue(address);
  std::string out;
  out.reserve(filter_template.size() + 2 * escaped.size());
  for (std::size_t i = 0; i < filter_template.size(); ++i) {
    if (filter_template[i] == '%' && i + 1 < filter_template.size() && filter_template[i + 1] == 's') {
      out += escaped;
      ++i;
    } else {
      out.push_back(filter_template[i]);
    }
  }
  return out;
}

}  // namespace sealpost::directory

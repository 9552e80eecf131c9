// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/simple_syntax.h"

#include <string>

#include "core/ascii.h"
#include "mime/entity.h"

namespace sealpost::mime::internal {
namespace {

// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>.
bool IsTokenChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) == std::string_view::npos;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  bool Take(char c) {
    if (AtEnd() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  std::string_view Token() {
    size_t start = i_;
    while (!AtEnd() && IsTokenChar(static_cast<unsigned char>(s_[i_]))) ++i_;
    return s_.substr(start, i_ - start);
  }
  // A quoted string of printable ASCII with no escapes; nullopt otherwise.
  std::optional<std::string_view> PlainQuoted() {
    if (!Take('"')) return std::nullopt;
    size_t start = i_;
    while (!AtEnd() && s_[i_] != '"') {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20 || c >= 0x7f || c == '\\') return std::nullopt;
      ++i_;
    }
    if (AtEnd()) return std::nullopt;
    std::string_view inside = s_.substr(start, i_ - start);
    ++i_;
    return inside;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool IsPlainFieldNameChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// One header line without its line end: `Name: value` with no control characters, or a
// continuation. Whether it is a continuation is the caller's business.
bool IsPlainFieldText(std::string_view text) {
  for (unsigned char c : text) {
    if (c == '\t') continue;
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<ContentType> ParseSimpleContentType(std::string_view value) {
  if (value.find("=?") != std::string_view::npos) return std::nullopt;  // RFC 2047 words: GMime decodes
  Cursor in(value);
  in.SkipSpace();
  ContentType ct;
  std::string_view type = in.Token();
  if (type.empty() || !in.Take('/')) return std::nullopt;
  std::string_view subtype = in.Token();
  if (subtype.empty()) return std::nullopt;
  ct.type = AsciiLower(type);
  ct.subtype = AsciiLower(subtype);
  in.SkipSpace();
  while (!in.AtEnd()) {
    if (!in.Take(';')) return std::nullopt;
    in.SkipSpace();
    std::string_view name = in.Token();
    // '*' marks RFC 2231 continuations and charsets, GMime's to decode.
    if (name.empty() || name.find('*') != std::string_view::npos) return std::nullopt;
    in.SkipSpace();
    if (!in.Take('=')) return std::nullopt;
    in.SkipSpace();
    std::optional<std::string_view> v = in.PlainQuoted();
    if (!v) {
      v = in.Token();
      if (v->empty()) return std::nullopt;
    }
    in.SkipSpace();
    ct.params.emplace(AsciiLower(name), std::string(*v));  // the first of a repeated name wins
  }
  return ct;
}

bool IsPlainLeafEntity(std::string_view entity) {
  size_t pos = 0;
  bool any_field = false;
  int content_type_fields = 0;
  while (true) {
    size_t lf = entity.find('\n', pos);
    if (lf == std::string_view::npos) return false;  // no blank line ends the header block
    std::string_view line = entity.substr(pos, lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf + 1;
    if (line.empty()) break;
    if (!IsPlainFieldText(line)) return false;
    if (line[0] == ' ' || line[0] == '\t') {
      if (!any_field) return false;
      continue;
    }
    size_t i = 0;
    while (i < line.size() && IsPlainFieldNameChar(static_cast<unsigned char>(line[i]))) ++i;
    if (i == 0 || i >= line.size() || line[i] != ':') return false;
    any_field = true;
    if (EqualsIgnoreCase(line.substr(0, i), "Content-Type")) ++content_type_fields;
  }
  if (!any_field || content_type_fields > 1) return false;
  if (content_type_fields == 0) return true;  // text/plain
  auto parsed = ParseEntity(entity);
  if (!parsed) return false;
  const HeaderField* field = parsed->Find("Content-Type");
  if (!field) return false;
  std::optional<ContentType> ct = ParseSimpleContentType(field->value);
  return ct && ct->type != "multipart" && ct->type != "message";
}

}  // namespace sealpost::mime::internal

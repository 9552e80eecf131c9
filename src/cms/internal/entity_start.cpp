// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/entity_start.h"

namespace sealpost::cms::internal {
namespace {

// RFC 5322 §3.6.8 field-name characters: printable ASCII except ':'.
bool IsFieldNameChar(unsigned char c) { return c >= 33 && c <= 126 && c != ':'; }

bool IsTextAscii(unsigned char c) { return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7e); }

// Length of the well-formed UTF-8 sequence (RFC 3629 §4) starting at `s`, 0 when it is
// malformed, or -1 when `s` ends inside it.
int Utf8SequenceLength(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  int length;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) lo = 0xa0;  // no overlong forms
    if (lead == 0xed) hi = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<size_t>(i) >= s.size()) return -1;
    const unsigned char c = b(i);
    if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf)) return 0;
  }
  return length;
}

}  // namespace

EntityStart ClassifyEntityStart(std::string_view head, bool complete) {
  bool in_field_name = true;  // still reading what may be the first header's name
  bool starts_with_header = false;
  bool at_line_start = true;
  size_t i = 0;
  while (i < head.size() && i < kEntityStartWindow) {
    const unsigned char c = static_cast<unsigned char>(head[i]);
    // A blank line after a header field ends the header block: the body may be binary.
    if (at_line_start && starts_with_header && (c == '\n' || head.substr(i, 2) == "\r\n"))
      return EntityStart::kPlausible;
    if (in_field_name) {
      starts_with_header = c == ':' && i > 0;
      in_field_name = IsFieldNameChar(c);
    }
    if (c < 0x80) {
      if (!IsTextAscii(c)) return EntityStart::kImplausible;
      at_line_start = c == '\n';
      ++i;
      continue;
    }
    const int length = Utf8SequenceLength(head.substr(i));
    if (length == 0) return EntityStart::kImplausible;
    if (length < 0) return complete ? EntityStart::kImplausible : EntityStart::kNeedMore;
    at_line_start = false;
    i += static_cast<size_t>(length);
  }
  if (i >= kEntityStartWindow || complete) return EntityStart::kPlausible;
  return EntityStart::kNeedMore;
}

Error UndecryptableContent(std::string detail) {
  return Error(ErrorCode::kIntegrity, "decryption failed: the message was altered or the key does not fit",
               std::move(detail));
}

Status EntityStartGuard::Write(std::string_view bytes) {
  if (released_) return next_.Write(bytes);
  held_.append(bytes);
  switch (ClassifyEntityStart(held_, false)) {
    case EntityStart::kImplausible:
      return UndecryptableContent("the decrypted content does not begin like a MIME entity");
    case EntityStart::kPlausible:
      return Release();
    case EntityStart::kNeedMore:
      return Ok();
  }
  return Ok();
}

Status EntityStartGuard::Finish() {
  if (!released_) {
    if (ClassifyEntityStart(held_, true) != EntityStart::kPlausible)
      return UndecryptableContent("the decrypted content does not begin like a MIME entity");
    RETURN_IF_ERROR(Release());
  }
  return next_.Finish();
}

Status EntityStartGuard::Release() {
  released_ = true;
  std::string held = std::move(held_);
  held_.clear();
  return next_.Write(held);
}

}  // namespace sealpost::cms::internal

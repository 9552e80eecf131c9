// SPDX-License-Identifier: Apache-2.0
// Byte-exact header/body splitting and multipart delimiting.
#include "mime/entity.h"

#include <string.h>  // memmem (GNU)

#include <cctype>
#include <cstring>

namespace sealpost::mime {
namespace {

bool IsFieldNameChar(char c) {
  // RFC 5322 §3.6.8: printable US-ASCII except colon.
  return c > 32 && c < 127 && c != ':';
}

// The end of the line starting at `pos`: index just past its LF (or the input's end).
size_t LineEnd(std::string_view s, size_t pos) {
  size_t nl = s.find('\n', pos);
  return nl == std::string_view::npos ? s.size() : nl + 1;
}

std::string_view StripEol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

bool StartsWithFieldName(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsFieldNameChar(line[i])) ++i;
  // Allow white space before the colon (obsolete syntax, RFC 5322 §4.5).
  size_t j = i;
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
  return i > 0 && j < line.size() && line[j] == ':';
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

const HeaderField* Entity::Find(std::string_view name) const {
  for (const auto& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

int Entity::Count(std::string_view name) const {
  int n = 0;
  for (const auto& h : headers) n += EqualsIgnoreCase(h.name, name) ? 1 : 0;
  return n;
}

Result<Entity> ParseEntity(std::string_view raw) {
  Entity e;
  e.raw = raw;
  size_t pos = 0;
  // An mbox "From " line is not a header; tolerate it before the first field.
  if (raw.substr(0, 5) == "From ") pos = LineEnd(raw, 0);
  if (pos < raw.size() && !StartsWithFieldName(raw.substr(pos, LineEnd(raw, pos) - pos)) &&
      StripEol(raw.substr(pos, LineEnd(raw, pos) - pos)).size() != 0) {
    e.header_block = raw.substr(0, pos);
    e.body = raw.substr(pos);
    return e;
  }
  while (pos < raw.size()) {
    size_t end = LineEnd(raw, pos);
    std::string_view line = raw.substr(pos, end - pos);
    if (line.size() > kMaxHeaderLine)
      return Error(ErrorCode::kMalformed, "a header line is longer than " + std::to_string(kMaxHeaderLine / 1024) + " KiB");
    if (StripEol(line).empty()) {  // the blank line ends the header block
      pos = end;
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (e.headers.empty()) return Error(ErrorCode::kMalformed, "the message starts with a continuation line");
      HeaderField& last = e.headers.back();
      last.value += " " + Trim(StripEol(line));
      last.raw = raw.substr(static_cast<size_t>(last.raw.data() - raw.data()), end - static_cast<size_t>(last.raw.data() - raw.data()));
      pos = end;
      continue;
    }
    std::string_view content = StripEol(line);
    size_t colon = content.find(':');
    if (colon == std::string_view::npos || !StartsWithFieldName(content)) {
      // Not a header: the header block ended without a blank line (lenient, like GMime).
      break;
    }
    if (e.headers.size() >= kMaxHeaderFields)
      return Error(ErrorCode::kMalformed, "the message has more than " + std::to_string(kMaxHeaderFields) + " header fields");
    HeaderField field;
    field.name = Trim(content.substr(0, colon));
    field.value = Trim(content.substr(colon + 1));
    field.raw = raw.substr(pos, end - pos);
    e.headers.push_back(std::move(field));
    pos = end;
  }
  e.header_block = raw.substr(0, pos);
  e.body = raw.substr(pos);
  return e;
}

std::string CanonicalizeLineEndings(std::string_view text) {
  // Runs between line feeds are copied whole (memchr), not a byte at a time: this ran for
  // every signed part and was 5 % of bulk verification.
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  size_t start = 0;
  while (start < text.size()) {
    const void* hit = std::memchr(text.data() + start, '\n', text.size() - start);
    if (!hit) break;
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    out.append(text.data() + start, lf - start);
    if (lf == 0 || text[lf - 1] != '\r') out += '\r';
    out += '\n';
    start = lf + 1;
  }
  out.append(text.data() + start, text.size() - start);
  return out;
}

bool HasCanonicalLineEndings(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    const void* hit = std::memchr(text.data() + start, '\n', text.size() - start);
    if (!hit) break;
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    if (lf == 0 || text[lf - 1] != '\r') return false;
    start = lf + 1;
  }
  return true;
}

Result<MultipartParts> SplitMultipart(std::string_view body, std::string_view boundary, std::size_t max_parts) {
  if (boundary.empty() || boundary.size() > 70)  // RFC 2046 §5.1.1: 1 to 70 characters
    return Error(ErrorCode::kMalformed, "the multipart boundary is missing or longer than 70 characters");
  MultipartParts result;
  std::string delimiter = "--" + std::string(boundary);
  const std::string line_delimiter = "\n" + delimiter;
  size_t pos = 0;
  long part_start = -1;  // start of the current part's bytes, -1 before the first delimiter
  while (pos < body.size()) {
    // Jump to the next line that starts with the delimiter (one memmem-like search instead
    // of a loop per line: nested multiparts rescan their body once per level).
    if (body.compare(pos, delimiter.size(), delimiter) != 0) {
      // glibc's memmem skips ahead on a two-byte hash, where string_view::find stops at
      // every line break: nested multiparts rescan their body once per level, so this
      // scan dominates the worst case within the caps (docs/limits.md).
      const void* hit = ::memmem(body.data() + pos, body.size() - pos, line_delimiter.data(), line_delimiter.size());
      if (!hit) break;
      pos = static_cast<size_t>(static_cast<const char*>(hit) - body.data()) + 1;
    }
    size_t end = LineEnd(body, pos);
    std::string_view line = StripEol(body.substr(pos, end - pos));
    // A boundary parameter may itself hold CR or LF: such a "delimiter" never fills a line
    // (found by fuzzing: substr past the end threw).
    if (line.size() < delimiter.size() || line.substr(0, delimiter.size()) != delimiter) {
      pos = end;
      continue;
    }
    std::string_view rest = line.substr(delimiter.size());
    bool close = rest.substr(0, 2) == "--";
    if (close) rest.remove_prefix(2);
    bool only_space = rest.find_first_not_of(" \t") == std::string_view::npos;
    if (only_space) {
      if (part_start >= 0) {
        // The line break before the delimiter belongs to the delimiter.
        size_t part_end = pos;
        if (part_end > static_cast<size_t>(part_start) && body[part_end - 1] == '\n') --part_end;
        if (part_end > static_cast<size_t>(part_start) && body[part_end - 1] == '\r') --part_end;
        if (result.parts.size() >= max_parts)
          return Error(ErrorCode::kLimit, "too many MIME parts in one multipart (more than " + std::to_string(max_parts) + ")");
        result.parts.push_back(body.substr(static_cast<size_t>(part_start), part_end - static_cast<size_t>(part_start)));
      }
      if (close) {
        result.closed = true;
        return result;
      }
      part_start = static_cast<long>(end);
    }
    pos = end;
  }
  if (part_start < 0) return Error(ErrorCode::kMalformed, "the multipart body has no boundary line");
  // Unterminated last part: keep it, and let the caller decide (closed stays false).
  result.parts.push_back(body.substr(static_cast<size_t>(part_start)));
  return result;
}

}  // namespace sealpost::mime

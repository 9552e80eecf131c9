// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/stream_message.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace sealpost::smime::internal {
namespace {

constexpr size_t kScanChunk = 1 << 18;
// A delimiter line is "--" + at most 70 boundary characters + "--" + a little white space;
// longer lines are content, so only their start is kept while scanning.
constexpr size_t kLinePrefix = 160;

bool IsDelimiterLine(std::string_view line, std::string_view delimiter, bool& close) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, delimiter.size()) != delimiter) return false;
  std::string_view rest = line.substr(delimiter.size());
  close = rest.substr(0, 2) == "--";
  if (close) rest.remove_prefix(2);
  return rest.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

Result<FileSource> OpenBlob(const Blob& blob) {
  ASSIGN_OR_RETURN(FileSource source, FileSource::Open(blob.path));
  RETURN_IF_ERROR(source.Seek(blob.offset, blob.length));
  return source;
}

Blob SubBlob(const Blob& blob, uint64_t offset, uint64_t length) {
  return Blob{blob.path, blob.offset + offset, length};
}

namespace {

// Where the header block ends (just past its blank line) within `head`, or npos.
size_t HeaderBlockEnd(std::string_view head) {
  size_t lf_lf = head.find("\n\n");
  size_t lf_crlf = head.find("\n\r\n");
  size_t end = std::string::npos;
  if (lf_lf != std::string::npos) end = lf_lf + 2;
  if (lf_crlf != std::string::npos && (end == std::string::npos || lf_crlf + 3 < end)) end = lf_crlf + 3;
  return end;
}

}  // namespace

Result<HeaderBlock> ReadHeaderBlock(const Blob& entity) {
  ASSIGN_OR_RETURN(FileSource source, OpenBlob(entity));
  const size_t cap = static_cast<size_t>(std::min<uint64_t>(entity.length, kMaxStreamedHeaderBlock));
  // Header blocks are a few KiB; read in doubling steps up to the cap instead of taking
  // the whole 1 MiB cap for every part (four parts of a signed message were 4 MB of heap).
  std::string head;
  size_t end = std::string::npos;
  bool eof = false;
  for (size_t want = std::min<size_t>(cap, 16 << 10); end == std::string::npos && !eof; want = std::min(cap, want * 2)) {
    size_t got = head.size();
    if (got == want) break;  // at the cap
    head.resize(want);
    while (got < want) {
      ASSIGN_OR_RETURN(size_t n, source.Read(head.data() + got, want - got));
      if (n == 0) {
        eof = true;
        break;
      }
      got += n;
    }
    head.resize(got);
    end = HeaderBlockEnd(head);
  }
  HeaderBlock block;
  if (head.empty() || head[0] == '\n' || (head[0] == '\r' && head.size() > 1 && head[1] == '\n')) {
    // No header fields: the blank line (if any) starts the body.
    return block;
  }
  if (end == std::string::npos) {
    if (entity.length > kMaxStreamedHeaderBlock)
      return Error(ErrorCode::kLimit, "the header fields of a part are longer than " +
                                          std::to_string(kMaxStreamedHeaderBlock >> 20) + " MiB");
    end = head.size();  // headers only, no body
  }
  head.resize(end);
  head.shrink_to_fit();
  block.bytes = std::move(head);
  block.body_offset = end;
  return block;
}

Result<StreamParts> ScanMultipart(const Blob& body, std::string_view boundary, size_t max_parts) {
  if (boundary.empty() || boundary.size() > 70)  // RFC 2046 §5.1.1
    return Error(ErrorCode::kMalformed, "the multipart boundary is missing or longer than 70 characters");
  const std::string delimiter = "--" + std::string(boundary);
  ASSIGN_OR_RETURN(FileSource source, OpenBlob(body));
  std::unique_ptr<char[]> chunk(new char[kScanChunk]);

  StreamParts result;
  int64_t part_start = -1;
  uint64_t line_start = 0;      // offset within `body` of the current line
  uint64_t line_length = 0;     // bytes of it seen so far
  bool candidate = false;       // does it start with '-' (only such lines can be delimiters)?
  std::string line;             // a candidate's first kLinePrefix bytes
  bool line_too_long = false;
  bool prev_crlf = false;       // did the line before the current one end in CRLF?
  char last_byte = 0;           // the byte before the current segment
  uint64_t pos = 0;

  // Handles the line [line_start, end); returns true when the close delimiter ends the scan.
  auto finish_line = [&](uint64_t end, bool ends_crlf) -> Result<bool> {
    bool close = false;
    if (candidate && !line_too_long && IsDelimiterLine(line, delimiter, close)) {
      if (part_start >= 0) {
        // The line break before the delimiter belongs to it: LF, and the CR before it.
        const uint64_t start = static_cast<uint64_t>(part_start);
        uint64_t part_end = line_start;
        if (part_end > start) --part_end;
        if (prev_crlf && part_end > start) --part_end;
        if (result.parts.size() >= max_parts) return Error(ErrorCode::kLimit, "too many MIME parts");
        result.parts.push_back({static_cast<uint64_t>(part_start), part_end - static_cast<uint64_t>(part_start)});
      }
      if (close) {
        result.closed = true;
        return true;
      }
      part_start = static_cast<int64_t>(end);
    }
    prev_crlf = ends_crlf;
    line_start = end;
    line_length = 0;
    line.clear();
    line_too_long = false;
    return false;
  };

  for (;;) {
    ASSIGN_OR_RETURN(size_t n, source.Read(chunk.get(), kScanChunk));
    if (n == 0) break;
    size_t i = 0;
    while (i < n) {
      const char* nl = static_cast<const char*>(std::memchr(chunk.get() + i, '\n', n - i));
      size_t stop = nl ? static_cast<size_t>(nl - chunk.get()) + 1 : n;
      if (line_length == 0) candidate = chunk[i] == '-';
      // Only lines that may be delimiters are copied: a body of short base64 lines costs a
      // memchr per line, not a copy (each nesting level scans the whole part again).
      if (candidate && !line_too_long) {
        size_t room = kLinePrefix - std::min(kLinePrefix, line.size());
        line.append(chunk.get() + i, std::min(room, stop - i));
        if (stop - i > room) line_too_long = true;
      }
      line_length += stop - i;
      pos += stop - i;
      if (nl) {
        char before_lf = stop - i >= 2 ? chunk[stop - 2] : last_byte;
        bool crlf = line_length >= 2 && before_lf == '\r';
        last_byte = chunk[stop - 1];
        i = stop;
        ASSIGN_OR_RETURN(bool done, finish_line(pos, crlf));
        if (done) return result;
      } else {
        last_byte = chunk[stop - 1];
        i = stop;
      }
    }
  }
  if (pos > line_start) {
    ASSIGN_OR_RETURN(bool done, finish_line(pos, false));
    if (done) return result;
  }
  if (part_start < 0) return Error(ErrorCode::kMalformed, "the multipart body has no boundary line");
  result.parts.push_back({static_cast<uint64_t>(part_start), body.length - static_cast<uint64_t>(part_start)});
  return result;
}

Result<size_t> ConcatSource::Read(char* buffer, size_t capacity) {
  while (current_ < sources_.size()) {
    ASSIGN_OR_RETURN(size_t n, sources_[current_]->Read(buffer, capacity));
    if (n > 0) return n;
    ++current_;
  }
  return size_t{0};
}

namespace {

// Whether every byte is 1..127, eight at a time (a NUL shows up through the classic
// "has a zero byte" test, (w - 0x01…) & ~w & 0x80…, which is exact).
bool SevenBitWithoutNul(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if ((w | ((w - kOnes) & ~w)) & kHigh) return false;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == 0 || c >= 0x80) return false;
  }
  return true;
}

}  // namespace

Result<size_t> SevenBitSource::Read(char* buffer, size_t capacity) {
  ASSIGN_OR_RETURN(size_t n, in_.Read(buffer, capacity));
  if (!SevenBitWithoutNul(buffer, n)) {
    return Error(ErrorCode::kUnsupported,
                 "the message has 8-bit content and is too large to re-encode before signing; "
                 "send its attachments base64-encoded");
  }
  return n;
}

}  // namespace sealpost::smime::internal

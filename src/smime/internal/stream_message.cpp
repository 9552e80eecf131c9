// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/stream_message.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "mime/entity.h"
#include "mime/line_scan.h"

namespace sealpost::smime::internal {
namespace {

constexpr size_t kScanChunk = 1 << 18;
// A delimiter line is "--" + at most 70 boundary characters + "--" + a little white space;
// longer lines are content, so only their start is kept while scanning.
constexpr size_t kLinePrefix = 160;

bool IsDelimiterLine(std::string_view line, std::string_view delimiter, bool& close) {
  // One LF and one CR before it, as mime::SplitMultipart's StripEol: "--b\r\r\n" is not a
  // delimiter line there, so it must not be one here (found by the tap's random test).
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.substr(0, delimiter.size()) != delimiter) return false;
  std::string_view rest = line.substr(delimiter.size());
  close = rest.substr(0, 2) == "--";
  if (close) rest.remove_prefix(2);
  return rest.find_first_not_of(" \t") == std::string_view::npos;
}

// Just past the first blank line within `head`, or npos: the most the header block can
// span (ReadHeaderBlock then lets mime::ParseEntity say where it ends).
size_t HeaderBlockEnd(std::string_view head) {
  size_t lf_lf = head.find("\n\n");
  size_t lf_crlf = head.find("\n\r\n");
  size_t end = std::string::npos;
  if (lf_lf != std::string::npos) end = lf_lf + 2;
  if (lf_crlf != std::string::npos && (end == std::string::npos || lf_crlf + 3 < end)) end = lf_crlf + 3;
  return end;
}

// Feeds a PartTap the first part's bytes as the scanner proves them, keeping the few bytes
// not yet proven (the line break before a possible delimiter, a short line starting with
// '-') across chunk reads.
class FirstPartFeed {
 public:
  explicit FirstPartFeed(PartTap* tap) : tap_(tap) {}
  bool active() const { return tap_ && started_ && !ended_; }
  void Start(uint64_t offset) {
    started_ = tap_ != nullptr;
    from_ = offset;
  }
  void SawBareLf() { crlf_only_ = false; }
  // Delivers [from_, upto) from the carried bytes and the chunk at body offset `base`.
  void DeliverUpTo(uint64_t upto, const char* chunk, uint64_t base, size_t n) {
    if (!active() || upto <= from_) return;
    if (!carry_.empty()) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(carry_.size(), upto - from_));
      tap_->FirstPartBytes(carry_.data(), take, crlf_only_);
      carry_.erase(0, take);
      from_ += take;
    }
    if (upto > from_ && from_ >= base && upto <= base + n) {
      tap_->FirstPartBytes(chunk + (from_ - base), static_cast<size_t>(upto - from_), crlf_only_);
      from_ = upto;
    }
  }
  // At the end of a chunk: keeps what is not delivered yet for the next one.
  void CarryRest(const char* chunk, uint64_t base, size_t n) {
    if (!active() || from_ >= base + n) return;
    const uint64_t start = std::max(from_, base);
    carry_.append(chunk + (start - base), static_cast<size_t>(base + n - start));
  }
  void End(uint64_t part_end, const char* chunk, uint64_t base, size_t n) {
    if (!active()) return;
    DeliverUpTo(part_end, chunk, base, n);
    ended_ = true;
    tap_->FirstPartEnd();
  }

 private:
  PartTap* tap_;
  bool started_ = false;
  bool ended_ = false;
  bool crlf_only_ = true;
  uint64_t from_ = 0;    // body offset of the next byte to deliver
  std::string carry_;    // [from_, from_ + size) when a chunk ended before they were proven
};

}  // namespace

Result<FileSource> OpenBlob(const Blob& blob) {
  ASSIGN_OR_RETURN(FileSource source, FileSource::Open(blob.path));
  RETURN_IF_ERROR(source.Seek(blob.offset, blob.length));
  return source;
}

Blob SubBlob(const Blob& blob, uint64_t offset, uint64_t length) {
  return Blob{blob.path, blob.offset + offset, length};
}

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
  // The block ends where mime::ParseEntity ends it for the in-memory path: at the blank
  // line, or before the first line that is neither a field nor a continuation (lenient,
  // like GMime). Ending it only at a blank line took a part's body for header fields and
  // let the two paths see different parts (found by the stream_verify fuzz target).
  ASSIGN_OR_RETURN(mime::Entity fields, mime::ParseEntity(std::string_view(head).substr(0, end)));
  end = fields.header_block.size();
  head.resize(end);
  head.shrink_to_fit();
  block.bytes = std::move(head);
  block.body_offset = end;
  return block;
}

Result<StreamParts> ScanMultipart(const Blob& body, std::string_view boundary, size_t max_parts, PartTap* tap) {
  if (boundary.empty() || boundary.size() > 70)  // RFC 2046 §5.1.1
    return Error(ErrorCode::kMalformed, "the multipart boundary is missing or longer than 70 characters");
  const std::string delimiter = "--" + std::string(boundary);
  ASSIGN_OR_RETURN(FileSource source, OpenBlob(body));
  // With a tap, the scan reads into the tap's buffers, which it then hashes in place.
  std::unique_ptr<char[]> own_chunk(tap ? nullptr : new char[kScanChunk]);

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
  FirstPartFeed feed(tap);
  char* chunk = own_chunk.get();
  uint64_t chunk_base = 0;      // body offset of chunk[0]
  size_t chunk_size = 0;

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
        if (result.parts.size() == 1) feed.End(part_end, chunk, chunk_base, chunk_size);
      }
      if (close) {
        result.closed = true;
        return true;
      }
      part_start = static_cast<int64_t>(end);
      if (result.parts.empty()) feed.Start(end);
    } else if (!ends_crlf && end > line_start && feed.active()) {
      feed.SawBareLf();  // a content line (or the one before the closing delimiter) ends in a bare LF
    }
    prev_crlf = ends_crlf;
    line_start = end;
    line_length = 0;
    line.clear();
    line_too_long = false;
    return false;
  };

  for (;;) {
    if (tap) chunk = tap->NextChunk(kScanChunk);
    chunk_base = pos;
    chunk_size = 0;  // until read: at the end of the file the buffer holds nothing
    ASSIGN_OR_RETURN(size_t n, source.Read(chunk, kScanChunk));
    if (n == 0) break;
    chunk_size = n;
    size_t i = 0;
    while (i < n) {
      const char* nl = static_cast<const char*>(std::memchr(chunk + i, '\n', n - i));
      size_t stop = nl ? static_cast<size_t>(nl - chunk) + 1 : n;
      if (line_length == 0) candidate = chunk[i] == '-';
      // Only lines that may be delimiters are copied: a body of short base64 lines costs a
      // memchr per line, not a copy (each nesting level scans the whole part again).
      if (candidate && !line_too_long) {
        size_t room = kLinePrefix - std::min(kLinePrefix, line.size());
        line.append(chunk + i, std::min(room, stop - i));
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
    if (feed.active()) {
      // Proven content: everything before the current line's start and the line break in
      // front of it, or, when the current line cannot be a delimiter (no leading '-', or
      // too long), all of it but a trailing CR that may begin its line break.
      const bool may_be_delimiter = line_length == 0 || (candidate && !line_too_long);
      const uint64_t line_break = prev_crlf ? 2 : 1;
      const uint64_t proven = may_be_delimiter ? (line_start >= line_break ? line_start - line_break : 0)
                                               : pos - (last_byte == '\r' ? 1 : 0);
      feed.DeliverUpTo(proven, chunk, chunk_base, chunk_size);
      feed.CarryRest(chunk, chunk_base, chunk_size);
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

Error LongLineError() {
  return Error(ErrorCode::kUnsupported,
               "the message has lines longer than 998 octets and is too large to re-encode before signing; "
               "send its attachments base64-encoded");
}

}  // namespace

Result<size_t> SevenBitSource::Read(char* buffer, size_t capacity) {
  ASSIGN_OR_RETURN(size_t n, in_.Read(buffer, capacity));
  if (n == 0 && line_length_ > 998) {  // a last line without CRLF
    return LongLineError();
  }
  if (!SevenBitWithoutNul(buffer, n)) {
    return Error(ErrorCode::kUnsupported,
                 "the message has 8-bit content and is too large to re-encode before signing; "
                 "send its attachments base64-encoded");
  }
  // 998 octets and the CR before the LF (the input is canonical: every LF follows a CR).
  constexpr size_t kMaxLine = 999;
  if (mime::FindOverlongLine(buffer, n, line_length_, kMaxLine) != n || line_length_ > kMaxLine)
    return LongLineError();
  return n;
}

}  // namespace sealpost::smime::internal

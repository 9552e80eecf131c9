// SPDX-License-Identifier: Apache-2.0
// Reading a message's structure from a file without loading it: the header block of an
// entity, and the part boundaries of a multipart body, as byte ranges of the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/result.h"

namespace sealpost::smime::internal {

// A byte range of a file (the file may be an anonymous scratch file, by /proc path).
struct Blob {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

Result<FileSource> OpenBlob(const Blob& blob);
Blob SubBlob(const Blob& blob, uint64_t offset, uint64_t length);  // offset within `blob`

// An entity's header fields up to and including the blank line (empty when the entity
// starts with its body), and where the body starts within the blob.
struct HeaderBlock {
  std::string bytes;
  uint64_t body_offset = 0;
};
inline constexpr size_t kMaxStreamedHeaderBlock = 1 << 20;
Result<HeaderBlock> ReadHeaderBlock(const Blob& entity);

// Part ranges (within `body`) between delimiter lines, with the same rules as
// mime::SplitMultipart: the line break before a delimiter belongs to it; `closed` tells
// whether the close delimiter was seen.
struct PartRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
struct StreamParts {
  std::vector<PartRange> parts;
  bool closed = false;
};
//
// With a `tap`, the first part's bytes are handed to it as the scan proves them to be
// content (a line that cannot be a delimiter, and the line break before it), in order and
// exactly: when the scan returns with a closed first part, the tap has had all of it and
// nothing more. So a big signed part is digested during the one read the scan needs.
class PartTap {
 public:
  virtual ~PartTap() = default;
  // Where the scan reads its next `size` bytes (the previous chunk is done with). Bytes of
  // a chunk handed to FirstPartBytes stay valid until the tap reuses the buffer, so the tap
  // may keep pointers to them instead of copying.
  virtual char* NextChunk(size_t size) = 0;
  // `crlf_only`: every LF in `data` follows a CR (in the part's bytes), so the bytes are
  // already canonical; false when the part has had a bare LF so far (canonicalise).
  virtual void FirstPartBytes(const char* data, size_t n, bool crlf_only) = 0;
  // The first part ended (its closing delimiter was seen).
  virtual void FirstPartEnd() = 0;
};
Result<StreamParts> ScanMultipart(const Blob& body, std::string_view boundary, size_t max_parts,
                                  PartTap* tap = nullptr);

// Sources read one after another.
class ConcatSource final : public ByteSource {
 public:
  explicit ConcatSource(std::vector<ByteSource*> sources) : sources_(std::move(sources)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  std::vector<ByteSource*> sources_;
  size_t current_ = 0;
};

// Passes bytes through, failing (kUnsupported) at the first 8-bit or NUL byte or at a line
// longer than SMTP carries (998 octets, RFC 5322 §2.1.1): content signed as it streams must
// already survive transport unchanged, since it cannot be re-encoded first.
class SevenBitSource final : public ByteSource {
 public:
  explicit SevenBitSource(ByteSource& in) : in_(in) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  ByteSource& in_;
  size_t line_length_ = 0;  // octets since the last LF, CR included
};

}  // namespace sealpost::smime::internal

// SPDX-License-Identifier: Apache-2.0
// Reading BER from a stream, a TLV at a time, with a small look-ahead buffer: the header
// fields of a CMS object are taken whole (they are small, and capped), while the one big
// field — the encrypted content — is passed through to a sink without being held.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_stream.h"

namespace sealpost::cms::internal {

struct TlvHeader {
  std::uint8_t tag = 0;
  bool constructed = false;
  bool indefinite = false;
  std::uint64_t length = 0;  // contents length when definite
  std::string raw;           // identifier + length octets as read
};

class BerStream final {
 public:
  // `element_cap`: the most bytes one header field taken whole may have.
  BerStream(ByteSource& source, size_t element_cap) : source_(source), element_cap_(element_cap) {}

  // The next identifier+length; kMalformed at the end of input or on bad encoding
  // (multi-byte tags and lengths over 2^40 are refused: CMS needs neither).
  Result<TlvHeader> ReadHeader();
  // Peeks at the next identifier octet; nullopt-like -1 at the end of input.
  Result<int> PeekTag();
  // True (and consumed) if the next two octets are end-of-contents 00 00.
  Result<bool> TakeEndOfContents();
  // One whole element (any nesting, up to depth 32) as raw bytes, capped at element_cap.
  Result<std::string> ReadElement();
  // `length` content octets passed to `sink`.
  Status CopyTo(std::uint64_t length, ByteSink& sink);
  // Up to `capacity` (at least 1) of the next `length` content octets into `buffer`;
  // kMalformed if the input ends first.
  Result<size_t> ReadSome(std::uint64_t length, char* buffer, size_t capacity);
  // Content octets of `header` read whole (definite lengths only).
  Result<std::string> ReadContents(const TlvHeader& header);
  // Bytes consumed so far.
  std::uint64_t offset() const { return offset_; }
  // True when nothing but end of input follows.
  Result<bool> AtEnd();

 private:
  Status Fill(size_t want);  // ensures `want` bytes are buffered, or fewer at the end
  Status ReadElementInto(std::string& out, int depth);
  size_t Available() const { return buffer_.size() - pos_; }

  ByteSource& source_;
  size_t element_cap_;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  std::uint64_t offset_ = 0;
};

}  // namespace sealpost::cms::internal

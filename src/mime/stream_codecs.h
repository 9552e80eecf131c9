// SPDX-License-Identifier: Apache-2.0
// Streaming forms of the codecs big messages pass through: base64 (RFC 2045 §6.8) in both
// directions and line-end canonicalisation (RFC 8551 §3.1.1), each in one pass over
// fixed-size buffers whatever the message size.
#pragma once

#include <array>
#include <string>

#include "core/byte_stream.h"

namespace sealpost::mime {

// Encodes into `out` as 76-character lines ended by CRLF (what Base64Encode produces).
class Base64EncodingSink final : public ByteSink {
 public:
  explicit Base64EncodingSink(ByteSink& out) : out_(out) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override;  // the last, padded line; then finishes `out`

 private:
  Status EncodeLines(std::string_view whole_lines);
  ByteSink& out_;
  std::string pending_;  // < 57 bytes not yet on a full line
  std::string encoded_;
};

// Decodes base64 from `in`, skipping white space; a byte outside the alphabet, data after
// the padding or a dangling quantum is kMalformed (as Base64Decode).
class Base64DecodingSource final : public ByteSource {
 public:
  explicit Base64DecodingSource(ByteSource& in) : in_(in) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  ByteSource& in_;
  std::array<char, 1 << 16> raw_{};
  uint32_t quantum_ = 0;  // bits of an incomplete 4-character group
  int quantum_chars_ = 0;
  int padding_ = 0;       // '=' seen: only white space and '=' may follow
  int chars_before_padding_ = 0;  // characters of the group the first '=' closed
  bool done_ = false;
  std::string ready_;     // decoded bytes not yet handed out
  size_t ready_pos_ = 0;
};

// Makes every line end CRLF: a LF without CR before it gets one (CanonicalizeLineEndings).
class CrlfSource final : public ByteSource {
 public:
  explicit CrlfSource(ByteSource& in) : in_(in) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  ByteSource& in_;
  std::string raw_;
  bool last_was_cr_ = false;
  bool converting_ = false;  // the last block had a bare LF
};

// The same for bytes pushed into a sink.
class CrlfSink final : public ByteSink {
 public:
  explicit CrlfSink(ByteSink& out) : out_(out) {}
  Status Write(std::string_view bytes) override;
  // Bytes known to be canonical already (every LF follows a CR): passed on unexamined,
  // keeping what a following Write needs to know (whether the last byte was a CR).
  Status WriteCanonical(std::string_view bytes);
  Status Finish() override { return out_.Finish(); }

 private:
  ByteSink& out_;
  std::string converted_;
  bool last_was_cr_ = false;
};

}  // namespace sealpost::mime

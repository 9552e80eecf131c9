// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/ber_stream.h"

#include <algorithm>
#include <cstring>

namespace sealpost::cms::internal {
namespace {

constexpr size_t kReadChunk = 1 << 16;
constexpr int kMaxDepth = 32;

Error Truncated() { return Error(ErrorCode::kMalformed, "the CMS structure is truncated"); }

}  // namespace

Status BerStream::Fill(size_t want) {
  if (pos_ > 0 && (pos_ >= kReadChunk || pos_ == buffer_.size())) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  while (Available() < want && !eof_) {
    size_t old = buffer_.size();
    buffer_.resize(old + kReadChunk);
    auto n = source_.Read(buffer_.data() + old, kReadChunk);
    if (!n) {
      buffer_.resize(old);
      return n.error();
    }
    buffer_.resize(old + *n);
    if (*n == 0) eof_ = true;
  }
  return Ok();
}

Result<int> BerStream::PeekTag() {
  RETURN_IF_ERROR(Fill(1));
  if (Available() == 0) return -1;
  return static_cast<int>(static_cast<unsigned char>(buffer_[pos_]));
}

Result<bool> BerStream::AtEnd() {
  ASSIGN_OR_RETURN(int tag, PeekTag());
  return tag < 0;
}

Result<bool> BerStream::TakeEndOfContents() {
  RETURN_IF_ERROR(Fill(2));
  if (Available() < 2) return Truncated();
  if (buffer_[pos_] != 0 || buffer_[pos_ + 1] != 0) return false;
  pos_ += 2;
  offset_ += 2;
  return true;
}

Result<TlvHeader> BerStream::ReadHeader() {
  RETURN_IF_ERROR(Fill(2));
  if (Available() < 2) return Truncated();
  TlvHeader h;
  const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + pos_);
  h.tag = p[0];
  h.constructed = (h.tag & 0x20) != 0;
  if ((h.tag & 0x1f) == 0x1f) return Error(ErrorCode::kMalformed, "the CMS structure uses a tag form CMS never needs");
  size_t used = 2;
  unsigned char first = p[1];
  if (first == 0x80) {
    if (!h.constructed) return Error(ErrorCode::kMalformed, "a primitive BER element has an indefinite length");
    h.indefinite = true;
  } else if (first < 0x80) {
    h.length = first;
  } else {
    size_t n = first & 0x7f;
    if (n > 5) return Error(ErrorCode::kMalformed, "a BER length is larger than Sealpost accepts (2^40 bytes)");
    RETURN_IF_ERROR(Fill(2 + n));
    if (Available() < 2 + n) return Truncated();
    p = reinterpret_cast<const unsigned char*>(buffer_.data() + pos_);
    for (size_t i = 0; i < n; ++i) h.length = (h.length << 8) | p[2 + i];
    used += n;
  }
  h.raw.assign(buffer_.data() + pos_, used);
  pos_ += used;
  offset_ += used;
  return h;
}

Status BerStream::CopyTo(std::uint64_t length, ByteSink& sink) {
  while (length > 0) {
    if (Available() == 0) {
      RETURN_IF_ERROR(Fill(1));
      if (Available() == 0) return Truncated();
    }
    size_t n = static_cast<size_t>(std::min<std::uint64_t>(length, Available()));
    RETURN_IF_ERROR(sink.Write(std::string_view(buffer_.data() + pos_, n)));
    pos_ += n;
    offset_ += n;
    length -= n;
  }
  return Ok();
}

Result<size_t> BerStream::ReadSome(std::uint64_t length, char* buffer, size_t capacity) {
  if (Available() == 0) {
    RETURN_IF_ERROR(Fill(1));
    if (Available() == 0) return Truncated();
  }
  const size_t n = static_cast<size_t>(std::min<std::uint64_t>({length, Available(), capacity}));
  std::memcpy(buffer, buffer_.data() + pos_, n);
  pos_ += n;
  offset_ += n;
  return n;
}

Result<std::string> BerStream::ReadContents(const TlvHeader& header) {
  if (header.indefinite) return Error(ErrorCode::kInternal, "ReadContents on an indefinite length");
  if (header.length > element_cap_)
    return Error(ErrorCode::kLimit, "a CMS header field is larger than " + std::to_string(element_cap_) + " bytes");
  std::string out;
  StringSink sink(out);
  RETURN_IF_ERROR(CopyTo(header.length, sink));
  return out;
}

Status BerStream::ReadElementInto(std::string& out, int depth) {
  if (depth > kMaxDepth) return Error(ErrorCode::kLimit, "the CMS structure nests deeper than " + std::to_string(kMaxDepth) + " levels");
  ASSIGN_OR_RETURN(TlvHeader h, ReadHeader());
  out += h.raw;
  if (!h.indefinite) {
    if (h.length > element_cap_ || out.size() + h.length > element_cap_)
      return Error(ErrorCode::kLimit, "a CMS header field is larger than " + std::to_string(element_cap_) + " bytes");
    StringSink sink(out);
    return CopyTo(h.length, sink);
  }
  for (;;) {
    ASSIGN_OR_RETURN(bool end, TakeEndOfContents());
    if (end) {
      out.append(2, '\0');
      return Ok();
    }
    RETURN_IF_ERROR(ReadElementInto(out, depth + 1));
    if (out.size() > element_cap_)
      return Error(ErrorCode::kLimit, "a CMS header field is larger than " + std::to_string(element_cap_) + " bytes");
  }
}

Result<std::string> BerStream::ReadElement() {
  std::string out;
  RETURN_IF_ERROR(ReadElementInto(out, 0));
  return out;
}

}  // namespace sealpost::cms::internal

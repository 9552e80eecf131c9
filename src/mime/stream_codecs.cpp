// SPDX-License-Identifier: Apache-2.0
#include "mime/stream_codecs.h"

#include <algorithm>
#include <cstring>

namespace sealpost::mime {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kLineBytes = 57;  // 57 bytes → 76 characters
constexpr size_t kChunk = 1 << 18;

// 0..63 for the alphabet, 64 white space, 65 '=', 66 anything else.
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 66;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  for (char c : {' ', '\t', '\r', '\n'}) t[static_cast<uint8_t>(c)] = 64;
  t[static_cast<uint8_t>('=')] = 65;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

void EncodeGroup(const unsigned char* in, size_t n, char* out) {
  uint32_t v = static_cast<uint32_t>(in[0]) << 16;
  if (n > 1) v |= static_cast<uint32_t>(in[1]) << 8;
  if (n > 2) v |= in[2];
  out[0] = kAlphabet[(v >> 18) & 63];
  out[1] = kAlphabet[(v >> 12) & 63];
  out[2] = n > 1 ? kAlphabet[(v >> 6) & 63] : '=';
  out[3] = n > 2 ? kAlphabet[v & 63] : '=';
}

}  // namespace

Status Base64EncodingSink::EncodeLines(std::string_view whole_lines) {
  // Encodes a run of complete 57-byte lines straight into one output buffer.
  const auto* in = reinterpret_cast<const unsigned char*>(whole_lines.data());
  size_t lines = whole_lines.size() / kLineBytes;
  encoded_.resize(lines * 78);
  char* out = encoded_.data();
  for (size_t l = 0; l < lines; ++l) {
    for (size_t g = 0; g < kLineBytes; g += 3, in += 3, out += 4) EncodeGroup(in, 3, out);
    *out++ = '\r';
    *out++ = '\n';
  }
  return out_.Write(encoded_);
}

Status Base64EncodingSink::Write(std::string_view bytes) {
  if (!pending_.empty()) {
    size_t take = std::min(kLineBytes - pending_.size(), bytes.size());
    pending_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (pending_.size() < kLineBytes) return Ok();
    RETURN_IF_ERROR(EncodeLines(pending_));
    pending_.clear();
  }
  while (bytes.size() >= kLineBytes) {
    size_t run = std::min(bytes.size(), kChunk) / kLineBytes * kLineBytes;
    RETURN_IF_ERROR(EncodeLines(bytes.substr(0, run)));
    bytes.remove_prefix(run);
  }
  pending_.assign(bytes);
  return Ok();
}

Status Base64EncodingSink::Finish() {
  if (!pending_.empty()) {
    std::string line;
    const auto* in = reinterpret_cast<const unsigned char*>(pending_.data());
    for (size_t i = 0; i < pending_.size(); i += 3) {
      char group[4];
      EncodeGroup(in + i, std::min<size_t>(3, pending_.size() - i), group);
      line.append(group, 4);
    }
    line += "\r\n";
    pending_.clear();
    RETURN_IF_ERROR(out_.Write(line));
  }
  return out_.Finish();
}

Result<size_t> Base64DecodingSource::Read(char* buffer, size_t capacity) {
  while (ready_pos_ == ready_.size() && !done_) {
    ready_.clear();
    ready_pos_ = 0;
    ASSIGN_OR_RETURN(size_t n, in_.Read(raw_.data(), raw_.size()));
    if (n == 0) {
      done_ = true;
      if (quantum_chars_ == 1) return Error(ErrorCode::kMalformed, "the base64 text ends in the middle of a character group");
      if (padding_ == 0 && quantum_chars_ > 1) {
        // Unpadded tail (seen in the wild): 2 or 3 characters carry 1 or 2 bytes.
        if (quantum_chars_ == 2) ready_ += static_cast<char>(quantum_ >> 4);
        if (quantum_chars_ == 3) {
          ready_ += static_cast<char>(quantum_ >> 10);
          ready_ += static_cast<char>((quantum_ >> 2) & 0xff);
        }
      }
      break;
    }
    ready_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      uint8_t v = kDecode[static_cast<uint8_t>(raw_[i])];
      if (v < 64) {
        if (padding_) return Error(ErrorCode::kMalformed, "the base64 text continues after its padding");
        quantum_ = (quantum_ << 6) | v;
        if (++quantum_chars_ == 4) {
          ready_ += static_cast<char>(quantum_ >> 16);
          ready_ += static_cast<char>((quantum_ >> 8) & 0xff);
          ready_ += static_cast<char>(quantum_ & 0xff);
          quantum_ = 0;
          quantum_chars_ = 0;
        }
      } else if (v == 64) {
        continue;
      } else if (v == 65) {
        if (padding_ == 0) {
          // Padding closes a group of 2 or 3 characters.
          if (quantum_chars_ == 2) ready_ += static_cast<char>(quantum_ >> 4);
          else if (quantum_chars_ == 3) {
            ready_ += static_cast<char>(quantum_ >> 10);
            ready_ += static_cast<char>((quantum_ >> 2) & 0xff);
          } else {
            return Error(ErrorCode::kMalformed, "misplaced '=' in the base64 text");
          }
          quantum_chars_ = 0;
        }
        if (++padding_ > 2) return Error(ErrorCode::kMalformed, "too much base64 padding");
      } else {
        return Error(ErrorCode::kMalformed, "the base64 text contains a character outside the base64 alphabet");
      }
    }
  }
  size_t n = std::min(capacity, ready_.size() - ready_pos_);
  std::memcpy(buffer, ready_.data() + ready_pos_, n);
  ready_pos_ += n;
  return n;
}

Result<size_t> CrlfSource::Read(char* buffer, size_t capacity) {
  if (capacity < 2) return Error(ErrorCode::kInternal, "CrlfSource needs room for CRLF");
  // Reads at most half the room, so each LF can grow into CRLF.
  raw_.resize(capacity / 2);
  ASSIGN_OR_RETURN(size_t n, in_.Read(raw_.data(), raw_.size()));
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = raw_[i];
    if (c == '\n' && !last_was_cr_) buffer[out++] = '\r';
    buffer[out++] = c;
    last_was_cr_ = c == '\r';
  }
  return out;
}

Status CrlfSink::Write(std::string_view bytes) {
  converted_.clear();
  converted_.reserve(bytes.size() + bytes.size() / 16 + 2);
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && !(i == 0 ? last_was_cr_ : bytes[i - 1] == '\r')) {
      converted_.append(bytes.substr(start, i - start));
      converted_ += '\r';
      start = i;
    }
  }
  converted_.append(bytes.substr(start));
  if (!bytes.empty()) last_was_cr_ = bytes.back() == '\r';
  return out_.Write(converted_);
}

}  // namespace sealpost::mime

// SPDX-License-Identifier: Apache-2.0
#include "mime/stream_codecs.h"

#include "mime/internal/base64_lines.h"
#include "mime/line_scan.h"

#include <algorithm>
#include <cstring>

namespace sealpost::mime {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kLineBytes = internal::kBase64LineBytes;
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

}  // namespace

Status Base64EncodingSink::EncodeLines(std::string_view whole_lines) {
  // Encodes a run of complete 57-byte lines straight into one output buffer.
  const size_t lines = whole_lines.size() / kLineBytes;
  encoded_.resize(lines * internal::kBase64LineChars);
  internal::EncodeBase64Lines(reinterpret_cast<const unsigned char*>(whole_lines.data()), lines, encoded_.data());
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
    char line[internal::kBase64LineChars];
    const size_t n =
        internal::EncodeBase64Tail(reinterpret_cast<const unsigned char*>(pending_.data()), pending_.size(), line);
    pending_.clear();
    RETURN_IF_ERROR(out_.Write(std::string_view(line, n)));
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
      // As Base64Decode: '=' counts as a character of its group, and a text whose last
      // group has one character (data or '=') is cut short.
      if (padding_ > 0 ? (chars_before_padding_ + padding_) % 4 == 1 : quantum_chars_ == 1)
        return Error(ErrorCode::kMalformed, "the base64 text ends in the middle of a character group");
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
    // Written through a pointer into room for the worst case (three bytes per four
    // characters, plus what an open group from the last read completes).
    ready_.resize(n / 4 * 3 + 6);
    char* o = ready_.data();
    const auto* p = reinterpret_cast<const uint8_t*>(raw_.data());
    const auto* const end = p + n;
    while (p < end) {
      // Fast path: whole groups of four alphabet characters, the body of every line.
      if (quantum_chars_ == 0 && padding_ == 0) {
        internal::DecodeBase64Groups(p, end, o);
        if (p == end) break;
      }
      const uint8_t v = kDecode[*p++];
      if (v < 64) {
        if (padding_) return Error(ErrorCode::kMalformed, "the base64 text continues after its padding");
        quantum_ = (quantum_ << 6) | v;
        if (++quantum_chars_ == 4) {
          *o++ = static_cast<char>(quantum_ >> 16);
          *o++ = static_cast<char>((quantum_ >> 8) & 0xff);
          *o++ = static_cast<char>(quantum_ & 0xff);
          quantum_ = 0;
          quantum_chars_ = 0;
        }
      } else if (v == 64) {
        continue;
      } else if (v == 65) {
        if (padding_ == 0) {
          // Padding closes the group: its whole bytes are kept, as Base64Decode keeps them
          // (the two must agree on every input; where '=' may stand is judged at the end).
          if (quantum_chars_ == 2) {
            *o++ = static_cast<char>(quantum_ >> 4);
          } else if (quantum_chars_ == 3) {
            *o++ = static_cast<char>(quantum_ >> 10);
            *o++ = static_cast<char>((quantum_ >> 2) & 0xff);
          }
          chars_before_padding_ = quantum_chars_;
          quantum_chars_ = 0;
          quantum_ = 0;
        }
        if (++padding_ == 8) padding_ = 4;  // only "some" and its value mod 4 matter
      } else {
        return Error(ErrorCode::kMalformed, "the base64 text contains a character outside the base64 alphabet");
      }
    }
    ready_.resize(static_cast<size_t>(o - ready_.data()));
  }
  size_t n = std::min(capacity, ready_.size() - ready_pos_);
  std::memcpy(buffer, ready_.data() + ready_pos_, n);
  ready_pos_ += n;
  return n;
}

Result<size_t> CrlfSource::Read(char* buffer, size_t capacity) {
  if (capacity < 2) return Error(ErrorCode::kInternal, "CrlfSource needs room for CRLF");
  // Reads at most half the room, so each LF can grow into CRLF.
  if (converting_) {
    // The last block had bare LFs (a file saved with Unix line ends has them throughout):
    // read aside and copy in once, adding the CRs.
    raw_.resize(capacity / 2);
    ASSIGN_OR_RETURN(size_t n, in_.Read(raw_.data(), raw_.size()));
    if (n == 0) return n;
    const size_t out = CopyWithCrlf(raw_.data(), n, last_was_cr_, buffer);
    converting_ = out != n;
    last_was_cr_ = buffer[out - 1] == '\r';
    return out;
  }
  // Mail is mostly CRLF already: it is read straight into the caller's buffer and, if no
  // LF lacks its CR, left there untouched.
  ASSIGN_OR_RETURN(size_t n, in_.Read(buffer, capacity / 2));
  const size_t bare = FindBareLf(buffer, n, last_was_cr_);
  if (bare == n) {
    if (n > 0) last_was_cr_ = buffer[n - 1] == '\r';
    return n;
  }
  // From the first bare LF on, the bytes are moved aside and copied back with CRs added.
  raw_.assign(buffer + bare, n - bare);
  const size_t out = bare + CopyWithCrlf(raw_.data(), raw_.size(), false, buffer + bare);
  last_was_cr_ = buffer[out - 1] == '\r';
  converting_ = true;
  return out;
}

Status CrlfSink::Write(std::string_view bytes) {
  // Mail is mostly CRLF already: then the bytes pass straight through, uncopied.
  const size_t bare = FindBareLf(bytes.data(), bytes.size(), last_was_cr_);
  if (!bytes.empty()) last_was_cr_ = bytes.back() == '\r';
  if (bare == bytes.size()) return out_.Write(bytes);
  converted_.resize(bare + 2 * (bytes.size() - bare));
  std::memcpy(converted_.data(), bytes.data(), bare);
  const size_t rest = CopyWithCrlf(bytes.data() + bare, bytes.size() - bare, false, converted_.data() + bare);
  return out_.Write(std::string_view(converted_.data(), bare + rest));
}

Status CrlfSink::WriteCanonical(std::string_view bytes) {
  if (!bytes.empty()) last_was_cr_ = bytes.back() == '\r';
  return out_.Write(bytes);
}

}  // namespace sealpost::mime

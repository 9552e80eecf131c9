// SPDX-License-Identifier: Apache-2.0
// The cores both base64 codecs share (the whole-buffer functions and the streaming sink and
// source): RFC 2045 lines of 57 input bytes → 76 characters and CRLF, and the decoding of
// runs of whole four-character groups.
#pragma once

#include <cstddef>

namespace sealpost::mime::internal {

inline constexpr std::size_t kBase64LineBytes = 57;
inline constexpr std::size_t kBase64LineChars = 78;  // 76 characters and CRLF

// Encodes `lines` whole lines from `in` into `out`, which has room for lines * 78 bytes.
void EncodeBase64Lines(const unsigned char* in, std::size_t lines, char* out);

// Encodes a last, partial line of 1..56 bytes with its padding and CRLF into `out` (room
// for 78 bytes); returns the bytes written.
std::size_t EncodeBase64Tail(const unsigned char* in, std::size_t n, char* out);

// Decodes whole groups of four alphabet characters from `in` (up to `end`) into `out`,
// advancing both, and skips the line breaks (CRLF or LF) between whole groups; stops
// before the first group holding anything else (other white space, '=', a stray byte, a
// break inside a group), which the caller's careful path then takes. `out` has room for 3
// bytes per 4 characters.
void DecodeBase64Groups(const unsigned char*& in, const unsigned char* end, char*& out);

}  // namespace sealpost::mime::internal

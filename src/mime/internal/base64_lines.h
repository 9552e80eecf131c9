// SPDX-License-Identifier: Apache-2.0
// The encoding core both base64 encoders share (the whole-buffer one and the streaming sink):
// RFC 2045 lines of 57 input bytes → 76 characters and CRLF.
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

}  // namespace sealpost::mime::internal

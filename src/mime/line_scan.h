// SPDX-License-Identifier: Apache-2.0
// Scans for what canonical mail text (RFC 5322 §2.3, RFC 8551 §3.1.1) must not have: a bare
// LF, a line too long. Big messages are checked block by block; the loops these replace
// called memchr and memcpy once per line, and for 77-character lines that was a fifth of a
// 200 MiB signature's main thread. With AVX2, 32 bytes are compared at a time and only the LFs'
// bits are walked.
#pragma once

#include <cstddef>

namespace sealpost::mime {

// The offset of the first LF in [p, p+n) that has no CR before it, or n. `cr_before`: the
// byte before p was a CR (a CRLF split between two blocks is not bare).
size_t FindBareLf(const char* p, size_t n, bool cr_before);

// Copies [p, p+n) to `out`, putting a CR before every bare LF (`cr_before` as above);
// returns the bytes written, at most 2n. Mail saved on Unix has LF line ends throughout:
// the runs between them are copied 32 bytes at a time instead of one call per line.
size_t CopyWithCrlf(const char* p, size_t n, bool cr_before, char* out);

// `open_line`: octets since the last LF before p. Walks the lines that end in [p, p+n):
// returns the offset of the LF ending the first whose octets (CR included, LF not) are more
// than `max_line`, or n, and then `open_line` is the length of the line still open at the
// block's end (which the caller checks too; it may already be over).
size_t FindOverlongLine(const char* p, size_t n, size_t& open_line, size_t max_line);

// The same without AVX2, for CPUs that lack it and to check the AVX2 forms against.
size_t FindBareLfPortable(const char* p, size_t n, bool cr_before);
size_t CopyWithCrlfPortable(const char* p, size_t n, bool cr_before, char* out);
size_t FindOverlongLinePortable(const char* p, size_t n, size_t& open_line, size_t max_line);

}  // namespace sealpost::mime

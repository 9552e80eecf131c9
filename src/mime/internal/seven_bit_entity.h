// SPDX-License-Identifier: Apache-2.0
// A fast path beside GMime's 7-bit re-encoding for signing (mime::PrepareForSigning): plain
// text that GMime would return unchanged is recognised without loading GMime (1.3 ms of a
// small `sign`). It answers only when sure and must agree with GMime exactly where it does
// (seven_bit_entity_test.cpp, over generated entities).
#pragma once

#include <string_view>

#include "core/result.h"
#include "mime/composer.h"

namespace sealpost::mime::internal {

// True when `entity` (canonical CRLF) is one GMime's re-encoding leaves byte-for-byte:
// header fields Content-Type (simple, not multipart or message) and at most one
// Content-Transfer-Encoding of 7bit, unfolded; a body of printable ASCII and tabs in CRLF
// lines (the last may end without one) of at most 996 octets, none ending in a space or
// tab, none starting "From ".
bool SigningLeavesUnchanged(std::string_view entity);

// PrepareForSigning's GMime step on its own (re-encodes `split.entity`), for the tests.
Result<SplitMessage> ReencodeForSigningWithGMime(SplitMessage split);

}  // namespace sealpost::mime::internal

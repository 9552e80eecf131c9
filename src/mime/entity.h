// SPDX-License-Identifier: Apache-2.0
// Entity: a MIME entity seen as exact byte ranges of the input (header block, body), with
// its header fields. Crypto layers work on these ranges, never on a re-serialised tree, so a
// signature is checked over the bytes that were received (RFC 8551 §3.1.1).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sealpost::mime {

struct HeaderField {
  std::string name;       // as written
  std::string value;      // unfolded, leading/trailing white space trimmed
  std::string_view raw;   // the field's exact bytes, folding and line end included
};

// Caps that keep hostile input bounded (docs/limits.md). A header line may be up to 64 KiB
// (RFC 5322 says 998 octets, but real gateways fold badly; catalogue R3's hard cap), and
// 2,000 fields is ten times what a long Received chain needs.
inline constexpr std::size_t kMaxHeaderLine = 64 * 1024;
inline constexpr std::size_t kMaxHeaderFields = 2000;
// MIME parts per multipart, and in a whole message walked for a verdict: each part costs a
// header parse and a recursion, so 100,000 one-line parts would cost seconds (catalogue R3).
inline constexpr std::size_t kMaxMimeParts = 10000;

struct Entity {
  std::string_view raw;           // the whole entity
  std::string_view header_block;  // header fields, up to and including the blank line
  std::string_view body;
  std::vector<HeaderField> headers;

  // The first field named `name` (case-insensitive), or nullptr.
  const HeaderField* Find(std::string_view name) const;
  int Count(std::string_view name) const;
};

// Splits `raw` into header fields and body. An input that does not begin with a header
// field has no headers (its whole text is the body). Errors: kMalformed for a header line
// over kMaxHeaderLine or more than kMaxHeaderFields fields. `raw` must outlive the Entity.
Result<Entity> ParseEntity(std::string_view raw);

// Case-insensitive ASCII comparison for header names and MIME tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Lines ending in bare LF become CRLF; existing CRLF stays (RFC 5751 §3.1.1 canonical form).
std::string CanonicalizeLineEndings(std::string_view text);
// Whether every LF in `text` already follows a CR, i.e. CanonicalizeLineEndings(text) == text:
// a signed part received in that form is digested where it lies, without a copy.
bool HasCanonicalLineEndings(std::string_view text);

// The parts of a multipart body (RFC 2046 §5.1.1): the bytes between delimiter lines,
// without the line break that belongs to the next delimiter. `closed` reports whether the
// close delimiter was seen.
struct MultipartParts {
  std::vector<std::string_view> parts;
  bool closed = false;
};
// Errors: kMalformed (no boundary, no delimiter line), kLimit (more than `max_parts`).
Result<MultipartParts> SplitMultipart(std::string_view body, std::string_view boundary,
                                      std::size_t max_parts = kMaxMimeParts);

}  // namespace sealpost::mime

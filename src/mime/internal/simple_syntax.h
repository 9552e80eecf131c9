// SPDX-License-Identifier: Apache-2.0
// Fast paths for the plain syntax nearly all mail uses, beside GMime's general parsers.
// Each answers only when the input is unmistakably simple and otherwise says "ask GMime";
// where it answers it must agree with GMime exactly (tested differentially in
// simple_syntax_test.cpp and by the mime_structure fuzzer). A bulk mailbox run spent a fifth
// of its time in GMime objects for headers like `text/plain; charset=us-ascii`.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"
#include "mime/content_type.h"

namespace sealpost::mime::internal {

// `type/subtype` and `; name=value` parameters made of RFC 2045 tokens, or of quoted strings
// of printable ASCII without backslashes or encoded words. nullopt for anything else.
std::optional<ContentType> ParseSimpleContentType(std::string_view value);

// True when `entity` is sure to parse as one leaf part: a header block of plain fields
// (`Name: value` lines, folded or not, ended by a blank line) whose Content-Type, if any,
// is a simple one that is neither multipart nor message. False means "not known".
bool IsPlainLeafEntity(std::string_view entity);

// GMime's answers, for the differential tests.
ContentType ParseContentTypeWithGMime(std::string_view value);
Status CheckContentParsesWithGMime(std::string_view entity);

}  // namespace sealpost::mime::internal

// SPDX-License-Identifier: Apache-2.0
// Base64 (RFC 2045 §6.8) for CMS bodies: strict decoding, line-wrapped encoding.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost::mime {

// Encodes with 76-character lines, each ended by CRLF.
std::string Base64Encode(std::string_view data);

// Decodes, skipping white space (CR, LF, space, tab). Any other character outside the
// alphabet, data after padding, or a dangling single character → kMalformed.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace sealpost::mime

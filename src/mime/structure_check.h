// SPDX-License-Identifier: Apache-2.0
// Structural checks on a message before we sign or encrypt it: what we would refuse to
// read we must not produce.
#pragma once

#include <string_view>

#include "core/result.h"

namespace sealpost::mime {

// The same depth as reading accepts (policy::AlgorithmPolicy::max_mime_depth): what we would
// refuse to read we must not produce.
inline constexpr int kMaxMimeDepth = 32;

// Every multipart has a boundary and at least one delimiter line, nesting stays within
// `max_depth`, header lines within their cap. Errors: kMalformed, kLimit.
Status CheckStructure(std::string_view entity, int max_depth = kMaxMimeDepth);

}  // namespace sealpost::mime

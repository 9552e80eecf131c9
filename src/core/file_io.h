// SPDX-License-Identifier: Apache-2.0
// Reading inputs and writing outputs atomically (temp file, fsync, rename): a failure
// never leaves a half-written file behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost {

// Reads a whole file ("-" = stdin). Fails with kNotFound / kIo naming the path, and with
// kLimit when it is larger than `max_bytes` (checked before and while reading, so a huge
// input is never read whole).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = SIZE_MAX);

// Writes `data` to `path` via a temp file in the same directory + fsync + rename, with
// permissions `mode`. "-" writes to stdout. On failure nothing is left at `path`.
Status WriteFileAtomically(const std::string& path, std::string_view data, unsigned mode = 0644);

}  // namespace sealpost

// SPDX-License-Identifier: Apache-2.0
// Reading a password: from a file (scripts) or a no-echo terminal prompt.
#pragma once

#include <string>

#include "core/result.h"
#include "core/secret_bytes.h"

namespace sealpost::cli {

// From `file` (its first line) when given; otherwise prompts on the terminal without echo.
// No file and no terminal → kInvalidArgument advising --password-file.
Result<SecretBytes> ReadSecret(const std::string& file, const std::string& prompt);

}  // namespace sealpost::cli

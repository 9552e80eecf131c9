// SPDX-License-Identifier: Apache-2.0
// Reading one line from a terminal with echo switched off, restoring it afterwards.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "core/secret_bytes.h"

namespace sealpost::keys::internal {

inline constexpr std::size_t kMaxPassphraseSize = 4096;

// Writes `prompt` to `out_fd`, turns echo off on `in_fd` if it is a terminal, reads one
// line (without its line ending) and restores the terminal, even on failure. The prompt
// is written only once echo is off. kInvalidArgument on EOF before any newline with
// nothing typed; kLimit beyond kMaxPassphraseSize. Separate descriptors so tests can use
// a pseudo-terminal.
Result<SecretBytes> ReadHiddenLine(int in_fd, int out_fd, std::string_view prompt);

}  // namespace sealpost::keys::internal

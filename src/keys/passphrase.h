// SPDX-License-Identifier: Apache-2.0
// Passphrase sources for the vault: a file (first line) or a no-echo terminal prompt.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret_bytes.h"

namespace sealpost::keys {

// Names a file whose first line is the passphrase (scripts, CI, the demo).
inline constexpr const char* kPassphraseFileEnv = "SEALPOST_PASSPHRASE_FILE";

// A passphrase and what the user should be told about where it came from. The passphrase
// itself is never echoed, logged or put into an error message.
struct Passphrase {
  SecretBytes secret;
  std::string warning;  // e.g. the file is readable by other users; empty if none
};

enum class PassphraseUse {
  kUnlock,  // asked once
  kNew,     // creating a vault or changing its passphrase: asked twice on a terminal
};

// The first line of `path` without its "\n" or "\r\n". kNotFound / kIo naming the path;
// kInvalidArgument if that line is empty; kLimit beyond 4 KiB. A file that group or
// others may access is still used, with a warning.
Result<Passphrase> ReadPassphraseFile(const std::string& path);

// Asks on the controlling terminal (/dev/tty) with echo off; with kNew, twice, and the
// answers must match. kInvalidArgument without a terminal, on mismatch or empty input.
Result<SecretBytes> PromptPassphrase(std::string_view prompt, PassphraseUse use);

// `file` if given, else $SEALPOST_PASSPHRASE_FILE if set, else the terminal prompt.
Result<Passphrase> GetPassphrase(std::string_view prompt, PassphraseUse use, const std::string& file = {});

}  // namespace sealpost::keys

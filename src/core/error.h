// SPDX-License-Identifier: Apache-2.0
// Error: what failed, on what input, and what the user can do about it.
#pragma once

#include <string>
#include <string_view>

namespace sealpost {

// The domain of a failure. The CLI maps these to exit codes, so keep them coarse.
enum class ErrorCode {
  kInvalidArgument,  // the caller passed something unusable (usage error)
  kMalformed,        // input bytes are not a well-formed message/CMS/certificate
  kNotFound,         // a named file, identity or certificate does not exist
  kBadPassword,      // wrong password or passphrase
  kUnsupported,      // well-formed but uses something we do not implement
  kPolicy,           // refused by policy (weak algorithm, no recipient certificate, ...)
  kNoKey,            // no identity in the profile can open this message
  kIntegrity,        // authentication failed (GCM tag, ...): nothing released
  kIo,               // local file system failure
  kNetwork,          // a server needed for the answer is unreachable
  kLimit,            // a resource cap was hit (depth, size, count)
  kInternal,         // a bug or library failure we did not expect
};

std::string_view ErrorCodeName(ErrorCode code);

class Error final {
 public:
  Error(ErrorCode code, std::string message, std::string detail = {})
      : code_(code), message_(std::move(message)), detail_(std::move(detail)) {}

  ErrorCode code() const { return code_; }
  // One line for the user: what failed and what to do.
  const std::string& message() const { return message_; }
  // Library diagnostics (e.g. the drained OpenSSL error queue); for --verbose and logs.
  const std::string& detail() const { return detail_; }

  // Prefixes context ("reading M.eml: ") and returns *this, for chaining.
  Error&& WithContext(std::string_view context) &&;

 private:
  ErrorCode code_;
  std::string message_;
  std::string detail_;
};

}  // namespace sealpost

// SPDX-License-Identifier: Apache-2.0
// Error names and context chaining.
#include "core/error.h"

namespace sealpost {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kBadPassword: return "bad-password";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kPolicy: return "policy";
    case ErrorCode::kNoKey: return "no-key";
    case ErrorCode::kIntegrity: return "integrity";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kLimit: return "limit";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Error&& Error::WithContext(std::string_view context) && {
  message_ = std::string(context) + ": " + message_;
  return std::move(*this);
}

}  // namespace sealpost

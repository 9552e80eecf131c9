// SPDX-License-Identifier: Apache-2.0
// Draining OpenSSL's thread-local error queue into our Error values.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace sealpost::ossl {

// Empties the error queue and returns its entries joined by "; " (empty if none).
std::string DrainErrors();

// Builds an Error with `message` for the user and the drained queue as detail.
Error MakeError(ErrorCode code, std::string message);

}  // namespace sealpost::ossl

// SPDX-License-Identifier: Apache-2.0
// What a person sees: the verdict headline first, derived only from the report.
#pragma once

#include <string>
#include <string_view>

#include "smime/report.h"

namespace sealpost::cli {

// The verdict block (headline, one line per signature and layer, warnings).
std::string RenderVerdict(const smime::Report& report, int exit_code, bool require_signature);

// The first reason the verdict is not good, for the one-line stderr message.
std::string FirstReason(const smime::Report& report, bool require_signature);

// Headers (From, To, Cc, Subject, Date) of `message`, then body and attachments.
std::string RenderContent(const smime::Report& report, std::string_view message);

}  // namespace sealpost::cli

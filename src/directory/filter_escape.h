// SPDX-License-Identifier: Apache-2.0
// RFC 4515 search filters built from an administrator's template and an untrusted address.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost::directory {

// Escapes one assertion value per RFC 4515 §3: NUL * ( ) \ become \00 \2a \28 \29 \5c,
// and so does every other byte outside printable ASCII (controls, DEL, UTF-8 bytes), so
// the value can only ever match itself. Thread-safe, never fails.
std::string EscapeFilterValue(std::string_view value);

// Checks an administrator's filter template: one parenthesised filter with balanced
// parentheses, well-formed \XX escapes, and at least one %s. kInvalidArgument naming the
// template otherwise. A syntax error the server finds later is still reported by the search.
Status CheckFilterTemplate(std::string_view filter_template);

// Replaces every %s in `filter_template` with EscapeFilterValue(address).
std::string ExpandFilter(std::string_view filter_template, std::string_view address);

}  // namespace sealpost::directory

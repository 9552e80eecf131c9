// SPDX-License-Identifier: Apache-2.0
// Mailbox address parsing for From/To/Cc/Sender (RFC 5322 §3.4), via GMime.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sealpost::mime {

struct Mailbox {
  std::string display_name;  // decoded (RFC 2047)
  std::string address;       // addr-spec, lower-cased; empty when there is none
};

// Every mailbox in an address-list value (groups flattened). Malformed items are dropped.
std::vector<Mailbox> ParseAddressList(std::string_view value);

// True if `name` itself looks like an e-mail address (display-name spoofing, catalogue I2).
bool DisplayNameLooksLikeAddress(std::string_view name);

}  // namespace sealpost::mime

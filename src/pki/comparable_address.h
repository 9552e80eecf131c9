// SPDX-License-Identifier: Apache-2.0
// One comparable form for an e-mail address, so a certificate's address and a message's
// From can be compared however each spells an internationalised domain (catalogue I4, L4).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sealpost::pki {

// The address as "local@domain" in the form two spellings of one mailbox share:
//  - domain: ASCII letters lower-cased; a domain with a non-ASCII byte or an "xn--" label is
//    converted by IDNA2008 with UTS #46 non-transitional mapping to its A-label form
//    ("bücher.example", "BÜCHER.example", "xn--bcher-kva.example" → "xn--bcher-kva.example").
//    An all-ASCII domain with no A-label has nothing to convert and is only lower-cased, as
//    before IDNA was applied.
//  - local part: ASCII letters lower-cased (the sender-matching policy, README), every other
//    byte kept exactly: non-ASCII local parts are compared as their UTF-8 bytes.
// nullopt when the address has no '@', an empty side, bytes that are not UTF-8, or a domain
// IDNA rejects. Such an address matches nothing, not even itself: a failed conversion is
// never taken as "same as written".
std::optional<std::string> ComparableAddress(std::string_view address);

}  // namespace sealpost::pki

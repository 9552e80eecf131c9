// SPDX-License-Identifier: Apache-2.0
// A minimal BER/DER tag-length-value reader: definite and indefinite lengths, bounded
// depth. Used to inspect CMS headers (algorithm identifiers, GCM parameters, recipient
// types) before OpenSSL touches the rest, and later to split streams.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sealpost::cms::internal {

struct Tlv {
  std::uint8_t tag = 0;         // first identifier octet (class | constructed | number<31)
  bool constructed = false;
  bool indefinite = false;
  std::string_view whole;       // identifier + length + contents (+ end-of-contents)
  std::string_view contents;    // for indefinite lengths: the children, without 00 00
};

// Reads one TLV from the front of `in`; nullopt when malformed or nested deeper than 64.
std::optional<Tlv> ReadTlv(std::string_view in);

// The children of a constructed TLV, in order; nullopt if any is malformed.
std::optional<std::vector<Tlv>> Children(const Tlv& parent);

// Concatenated contents of an OCTET STRING that may be constructed (chunked BER).
std::optional<std::string> OctetStringValue(const Tlv& tlv);

// The value of a small non-negative INTEGER; nullopt if negative or over 2^31.
std::optional<long> SmallIntegerValue(const Tlv& tlv);

}  // namespace sealpost::cms::internal

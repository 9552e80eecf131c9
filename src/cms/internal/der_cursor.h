// SPDX-License-Identifier: Apache-2.0
// Strict DER reading, element by element: definite lengths in their shortest form and
// low tag numbers only (X.690 §10.1). Anything else is "not DER" rather than an error, for
// code that takes a fast path on DER and leaves every other encoding to OpenSSL. (ber_reader
// accepts BER, which such a path must not, and builds a vector per level.)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sealpost::cms::internal {

struct DerElement {
  std::uint8_t tag = 0;       // the identifier octet (class | constructed | number < 31)
  std::string_view whole;     // identifier, length and contents
  std::string_view contents;
};

class DerCursor final {
 public:
  explicit DerCursor(std::string_view in) : rest_(in) {}
  bool empty() const { return rest_.empty(); }

  // The next element and moves past it; nullopt (and the cursor stays) when it is not
  // strict DER or runs past the input.
  std::optional<DerElement> Next();
  // The same, but only when the next element has `tag`.
  std::optional<DerElement> Next(std::uint8_t tag);
  // Whether the next element has `tag` (without reading it).
  bool NextIs(std::uint8_t tag) const { return !rest_.empty() && static_cast<std::uint8_t>(rest_[0]) == tag; }

 private:
  std::string_view rest_;
};

// Whether `contents` is a well-formed OBJECT IDENTIFIER body as OpenSSL 3.0 reads one
// (non-empty, no subidentifier starting with 0x80, the last octet ending a subidentifier).
bool IsWellFormedOid(std::string_view contents);

}  // namespace sealpost::cms::internal

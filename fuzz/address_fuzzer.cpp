// SPDX-License-Identifier: Apache-2.0
// Fuzz target: an address-list value (From/Sender/To) through GMime's RFC 5322 parser to
// the sender binding of `sealpost read` (the From address a signer must match).
// Invariants: the fast From path agrees with GMime wherever it answers; every address
// is a lower-case addr-spec with an '@' and no NUL/CR/LF
// (catalogue R11); an address re-parses from "<addr>" to itself; the reader binds a From
// only when it names exactly one mailbox, and binds exactly that address; a signer's
// certificate matches From only if it lists that address.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "mime/addresses.h"
#include "mime/internal/simple_address.h"
#include "pki/comparable_address.h"

namespace {

using sealpost::fuzz::Check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value = sealpost::fuzz::AsView(data, size);
  auto boxes = sealpost::mime::ParseAddressList(value);
  // Where the fast path answers, GMime's parse gives the same one mailbox.
  if (auto simple = sealpost::mime::internal::ParseSimpleMailbox(value)) {
    auto slow = sealpost::mime::internal::ParseAddressListWithGMime(value);
    Check(slow.size() == 1 && slow[0].address == simple->address && slow[0].display_name == simple->display_name,
          "the fast From path and GMime read a value differently");
  }
  for (const auto& box : boxes) {
    Check(box.display_name.find('\0') == std::string::npos, "a display name with a NUL byte");
    (void)sealpost::mime::DisplayNameLooksLikeAddress(box.display_name);
    if (box.address.empty()) continue;
    const std::string& a = box.address;
    Check(a.find('@') != std::string::npos, "an address without '@'");
    Check(a.find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos, "an address with NUL, CR or LF");
    Check(std::none_of(a.begin(), a.end(), [](char c) { return c >= 'A' && c <= 'Z'; }), "an address not lower-cased");
    auto again = sealpost::mime::ParseAddressList("<" + a + ">");
    Check(again.size() == 1 && again[0].address == a, "an address does not re-parse to itself");
    // alice's certificate lists alice@example.org. An ASCII address matches it only as
    // exactly that; a non-ASCII one only if UTS #46 maps its domain there (fullwidth letters,
    // ideographic full stop), i.e. its comparable form is alice's (catalogue I4).
    bool ascii = std::all_of(a.begin(), a.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    bool alice = ascii ? a == "alice@example.org" : sealpost::pki::ComparableAddress(a) == "alice@example.org";
    Check(sealpost::fuzz::Pki().alice.HasEmail(a) == alice, "alice's certificate matches an address it does not list");
  }

  // The same value as the From field of a message, read for its sender binding.
  if (value.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) return 0;
  static const sealpost::smime::SecureMimeContext* context =
      new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(/*with_keys=*/false));
  std::string message = "From: " + std::string(value) + "\r\nSubject: fuzz\r\n\r\nbody\r\n";
  auto report = context->Read(message);
  if (!report) return 0;
  sealpost::fuzz::CheckReport(*report);
  if (!report->from.empty()) {
    auto trimmed = value;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
    auto bound = sealpost::mime::ParseAddressList(trimmed);
    Check(bound.size() == 1 && bound[0].address == report->from, "the reader bound a From that is not its one mailbox");
  }
  return 0;
}

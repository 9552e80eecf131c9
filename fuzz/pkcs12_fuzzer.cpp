// SPDX-License-Identifier: Apache-2.0
// Fuzz target: PKCS#12 import (`sealpost cert import`), DER or PEM-armoured, with the seeds'
// password "fuzz" and with an empty one.
// Invariants: a file that opens yields a private key that matches its certificate, never
// that certificate again in the chain, certificates that re-serialise and re-parse to the
// same one; a failure is a typed error (bad password, malformed, unsupported).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "pki/pkcs12.h"

namespace {

using sealpost::fuzz::Check;

void Import(std::string_view bytes, std::string_view password) {
  auto contents = sealpost::pki::ParsePkcs12(bytes, sealpost::SecretBytes(password));
  if (!contents) {
    auto code = contents.error().code();
    Check(code == sealpost::ErrorCode::kBadPassword || code == sealpost::ErrorCode::kMalformed ||
              code == sealpost::ErrorCode::kUnsupported || code == sealpost::ErrorCode::kLimit ||
              code == sealpost::ErrorCode::kPolicy,  // a file without a MAC is refused (catalogue K3)
          "PKCS#12 import failed with an unexpected error kind");
    Check(!contents.error().message().empty(), "PKCS#12 import failed without a message");
    return;
  }
  Check(contents->key.Matches(contents->certificate), "the imported key does not match its certificate");
  for (const auto& c : contents->chain) Check(!(c == contents->certificate), "the certificate is also in the chain");
  auto reparsed = sealpost::pki::Certificate::Parse(contents->certificate.ToDer());
  Check(reparsed.has_value() && *reparsed == contents->certificate, "the imported certificate does not re-parse");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = sealpost::fuzz::AsView(data, size);
  Import(bytes, sealpost::fuzz::kPkcs12Password);
  Import(bytes, "");
  return 0;
}

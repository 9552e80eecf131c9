// SPDX-License-Identifier: Apache-2.0
// Fuzz target: read a message as `sealpost verify` does (every layer unwrapped, every
// signature checked against the test CA), with no private keys.
// Invariants (fuzz_support CheckReport): nothing is "signed"/good without a valid, trusted
// signer that matches From on a layer covering the whole message; only certificates of the
// test CA can be trusted; the same input gives the same verdict twice.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sealpost::fuzz::Check;
  static const sealpost::smime::SecureMimeContext* context =
      new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(/*with_keys=*/false));
  std::string_view message = sealpost::fuzz::AsView(data, size);
  auto report = context->Read(message);
  if (!report) {
    Check(report.error().code() != sealpost::ErrorCode::kInternal || !report.error().message().empty(),
          "an internal error without a message");
    return 0;
  }
  sealpost::fuzz::CheckReport(*report);
  auto again = context->Read(message);
  Check(again.has_value(), "the second read of the same message failed");
  Check(sealpost::smime::ExitCodeFor(*again, true) == sealpost::smime::ExitCodeFor(*report, true) &&
            again->signatures.size() == report->signatures.size() && again->is_signed == report->is_signed,
        "the same message got two different verdicts");
  return 0;
}

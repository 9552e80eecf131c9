// SPDX-License-Identifier: Apache-2.0
// Fuzz target: read a message as `sealpost verify` does (every layer unwrapped, every
// signature checked against the test CA), with no private keys.
// Invariants (fuzz_support CheckReport): nothing is "signed"/good without a valid, trusted
// signer that matches From on a layer covering the whole message; only certificates of the
// test CA can be trusted; the same input gives the same verdict twice, and the same with a
// bulk run's caches.
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
  // A bulk run's path (certificates and verification contexts cached, the fast signature
  // check) must reach the same verdicts as the plain one.
  static auto* certificates = new sealpost::pki::CertificateCache(4096);
  static auto* keys = new sealpost::cms::SignerKeyCache();
  sealpost::smime::ReadOptions bulk;
  bulk.certificate_cache = certificates;
  bulk.signer_key_cache = keys;
  auto cached = context->Read(message, bulk);
  Check(cached.has_value(), "the bulk path failed where the plain one read the message");
  bool same = sealpost::smime::ExitCodeFor(*cached, true) == sealpost::smime::ExitCodeFor(*report, true) &&
              cached->signatures.size() == report->signatures.size();
  for (size_t i = 0; same && i < report->signatures.size(); ++i)
    same = cached->signatures[i].status == report->signatures[i].status &&
           cached->signatures[i].trusted == report->signatures[i].trusted;
  Check(same, "the bulk path and the plain one gave different verdicts");
  return 0;
}

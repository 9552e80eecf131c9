// SPDX-License-Identifier: Apache-2.0
// Fuzz target: decrypt a message with bob's key (the embedded test identity), both as
// `sealpost decrypt` (SecureMimeContext::Decrypt) and as `sealpost read`.
// Invariants: decrypt never returns plaintext together with an integrity failure (an error
// releases nothing; CheckReport: a failed root encryption layer shows no content); when
// both paths reach the same EnvelopedData they agree on whether it opened; a decryption
// that succeeds gives the same plaintext twice. The CMS body is also decrypted as
// `sealpost decrypt` on a file does it, in one streamed pass (EnvelopeStream): whatever
// that pass opens, the in-memory one opens to the same plaintext.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cms/envelope.h"
#include "cms/envelope_stream.h"
#include "fuzz_support.h"
#include "smime/internal/cms_detect.h"

namespace {

void CheckStreamedAgainstInMemory(std::string_view message) {
  auto body = sealpost::smime::internal::ExtractCmsBody(message);
  if (!body || body->kind != sealpost::smime::internal::CmsKind::kEnveloped) return;
  const auto& pki = sealpost::fuzz::Pki();
  const std::vector<sealpost::cms::Identity> keys{{pki.bob, pki.bob_key}};
  auto in_memory = sealpost::cms::Decrypt(body->der, keys, {});
  sealpost::MemorySource in(body->der);
  auto envelope = sealpost::cms::EnvelopeStream::Open(in);
  if (!envelope) return;
  std::string streamed;
  sealpost::StringSink sink(streamed);
  if (envelope->Decrypt(keys, {}, sink)) {
    sealpost::fuzz::Check(in_memory.has_value(), "the streamed pass decrypted what the in-memory one refused");
    sealpost::fuzz::Check(*in_memory == streamed, "the streamed and in-memory passes decrypted differently");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sealpost::fuzz::Check;
  static const sealpost::smime::SecureMimeContext* context =
      new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(/*with_keys=*/true));
  std::string_view message = sealpost::fuzz::AsView(data, size);

  auto plaintext = context->Decrypt(message);
  CheckStreamedAgainstInMemory(message);
  auto report = context->Read(message);
  if (report) sealpost::fuzz::CheckReport(*report);

  if (plaintext) {
    auto again = context->Decrypt(message);
    Check(again.has_value() && *again == *plaintext, "decrypting the same message twice gave different results");
  }
  if (report && !report->layers.empty()) {
    const auto& outer = report->layers.front();
    bool root_enveloped = outer.kind == sealpost::smime::LayerVerdict::Kind::kEncrypted && outer.part.empty();
    // An authenticated layer that failed its tag must fail for Decrypt too, and vice versa.
    if (root_enveloped && outer.error_code == sealpost::ErrorCode::kIntegrity)
      Check(!plaintext, "decrypt released plaintext that read rejected for integrity");
    if (root_enveloped && outer.status == "ok" && !plaintext)
      Check(plaintext.error().code() != sealpost::ErrorCode::kIntegrity,
            "read decrypted what decrypt rejected for integrity");
  }
  if (!plaintext && plaintext.error().code() == sealpost::ErrorCode::kIntegrity && report) {
    for (const auto& layer : report->layers) {
      if (layer.kind == sealpost::smime::LayerVerdict::Kind::kEncrypted && layer.part.empty())
        Check(layer.status != "ok", "read opened what decrypt rejected for integrity");
    }
  }
  return 0;
}

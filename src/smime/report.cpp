// SPDX-License-Identifier: Apache-2.0
// Collapsing a report to an exit code: the single place that decides "good".
#include "smime/report.h"

namespace sealpost::smime {

bool SignatureVerdict::FullyGood() const {
  return status == cms::SignatureStatus::kValid && trusted && email_matches_from && covers_whole_message &&
         revocation != "revoked";
}

const LayerVerdict* Report::Encryption() const {
  for (const auto& layer : layers) {
    if (layer.kind == LayerVerdict::Kind::kEncrypted && layer.covers_whole_message) return &layer;
  }
  return nullptr;
}

int ExitCodeFor(const Report& report, bool require_signature) {
  bool malformed = !report.malformed.empty();
  bool bad = false;
  for (const auto& layer : report.layers) {
    if (layer.status == "ok") continue;
    if (layer.error_code == ErrorCode::kMalformed || layer.error_code == ErrorCode::kLimit) {
      malformed = true;
    } else {
      bad = true;  // no key, integrity failure, refused algorithm, not decrypted part
    }
  }
  for (const auto& sig : report.signatures) {
    if (!sig.FullyGood()) bad = true;
  }
  if (require_signature && !report.is_signed) bad = true;
  if (malformed) return 3;
  return bad ? 1 : 0;
}

}  // namespace sealpost::smime

// SPDX-License-Identifier: Apache-2.0
// Collapsing a report to an exit code: the single place that decides "good".
#include "smime/report.h"

namespace sealpost::smime {

bool SignatureVerdict::FullyGood() const {
  // Soft-fail (the default): "unknown" keeps the status, and the verdict says so.
  bool revocation_ok = revocation != "revoked" && !(revocation_hard_fail && revocation == "unknown");
  return status == cms::SignatureStatus::kValid && trusted && email_matches_from && covers_whole_message &&
         revocation_ok;
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
  // Hard-fail with no responder reachable: the answer needs a server we could not reach.
  bool only_unreachable = false;
  for (const auto& sig : report.signatures) {
    if (sig.revocation_hard_fail && sig.revocation == "unknown" && sig.revocation_unreachable) only_unreachable = true;
  }
  if (only_unreachable) {
    bool other_problem = false;
    for (const auto& sig : report.signatures) {
      other_problem |= !(sig.status == cms::SignatureStatus::kValid && sig.trusted && sig.email_matches_from &&
                         sig.covers_whole_message);
    }
    if (!other_problem) return 4;
  }
  return bad ? 1 : 0;
}

}  // namespace sealpost::smime

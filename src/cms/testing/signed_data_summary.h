// SPDX-License-Identifier: Apache-2.0
// Test and fuzz helper: every field of a SignedData result in one line, so two paths'
// results compare with one equality and a difference prints readably.
#pragma once

#include <string>

#include "cms/signed_data.h"

namespace sealpost::cms::testing {

inline std::string Fingerprint(const std::optional<pki::Certificate>& cert) {
  return cert ? cert->Sha256Fingerprint().substr(0, 16) : "-";
}

inline std::string Summary(const Result<SignedDataResult>& r) {
  if (!r) return "error " + std::to_string(static_cast<int>(r.error().code())) + ": " + r.error().message();
  std::string out = "certs " + std::to_string(r->certificates.size());
  for (const auto& c : r->certificates) out += " " + Fingerprint(c);
  out += r->has_econtent ? " econtent " + std::to_string(r->econtent.size()) : " detached";
  for (const auto& s : r->signers) {
    out += " | " + std::string(SignatureStatusName(s.status)) + " " + s.digest + " " + s.signature_algorithm +
           (s.weak ? " weak" : "") + " time " + (s.signing_time ? std::to_string(*s.signing_time) : "-") + " cert " +
           Fingerprint(s.certificate) + " caps";
    for (const auto& c : s.capabilities) out += " " + c;
    out += " pref " + Fingerprint(s.encryption_preference) + " [" + s.detail + "]";
  }
  return out;
}

}  // namespace sealpost::cms::testing

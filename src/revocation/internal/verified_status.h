// SPDX-License-Identifier: Apache-2.0
// VerifiedStatus: the status a signed, verified and current OCSP response or CRL gives.
#pragma once

#include <ctime>
#include <string>

#include "revocation/revocation_result.h"

namespace sealpost::revocation::internal {

struct VerifiedStatus {
  // kUnknown here is OCSP's "unknown" certStatus: the responder does not know the certificate.
  RevocationState state = RevocationState::kUnknown;
  std::time_t this_update = 0;
  std::time_t next_update = 0;  // 0 when the answer names none
  std::time_t revoked_at = 0;
  std::string reason;  // CRLReason name, empty when unstated
};

}  // namespace sealpost::revocation::internal

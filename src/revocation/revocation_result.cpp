// SPDX-License-Identifier: Apache-2.0
// Names and ordering of revocation states.
#include "revocation/revocation_result.h"

namespace sealpost::revocation {

std::string_view RevocationStateName(RevocationState state) {
  switch (state) {
    case RevocationState::kGood:
      return "good";
    case RevocationState::kRevoked:
      return "revoked";
    case RevocationState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

int Severity(RevocationState state) {
  switch (state) {
    case RevocationState::kGood:
      return 0;
    case RevocationState::kUnknown:
      return 1;
    case RevocationState::kRevoked:
      return 2;
  }
  return 1;
}

}  // namespace sealpost::revocation

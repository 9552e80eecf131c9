// SPDX-License-Identifier: Apache-2.0
// Adapter from revocation::RevocationChecker to the engine's RevocationSource.
#include "profile/revocation_source.h"

namespace sealpost::profile {

smime::RevocationAnswer CheckerRevocationSource::Check(const std::vector<pki::Certificate>& chain) {
  revocation::RevocationResult r = checker_.CheckChain(chain);
  smime::RevocationAnswer answer;
  answer.state = std::string(revocation::RevocationStateName(r.state));
  answer.detail = r.detail;
  if (r.state == revocation::RevocationState::kRevoked && !r.reason.empty()) answer.detail += " (" + r.reason + ")";
  answer.unreachable = r.unreachable;
  return answer;
}

}  // namespace sealpost::profile

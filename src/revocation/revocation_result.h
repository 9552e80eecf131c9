// SPDX-License-Identifier: Apache-2.0
// RevocationResult: what revocation checking found out about one certificate, as a value.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace sealpost::revocation {

// kGood and kRevoked only ever come from a signed answer that verified and was current;
// everything else (no responder named, unreachable, unverifiable, stale) is kUnknown.
enum class RevocationState { kGood, kRevoked, kUnknown };

// "good", "revoked", "unknown": the stable strings of the verdict and of JSON output.
std::string_view RevocationStateName(RevocationState state);

struct RevocationResult {
  RevocationState state = RevocationState::kUnknown;
  std::string source;          // "ocsp", "crl" or "cache" (a stored answer, re-verified); empty when unknown
  std::string detail;          // one line: who answered and until when, or every reason it is unknown
  std::string subject;         // the certificate the answer is about (RFC 2253), for chain results
  std::time_t revoked_at = 0;  // kRevoked: revocationDate / revocationTime
  std::string reason;          // kRevoked: CRLReason name ("keyCompromise"), empty if unstated
  // kUnknown and every OCSP responder and CRL server tried was unreachable (connection refused,
  // timeout, HTTP error status): no server answered at all. Hard-fail reports this as a network
  // failure; unknown for other reasons (no URL, bad signature, stale, too large) leaves it false.
  bool unreachable = false;
};

// Orders states for chains: revoked is worse than unknown, unknown worse than good.
int Severity(RevocationState state);

}  // namespace sealpost::revocation

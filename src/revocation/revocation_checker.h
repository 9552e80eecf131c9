// SPDX-License-Identifier: Apache-2.0
// RevocationChecker: is a certificate revoked? OCSP (RFC 6960) first, then CRLs (RFC 5280),
// over plain HTTP, with a cache of signed answers.
#pragma once

#include <cstddef>
#include <ctime>
#include <string>
#include <vector>

#include "pki/certificate.h"
#include "revocation/revocation_result.h"

namespace sealpost::revocation {

struct RevocationOptions {
  // Directory for cached OCSP responses and CRLs (created 0700 on first write); empty
  // disables caching.
  std::string cache_dir;
  long timeout_ms = 5000;                     // per HTTP exchange, connecting included
  std::size_t max_response_bytes = 10 << 20;  // larger OCSP responses or CRLs are refused
  // The time answers must be current at (thisUpdate..nextUpdate) and responder
  // certificates valid at; 0 = the wall clock at each Check. Revocation answers describe the
  // present, so callers verifying old mail should still pass "now" here.
  std::time_t at = 0;
};

// Stateless apart from the cache directory, so one instance may be shared across threads
// (cache files are replaced atomically). Nothing here throws.
class RevocationChecker final {
 public:
  explicit RevocationChecker(RevocationOptions options) : options_(std::move(options)) {}

  // Checks `cert` issued by `issuer` (the next certificate of a validated chain). Order:
  // cached OCSP answer, cached CRL (a hit touches no network), then each http:// OCSP URL
  // of the AIA extension, then each http:// CRL distribution point. The first signed answer
  // that verifies against `issuer` and is current decides; an OCSP "unknown" falls through
  // to the CRLs. kGood/kRevoked need such an answer; otherwise kUnknown with every reason in
  // `detail` (no URL named, unreachable, refused, unverifiable, stale, too large).
  RevocationResult Check(const pki::Certificate& cert, const pki::Certificate& issuer) const;

  // Checks every certificate of a validated chain (leaf first) against the one after it;
  // the last (the trust anchor) is not checked. The worst state wins (revoked > unknown >
  // good), the first such certificate's result is returned, and a revoked certificate stops
  // the walk. A chain of fewer than two certificates is kUnknown (nothing issued it that we
  // could ask about).
  RevocationResult CheckChain(const std::vector<pki::Certificate>& chain) const;

 private:
  RevocationOptions options_;
};

}  // namespace sealpost::revocation

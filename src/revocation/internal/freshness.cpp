// SPDX-License-Identifier: Apache-2.0
// thisUpdate/nextUpdate arithmetic shared by the OCSP and CRL checks and the cache.
#include "revocation/internal/freshness.h"

#include <openssl/asn1.h>

namespace sealpost::revocation::internal {

std::time_t ExpiresAt(std::time_t this_update, std::time_t next_update) {
  return next_update != 0 ? next_update : this_update + kDefaultLifetimeSeconds;
}

Freshness CheckFreshness(std::time_t this_update, std::time_t next_update, std::time_t at) {
  if (this_update > at + kClockSkewSeconds) return Freshness::kNotYetValid;
  if (next_update != 0 && next_update < this_update) return Freshness::kExpired;  // an empty window
  if (at > ExpiresAt(this_update, next_update) + kClockSkewSeconds) return Freshness::kExpired;
  return Freshness::kCurrent;
}

std::time_t AsnTimeToTimeT(const asn1_string_st* time) {
  struct tm tm {};
  if (!time || ASN1_TIME_to_tm(time, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace sealpost::revocation::internal

// SPDX-License-Identifier: Apache-2.0
// Whether a signed revocation answer (OCSP response or CRL) is current at a given time.
#pragma once

#include <ctime>

struct asn1_string_st;  // ASN1_TIME

namespace sealpost::revocation::internal {

// Tolerated difference between our clock and the responder's (RFC 6960 §4.2.2.1 leaves it
// to local policy; OpenSSL's own `ocsp` tool uses 5 minutes).
constexpr std::time_t kClockSkewSeconds = 5 * 60;
// How long an answer without nextUpdate counts as current after its thisUpdate.
constexpr std::time_t kDefaultLifetimeSeconds = 60 * 60;

enum class Freshness { kCurrent, kNotYetValid, kExpired };

// `next_update` 0 means absent; the answer then lives kDefaultLifetimeSeconds.
std::time_t ExpiresAt(std::time_t this_update, std::time_t next_update);

// Current when this_update <= at + skew and at <= ExpiresAt(...) + skew; a nextUpdate
// before thisUpdate is never current.
Freshness CheckFreshness(std::time_t this_update, std::time_t next_update, std::time_t at);

// UTC seconds of an ASN1_TIME; 0 for null or unparsable.
std::time_t AsnTimeToTimeT(const asn1_string_st* time);

}  // namespace sealpost::revocation::internal

// SPDX-License-Identifier: Apache-2.0
// Deciding a certificate's status from a CRL fetched from its distribution point.
#pragma once

#include <ctime>
#include <string_view>

#include "core/result.h"
#include "pki/certificate.h"
#include "revocation/internal/verified_status.h"

namespace sealpost::revocation::internal {

// Parses `crl` (DER or PEM) and returns `cert`'s status in it, after checking, per RFC 5280
// §6.3.3: the CRL names `issuer` as its issuer, `issuer` may sign CRLs (cRLSign) and its key
// verifies the signature, the CRL is current at `at`, it is a complete CRL (no delta
// indicator, no unknown critical extension, no reasons subset, not indirect) whose scope
// covers `cert`, and, if it names its distribution point, that point is `url`.
// Fails with the reason when any of that does not hold; never returns kUnknown.
Result<VerifiedStatus> CheckCrl(std::string_view crl, const pki::Certificate& cert, const pki::Certificate& issuer,
                                std::string_view url, std::time_t at);

}  // namespace sealpost::revocation::internal

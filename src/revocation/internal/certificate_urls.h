// SPDX-License-Identifier: Apache-2.0
// Where a certificate says its revocation status is published: AIA OCSP and CRL DP URIs.
#pragma once

#include <string>
#include <vector>

#include "pki/certificate.h"

namespace sealpost::revocation::internal {

// Every URI of the authorityInfoAccess extension's id-ad-ocsp entries, in order
// (RFC 5280 §4.2.2.1). Any scheme; the caller filters.
std::vector<std::string> OcspResponderUrls(const pki::Certificate& cert);

// Every URI in the fullName of the cRLDistributionPoints extension (RFC 5280 §4.2.1.13), in
// order. Points with a cRLIssuer (indirect CRLs) or a reasons subset are skipped: their CRL
// alone cannot say "not revoked". Any scheme; the caller filters.
std::vector<std::string> CrlDistributionUrls(const pki::Certificate& cert);

}  // namespace sealpost::revocation::internal

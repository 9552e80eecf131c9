// SPDX-License-Identifier: Apache-2.0
// Strict parsing of the certificate attribute values a directory publishes.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "pki/certificate.h"
#include "pki/certificate_cache.h"

namespace sealpost::directory::internal {

// One userCertificate value: exactly one DER X.509 certificate and nothing after it
// (RFC 4523 §2.1). kMalformed otherwise. Parsed once per distinct value through `cache`.
Result<pki::Certificate> ParseCertificateValue(std::string_view der, pki::CertificateCache& cache);

// One userSMIMECertificate value: a DER PKCS#7 SignedData, usually certs-only
// (RFC 2798 §2.8). Returns its certificates in order, unverified; signatures are not
// checked and nothing becomes trusted. kMalformed when it is not a SignedData.
Result<std::vector<pki::Certificate>> ParseSmimeBundle(std::string_view der);

}  // namespace sealpost::directory::internal

// SPDX-License-Identifier: Apache-2.0
// OcspQuery: one OCSP request about a certificate, and verification of the answer to it.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "core/result.h"
#include "pki/certificate.h"
#include "revocation/internal/revocation_handles.h"
#include "revocation/internal/verified_status.h"

namespace sealpost::revocation::internal {

// Owns the OCSP_REQUEST (which holds the CertID and the nonce). Move-only.
class OcspQuery final {
 public:
  // A request for `cert` issued by `issuer` with a SHA-1 CertID (RFC 6960 §4.1.1; RFC 5019
  // §2.1.1 makes SHA-1 the one every responder understands) and a fresh nonce (§4.4.1).
  static Result<OcspQuery> Create(const pki::Certificate& cert, const pki::Certificate& issuer);

  // DER OCSPRequest for an HTTP POST (RFC 6960 App. A.1).
  Result<std::string> RequestDer() const;

  // Cache key material: the DER CertID (not the nonce), the same for every request.
  std::string CertIdDer() const;

  // Verifies `response` as an answer about this CertID: successful status, a BasicOCSPResponse
  // signed by `issuer` itself or by a responder certificate `issuer` issued with
  // id-kp-OCSPSigning (RFC 6960 §4.2.2.2), current at `at`. With `check_nonce` an echoed nonce
  // must match ours; a responder that echoes none is accepted (RFC 5019 §2.1 responders
  // pre-sign), freshness then bounds replay. Fails with the reason when anything does not hold.
  Result<VerifiedStatus> Verify(std::string_view response, const pki::Certificate& issuer, std::time_t at,
                                bool check_nonce) const;

 private:
  explicit OcspQuery(OcspRequestPtr request) : request_(std::move(request)) {}
  const OCSP_CERTID* cert_id() const;

  OcspRequestPtr request_;
};

}  // namespace sealpost::revocation::internal

// SPDX-License-Identifier: Apache-2.0
// OCSP request building and response verification with OpenSSL's OCSP API.
#include "revocation/internal/ocsp_query.h"

#include <openssl/ocsp.h>

#include "ossl/errors.h"
#include "revocation/internal/freshness.h"

namespace sealpost::revocation::internal {
namespace {

Error Rejected(std::string why) { return ossl::MakeError(ErrorCode::kIntegrity, std::move(why)); }

std::string ReasonName(int reason) {
  if (reason < 0) return {};  // V_OCSP_CERTSTATUS_REVOKED without a reasonCode
  return OCSP_crl_reason_str(reason);
}

}  // namespace

Result<OcspQuery> OcspQuery::Create(const pki::Certificate& cert, const pki::Certificate& issuer) {
  OcspRequestPtr request(OCSP_REQUEST_new());
  OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert.native(), issuer.native()));
  if (!request || !id) return ossl::MakeError(ErrorCode::kInternal, "cannot build an OCSP request");
  if (!OCSP_request_add0_id(request.get(), id.get())) {
    return ossl::MakeError(ErrorCode::kInternal, "cannot build an OCSP request");
  }
  (void)id.release();  // now owned by the request
  if (OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1) {
    return ossl::MakeError(ErrorCode::kInternal, "cannot add a nonce to the OCSP request");
  }
  return OcspQuery(std::move(request));
}

const OCSP_CERTID* OcspQuery::cert_id() const {
  return OCSP_onereq_get0_id(OCSP_request_onereq_get0(request_.get(), 0));
}

Result<std::string> OcspQuery::RequestDer() const {
  unsigned char* der = nullptr;
  int length = i2d_OCSP_REQUEST(request_.get(), &der);
  if (length <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot encode the OCSP request");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string OcspQuery::CertIdDer() const {
  unsigned char* der = nullptr;
  int length = i2d_OCSP_CERTID(const_cast<OCSP_CERTID*>(cert_id()), &der);
  if (length <= 0) {
    ossl::DrainErrors();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

Result<VerifiedStatus> OcspQuery::Verify(std::string_view response, const pki::Certificate& issuer, std::time_t at,
                                         bool check_nonce) const {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(response.data());
  OcspResponsePtr parsed(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response.size())));
  if (!parsed || p != reinterpret_cast<const unsigned char*>(response.data()) + response.size()) {
    return ossl::MakeError(ErrorCode::kMalformed, "not a DER OCSP response");
  }
  int status = OCSP_response_status(parsed.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return Error(ErrorCode::kUnsupported, std::string("responder answered ") + OCSP_response_status_str(status));
  }
  OcspBasicRespPtr basic(OCSP_response_get1_basic(parsed.get()));
  if (!basic) return ossl::MakeError(ErrorCode::kMalformed, "OCSP response is not a BasicOCSPResponse");

  // 1 = nonces match, -1 = the responder echoed none; 0 = a different nonce: a replay.
  if (check_nonce && OCSP_check_nonce(request_.get(), basic.get()) == 0) {
    return Rejected("OCSP nonce does not match the request (replayed response?)");
  }

  // The issuer is the only trust anchor for its own status. PARTIAL_CHAIN lets an
  // intermediate issuer anchor; the time is `at`, not the wall clock.
  ossl::X509StorePtr store(X509_STORE_new());
  ossl::X509StackPtr helpers(sk_X509_new_null());
  if (!store || !helpers || X509_STORE_add_cert(store.get(), issuer.native()) != 1) {
    return ossl::MakeError(ErrorCode::kInternal, "cannot set up OCSP response verification");
  }
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), at);
  X509_up_ref(issuer.native());
  sk_X509_push(helpers.get(), issuer.native());  // for responders that omit their certificate
  // OCSP_NOEXPLICIT: without it OpenSSL also accepts a signer whose chain ends at a root
  // "trusted for OCSP signing" by default, i.e. any certificate the CA ever issued could
  // vouch for its siblings. Only the issuer or its id-kp-OCSPSigning delegate may sign.
  if (OCSP_basic_verify(basic.get(), helpers.get(), store.get(), OCSP_NOEXPLICIT) != 1) {
    return Rejected("OCSP response is not signed by the issuer or a responder it authorised");
  }

  int cert_status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), const_cast<OCSP_CERTID*>(cert_id()), &cert_status, &reason, &revoked_at,
                            &this_update, &next_update) != 1) {
    return Rejected("OCSP response does not cover the certificate asked about");
  }
  VerifiedStatus out;
  out.this_update = AsnTimeToTimeT(this_update);
  out.next_update = next_update ? AsnTimeToTimeT(next_update) : 0;
  if (out.this_update == 0 || (next_update && out.next_update == 0)) {
    return Rejected("OCSP response has unreadable thisUpdate/nextUpdate");
  }
  switch (CheckFreshness(out.this_update, out.next_update, at)) {
    case Freshness::kNotYetValid:
      return Rejected("OCSP response is not yet valid (thisUpdate in the future)");
    case Freshness::kExpired:
      return Rejected("OCSP response is stale (past nextUpdate)");
    case Freshness::kCurrent:
      break;
  }
  switch (cert_status) {
    case V_OCSP_CERTSTATUS_GOOD:
      out.state = RevocationState::kGood;
      break;
    case V_OCSP_CERTSTATUS_REVOKED:
      out.state = RevocationState::kRevoked;
      out.revoked_at = AsnTimeToTimeT(revoked_at);
      out.reason = ReasonName(reason);
      break;
    default:
      out.state = RevocationState::kUnknown;
      break;
  }
  ossl::DrainErrors();
  return out;
}

}  // namespace sealpost::revocation::internal

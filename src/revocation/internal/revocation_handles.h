// SPDX-License-Identifier: Apache-2.0
// RAII aliases for the OpenSSL OCSP/CRL types only this module uses (ossl/handles.h has the rest).
#pragma once

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "ossl/handles.h"

namespace sealpost::revocation::internal {

inline void FreeOpensslStrings(STACK_OF(OPENSSL_STRING) * s) { X509_email_free(s); }
inline void FreeDistPoints(STACK_OF(DIST_POINT) * s) { CRL_DIST_POINTS_free(s); }

using OcspRequestPtr = ossl::Handle<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = ossl::Handle<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicRespPtr = ossl::Handle<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = ossl::Handle<OCSP_CERTID, OCSP_CERTID_free>;
using AuthorityInfoAccessPtr = ossl::Handle<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>;
using IssuingDistPointPtr = ossl::Handle<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>;
using Asn1EnumeratedPtr = ossl::Handle<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using OpensslStringStackPtr = ossl::Handle<STACK_OF(OPENSSL_STRING), FreeOpensslStrings>;
using DistPointStackPtr = ossl::Handle<STACK_OF(DIST_POINT), FreeDistPoints>;

}  // namespace sealpost::revocation::internal

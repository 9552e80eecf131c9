// SPDX-License-Identifier: Apache-2.0
// The signer's signature over its signed attributes, checked as CMS_SignerInfo_verify
// checks it (OpenSSL 3.0, crypto/cms/cms_sd.c and cms_att.c), but with a verification
// context reused from a SignerKeyCache.
//
// It covers what nearly every message uses: RSA PKCS #1 v1.5 and ECDSA with SHA-256/384/512
// digests, signed attributes that obey RFC 5652 §11 and no unsigned attributes. It only ever
// answers "valid": a bad signature and every case it does not cover go to
// CMS_SignerInfo_verify, so verdicts and error messages stay OpenSSL's, and a gap here can
// cost speed but never accept what OpenSSL would refuse.
#pragma once

#include <openssl/cms.h>

#include "cms/signer_key_cache.h"

namespace sealpost::cms::internal {

// True only if `si` (with signed attributes) carries a valid signature by `key` over
// them. False means "not shown here", not "invalid".
bool SignedAttributesVerifyFast(CMS_SignerInfo* si, EVP_PKEY* key, SignerKeyCache& cache);

// Whether the fast checks cover `key` with this digest and signatureAlgorithm: RSA PKCS #1
// v1.5 or ECDSA with SHA-256/384/512, as OpenSSL accepts the pair (never more).
bool SignatureAlgorithmsCovered(EVP_PKEY* key, int digest_nid, int signature_nid);

}  // namespace sealpost::cms::internal

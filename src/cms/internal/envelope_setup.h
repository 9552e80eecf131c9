// SPDX-License-Identifier: Apache-2.0
// Setting up an EnvelopedData/AuthEnvelopedData for our recipients: shared by the
// in-memory and the streaming encryption.
#pragma once

#include <openssl/cms.h>

#include <string_view>
#include <vector>

#include "cms/algorithms.h"
#include "cms/envelope.h"
#include "core/result.h"
#include "ossl/handles.h"

namespace sealpost::cms::internal {

const EVP_CIPHER* CipherFor(ContentCipher c);

// RSA-OAEP parameters, or the ECDH KDF digest matched to the curve.
Status ConfigureRecipient(CMS_RecipientInfo* ri, const Recipient& r);

// CMS_encrypt with every recipient added and configured; content not yet attached.
Result<ossl::CmsPtr> StartEnvelope(const std::vector<Recipient>& recipients, ContentCipher cipher, unsigned flags);

// The (Auth)EnvelopedData DER `der` parsed by OpenSSL; kMalformed when it cannot be.
Result<ossl::CmsPtr> ParseEnvelope(std::string_view der);

// Gives the key of the first identity that matches a RecipientInfo to `cms` (only that
// RecipientInfo is tried, catalogue E7). kNoKey when none matches. A failed RSA unwrap is not
// reported here: OpenSSL then decrypts with a random key, and the content check fails.
Status SelectIdentity(CMS_ContentInfo* cms, const std::vector<Identity>& identities);

}  // namespace sealpost::cms::internal

// SPDX-License-Identifier: Apache-2.0
// Producing SignedData (RFC 5652 §5, RFC 8551 §2.5) over canonical content.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/algorithms.h"
#include "core/byte_stream.h"
#include "core/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace sealpost::cms {

struct SignOptions {
  Digest digest = Digest::kSha256;
  bool rsa_pss = false;   // RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys only)
  bool detached = true;   // false: eContent embedded (opaque signed-data)
  std::vector<pki::Certificate> chain;  // intermediates to include (not the root)
  // Named in SMIMEEncryptionKeyPreference when it differs from the signing certificate.
  std::optional<pki::Certificate> encryption_cert;
};

// Signs `content` (already canonical: CRLF, 7-bit safe) and returns the DER ContentInfo.
// Signed attributes: contentType, messageDigest, signingTime, SMIMECapabilities (AES-256-GCM,
// AES-128-GCM, AES-256-CBC, AES-128-CBC), and SMIMEEncryptionKeyPreference when set.
// Fails with kInvalidArgument if the key does not match the certificate or PSS is asked
// of a non-RSA key.
Result<std::string> Sign(std::string_view content, const pki::Certificate& cert, const pki::PrivateKey& key,
                         const SignOptions& options);

// The same as a detached signature over everything `content` yields, without holding it:
// the content is digested as it streams past, and copied to `copy_to` on the way (the
// signed part of a multipart/signed being written). `options.detached` must be true.
Result<std::string> SignStream(ByteSource& content, ByteSink* copy_to, const pki::Certificate& cert,
                               const pki::PrivateKey& key, const SignOptions& options);

}  // namespace sealpost::cms

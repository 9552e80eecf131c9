// SPDX-License-Identifier: Apache-2.0
// Key generation and PKCS#10 requests for S/MIME certificates (the enrolment half of
// distribution by e-mail).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace sealpost::pki {

struct KeySpec {
  enum class Kind { kRsa, kEc } kind = Kind::kRsa;
  int rsa_bits = 3072;           // 2048, 3072 or 4096
  std::string curve = "P-256";   // "P-256" or "P-384"
};

// Parses "--rsa 3072" / "--ec P-384" style choices; RSA under 2048 bits is refused.
Result<KeySpec> MakeKeySpec(std::string_view kind, std::string_view size_or_curve);

// A fresh private key. Errors: kInternal when the library fails.
Result<PrivateKey> GenerateKey(const KeySpec& spec);

// A PEM PKCS#10 request for `email` with the key usage of `purpose` (signing:
// digitalSignature+nonRepudiation; encryption: keyEncipherment for RSA, keyAgreement for EC;
// dual: both) and extendedKeyUsage emailProtection, signed with SHA-256.
Result<std::string> MakeRequest(const PrivateKey& key, std::string_view email, KeyPurpose purpose);

}  // namespace sealpost::pki

// SPDX-License-Identifier: Apache-2.0
// PKCS#12 (.p12/.pfx) import: modern (PBES2/AES, SHA-256 MAC) and legacy Windows/AD CS
// exports (3DES, RC2-40, SHA-1 MAC) alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secret_bytes.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace sealpost::pki {

struct Pkcs12Contents {
  Certificate certificate;         // the one whose public key matches the private key
  PrivateKey key;
  std::vector<Certificate> chain;  // every other certificate in the file
};

// Parses DER or PEM-armoured ("-----BEGIN PKCS12-----") PKCS#12 bytes. Errors:
// kBadPassword (MAC check fails), kMalformed (damaged file, no private key, no certificate
// for the key). Never returns partial contents.
Result<Pkcs12Contents> ParsePkcs12(std::string_view bytes, const SecretBytes& password);

}  // namespace sealpost::pki

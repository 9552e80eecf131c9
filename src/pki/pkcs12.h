// SPDX-License-Identifier: Apache-2.0
// PKCS#12 (.p12/.pfx) import: modern (PBES2/AES, SHA-256 MAC) and legacy Windows/AD CS
// exports (3DES, RC2-40, SHA-1 MAC) alike.
#pragma once

#include <cstddef>
#include <cstdint>
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

// A personal .p12 (key, certificate, a CA chain) is a few KiB; 1 MiB leaves room for long
// chains and still refuses the catalogue's K8 shape (10,000 certificates, 200 MB) before
// OpenSSL parses anything.
inline constexpr std::size_t kMaxPkcs12Bytes = std::size_t{1} << 20;
// Exports use 2,048 (OpenSSL), 2,000 (Windows) up to a few 100,000 MAC iterations; 10
// million is catalogue K3's cap: about 10 s of SHA-256 here, never the 2^31 of a DoS file.
inline constexpr std::int64_t kMaxPkcs12MacIterations = 10'000'000;
// The same bound for the PBKDF2 / PKCS#12-PBE iterations of the encrypted bags (OpenSSL
// exports with 2,048, Windows with 2,000 to 10,000): each bag is one such derivation.
inline constexpr std::int64_t kMaxPkcs12KdfIterations = 10'000'000;

// Parses DER or PEM-armoured ("-----BEGIN PKCS12-----") PKCS#12 bytes. Errors:
// kBadPassword (MAC check fails), kMalformed (damaged file, no private key, no certificate
// for the key), kLimit (over kMaxPkcs12Bytes, kMaxPkcs12MacIterations or
// kMaxPkcs12KdfIterations), kPolicy (no MAC:
// nothing would show that the file was altered on the way, RFC 7292 §4; catalogue K3).
// Never returns partial contents.
Result<Pkcs12Contents> ParsePkcs12(std::string_view bytes, const SecretBytes& password);

}  // namespace sealpost::pki

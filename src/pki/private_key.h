// SPDX-License-Identifier: Apache-2.0
// PrivateKey: an asymmetric private key held by OpenSSL (or, later, a token).
// Copy means up-ref; the key material is never exported through this type.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/secret_bytes.h"
#include "pki/certificate.h"

struct evp_pkey_st;

namespace sealpost::pki {

// Exporting key material needs this token, so every place that does it is greppable.
struct KeyExportToken {
  explicit KeyExportToken() = default;
};

class PrivateKey final {
 public:
  // Parses an unencrypted PEM/DER private key (PKCS#8 or traditional).
  static Result<PrivateKey> Parse(std::string_view bytes);

  // Takes a new reference on `key`.
  static PrivateKey FromNative(evp_pkey_st* key);

  PrivateKey(const PrivateKey& other);
  PrivateKey& operator=(const PrivateKey& other);
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  ~PrivateKey();

  // True if `cert` carries this key's public half.
  bool Matches(const Certificate& cert) const;

  // The unencrypted PKCS#8 PEM (for the profile's key file until the vault lands).
  Result<SecretBytes> ExportPkcs8Pem(KeyExportToken) const;

  evp_pkey_st* native() const { return key_; }

 private:
  explicit PrivateKey(evp_pkey_st* owned) : key_(owned) {}
  evp_pkey_st* key_;
};

}  // namespace sealpost::pki

// SPDX-License-Identifier: Apache-2.0
// Unit-test helper: a throwaway self-signed certificate made in memory, for tests that need
// a certificate's bytes but not a PKI (those build one with the openssl CLI: tests/support).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "ossl/handles.h"

namespace sealpost::pki::testing {

// Self-signed, valid for the next hour, for `key` (a new P-256 key when null); `serial`
// tells apart several with one name.
inline ossl::X509Ptr ThrowawayCertificate(const char* common_name, long serial = 1, EVP_PKEY* key_in = nullptr) {
  ossl::EvpPkeyPtr own(key_in ? nullptr : EVP_EC_gen("P-256"));
  EVP_PKEY* key = key_in ? key_in : own.get();
  ossl::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

inline std::string DerOf(X509* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len > 0 ? len : 0));
  OPENSSL_free(out);
  return der;
}

}  // namespace sealpost::pki::testing

// SPDX-License-Identifier: Apache-2.0
// Policy: every administrator/user policy key as a typed field with its default.
#pragma once

#include <cstdint>
#include <string>

#include "policy/algorithm_policy.h"

namespace sealpost::policy {

// Content cipher for recipients whose S/MIME capabilities are unknown.
enum class ContentCipher { kAes256Cbc, kAes256Gcm };
// How revocation (CRL/OCSP) is checked: kSoftFail accepts a certificate whose status
// cannot be fetched, kHardFail refuses it.
enum class RevocationMode { kOff, kSoftFail, kHardFail };
// Where the user's own identities come from (ARCHITECTURE.md, "What a user does").
enum class CertificateSource { kVault, kPkcs11, kPkcs12 };
// Where recipients' encryption certificates are looked up.
enum class PublicCertificateSource { kLdap, kLocal, kNone };
// What sending does when a recipient has no valid encryption certificate.
enum class MissingCertificateAction { kRefuse, kAsk, kSendUnencrypted };

// The effective policy as a plain value. Field names are the policy keys exactly
// (policy_schema.cpp binds each key to its field); defaults are the safe ones and
// policy_test.cpp pins them. Copyable; no hidden state.
struct Policy {
  // --- algorithms ---
  // RFC 8551 §2.7.1. AES-256-CBC because Outlook, Thunderbird (NSS 3.87) and gpgsm 2.2
  // cannot open AuthEnvelopedData.
  ContentCipher unknown_capabilities_cipher = ContentCipher::kAes256Cbc;
  // Read old mail with SHA-1/MD5, RSA < 2048, RC2/DES/3DES. Never used for what we produce.
  bool allow_legacy_algorithms = false;

  // --- composing and first start ---
  bool encrypt_by_default = false;
  bool sign_by_default = false;
  // Enable S/MIME when a profile is first started.
  bool smime_enabled = true;

  // --- identities and trust ---
  RevocationMode revocation = RevocationMode::kSoftFail;
  // Absolute directory of extra trust anchors (PEM); empty = only the profile's anchors.
  std::string trust_anchor_dir;
  CertificateSource certificate_source = CertificateSource::kPkcs12;
  // scrypt parameters for the vault's passphrase KDF (RFC 7914). Memory is 128 * r * N
  // bytes: 128 MiB for the defaults.
  std::int64_t vault_kdf_n = 65536;
  std::int64_t vault_kdf_r = 8;
  std::int64_t vault_kdf_p = 1;
  // Longest time `sealpost keystore unlock` may keep the vault's unlock key in the login
  // session's kernel keyring (seconds); 0 forbids it, so every use asks for the passphrase.
  std::int64_t vault_unlock_max_seconds = 3600;

  // --- recipient directory ---
  PublicCertificateSource public_certificate_source = PublicCertificateSource::kLocal;
  // ldap:// or ldaps:// URL (RFC 4516); empty = none configured.
  std::string ldap_server_address;
  bool ldap_starttls = false;
  std::string ldap_base_dn;
  bool ldap_access_anonymously = true;
  std::string ldap_bind_dn;
  // Absolute path of a PEM CA bundle for the LDAP server; empty = the system store.
  std::string ldap_tls_ca_file;
  // RFC 4515 filter; every %s is replaced by the (escaped) recipient address.
  std::string ldap_search_filter = "(|(mail=%s)(proxyAddresses=smtp:%s))";
  std::int64_t ldap_timeout_ms = 5000;
  std::int64_t directory_cache_ttl_s = 86400;
  // How long "this address has no certificate" is remembered.
  std::int64_t directory_negative_ttl_s = 3600;
  MissingCertificateAction missing_certificate_action = MissingCertificateAction::kRefuse;

  // The algorithm rules pki/ and cms/ apply: DefaultAlgorithmPolicy() with this policy's
  // cipher and legacy switch (legacy also lowers min_rsa_bits to 1024, as --allow-legacy does).
  AlgorithmPolicy ToAlgorithmPolicy() const;
};

// The default policy (a function, not a global, so nothing can mutate it).
Policy DefaultPolicy();

}  // namespace sealpost::policy

// SPDX-License-Identifier: Apache-2.0
// Snapshot of every policy default: changing a value here must be a reviewed decision.
#include "policy/policy.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "policy/policy_schema.h"

namespace sealpost::policy {
namespace {

TEST(PolicyTest, DefaultsArePinned) {
  Policy p = DefaultPolicy();
  EXPECT_EQ(p.unknown_capabilities_cipher, ContentCipher::kAes256Cbc);
  EXPECT_FALSE(p.allow_legacy_algorithms);
  EXPECT_FALSE(p.encrypt_by_default);
  EXPECT_FALSE(p.sign_by_default);
  EXPECT_TRUE(p.smime_enabled);
  EXPECT_EQ(p.revocation, RevocationMode::kSoftFail);
  EXPECT_EQ(p.trust_anchor_dir, "");
  EXPECT_EQ(p.certificate_source, CertificateSource::kPkcs12);
  EXPECT_EQ(p.vault_kdf_n, 65536);
  EXPECT_EQ(p.vault_kdf_r, 8);
  EXPECT_EQ(p.vault_kdf_p, 1);
  EXPECT_EQ(p.public_certificate_source, PublicCertificateSource::kLocal);
  EXPECT_EQ(p.ldap_server_address, "");
  EXPECT_FALSE(p.ldap_starttls);
  EXPECT_EQ(p.ldap_base_dn, "");
  EXPECT_TRUE(p.ldap_access_anonymously);
  EXPECT_EQ(p.ldap_bind_dn, "");
  EXPECT_EQ(p.ldap_tls_ca_file, "");
  EXPECT_EQ(p.ldap_search_filter, "(|(mail=%s)(proxyAddresses=smtp:%s))");
  EXPECT_EQ(p.ldap_timeout_ms, 5000);
  EXPECT_EQ(p.directory_cache_ttl_s, 86400);
  EXPECT_EQ(p.directory_negative_ttl_s, 3600);
  EXPECT_EQ(p.missing_certificate_action, MissingCertificateAction::kRefuse);
}

// The same defaults as `policy show` prints them. Every schema key must be listed here, so a
// new key cannot arrive without its default being reviewed.
TEST(PolicyTest, DefaultsAsShownArePinned) {
  const std::map<std::string, std::string> expected = {
      {"unknown_capabilities_cipher", "aes-256-cbc"},
      {"allow_legacy_algorithms", "false"},
      {"encrypt_by_default", "false"},
      {"sign_by_default", "false"},
      {"smime_enabled", "true"},
      {"revocation", "soft-fail"},
      {"trust_anchor_dir", ""},
      {"certificate_source", "pkcs12"},
      {"vault_kdf_n", "65536"},
      {"vault_unlock_max_seconds", "3600"},
      {"vault_kdf_r", "8"},
      {"vault_kdf_p", "1"},
      {"public_certificate_source", "local"},
      {"ldap_server_address", ""},
      {"ldap_starttls", "false"},
      {"ldap_base_dn", ""},
      {"ldap_access_anonymously", "true"},
      {"ldap_bind_dn", ""},
      {"ldap_tls_ca_file", ""},
      {"ldap_search_filter", "(|(mail=%s)(proxyAddresses=smtp:%s))"},
      {"ldap_timeout_ms", "5000"},
      {"directory_cache_ttl_s", "86400"},
      {"directory_negative_ttl_s", "3600"},
      {"missing_certificate_action", "refuse"},
  };
  std::map<std::string, std::string> actual;
  for (const auto& spec : PolicySchema()) actual[spec.name] = FormatPolicyValue(spec.get(DefaultPolicy()));
  EXPECT_EQ(actual, expected);
}

TEST(PolicyTest, DefaultAlgorithmRulesMatchAlgorithmPolicyDefaults) {
  AlgorithmPolicy rules = DefaultPolicy().ToAlgorithmPolicy();
  AlgorithmPolicy defaults = DefaultAlgorithmPolicy();
  EXPECT_EQ(rules.allow_legacy, defaults.allow_legacy);
  EXPECT_EQ(rules.min_rsa_bits, defaults.min_rsa_bits);
  EXPECT_EQ(rules.unknown_capabilities_cipher, defaults.unknown_capabilities_cipher);
  EXPECT_EQ(rules.max_crypto_layers, defaults.max_crypto_layers);
  EXPECT_EQ(rules.max_mime_depth, defaults.max_mime_depth);
  EXPECT_EQ(rules.decrypt_non_root_parts, defaults.decrypt_non_root_parts);
}

TEST(PolicyTest, AlgorithmRulesFollowCipherAndLegacySwitch) {
  Policy p;
  p.unknown_capabilities_cipher = ContentCipher::kAes256Gcm;
  p.allow_legacy_algorithms = true;
  AlgorithmPolicy rules = p.ToAlgorithmPolicy();
  EXPECT_EQ(rules.unknown_capabilities_cipher, "aes-256-gcm");
  EXPECT_TRUE(rules.allow_legacy);
  EXPECT_EQ(rules.min_rsa_bits, 1024);
}

}  // namespace
}  // namespace sealpost::policy

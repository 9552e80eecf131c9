// SPDX-License-Identifier: Apache-2.0
// The key table: every key round-trips, and bad values are refused with the key named.
#include "policy/policy_schema.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sealpost::policy {
namespace {

Status SetText(std::string_view key, std::string_view text, Policy& policy) {
  const PolicyKeySpec* spec = FindPolicyKey(key);
  if (spec == nullptr) return UnknownPolicyKeyError(key);
  ASSIGN_OR_RETURN(PolicyValue value, ParsePolicyText(*spec, text));
  return spec->set(value, policy);
}

TEST(PolicySchemaTest, KeysAreUniqueSnakeCaseAndDescribed) {
  std::set<std::string> names;
  for (const auto& spec : PolicySchema()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_EQ(spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_EQ(FindPolicyKey(spec.name), &spec);
  }
  EXPECT_EQ(FindPolicyKey("locked"), nullptr);  // reserved for the administrator's lock list
}

TEST(PolicySchemaTest, DefaultOfEveryKeyIsAccepted) {
  for (const auto& spec : PolicySchema()) {
    Policy p;
    EXPECT_TRUE(spec.set(spec.get(DefaultPolicy()), p).has_value()) << spec.name;
  }
}

TEST(PolicySchemaTest, EveryEnumChoiceRoundTripsAndChangesTheField) {
  for (const auto& spec : PolicySchema()) {
    if (spec.type != PolicyValueType::kEnum) continue;
    std::set<std::string> seen;
    for (const auto& choice : spec.choices) {
      Policy p;
      ASSERT_TRUE(spec.set(PolicyValue(choice), p).has_value()) << spec.name << "=" << choice;
      EXPECT_EQ(FormatPolicyValue(spec.get(p)), choice);
      seen.insert(choice);
    }
    EXPECT_EQ(seen.size(), spec.choices.size()) << spec.name;
  }
}

TEST(PolicySchemaTest, EnumTextsMapToTheNamedEnumerators) {
  Policy p;
  ASSERT_TRUE(SetText("revocation", "hard-fail", p).has_value());
  EXPECT_EQ(p.revocation, RevocationMode::kHardFail);
  ASSERT_TRUE(SetText("revocation", "off", p).has_value());
  EXPECT_EQ(p.revocation, RevocationMode::kOff);
  ASSERT_TRUE(SetText("missing_certificate_action", "send-unencrypted", p).has_value());
  EXPECT_EQ(p.missing_certificate_action, MissingCertificateAction::kSendUnencrypted);
  ASSERT_TRUE(SetText("missing_certificate_action", "ask", p).has_value());
  EXPECT_EQ(p.missing_certificate_action, MissingCertificateAction::kAsk);
  ASSERT_TRUE(SetText("certificate_source", "pkcs11", p).has_value());
  EXPECT_EQ(p.certificate_source, CertificateSource::kPkcs11);
  ASSERT_TRUE(SetText("certificate_source", "vault", p).has_value());
  EXPECT_EQ(p.certificate_source, CertificateSource::kVault);
  ASSERT_TRUE(SetText("public_certificate_source", "ldap", p).has_value());
  EXPECT_EQ(p.public_certificate_source, PublicCertificateSource::kLdap);
  ASSERT_TRUE(SetText("public_certificate_source", "none", p).has_value());
  EXPECT_EQ(p.public_certificate_source, PublicCertificateSource::kNone);
  ASSERT_TRUE(SetText("unknown_capabilities_cipher", "aes-256-gcm", p).has_value());
  EXPECT_EQ(p.unknown_capabilities_cipher, ContentCipher::kAes256Gcm);
}

TEST(PolicySchemaTest, BadEnumValueNamesKeyChoicesAndValue) {
  Policy p;
  Status st = SetText("revocation", "strict", p);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.error().message(), "revocation must be one of off, soft-fail, hard-fail; got \"strict\"");
  EXPECT_EQ(p.revocation, RevocationMode::kSoftFail);  // unchanged
}

TEST(PolicySchemaTest, WrongTypeIsRefused) {
  Policy p;
  EXPECT_FALSE(FindPolicyKey("encrypt_by_default")->set(PolicyValue(std::string("true")), p).has_value());
  EXPECT_FALSE(FindPolicyKey("ldap_timeout_ms")->set(PolicyValue(true), p).has_value());
  EXPECT_FALSE(FindPolicyKey("ldap_base_dn")->set(PolicyValue(std::int64_t{1}), p).has_value());
  EXPECT_FALSE(SetText("encrypt_by_default", "yes", p).has_value());
  EXPECT_FALSE(SetText("ldap_timeout_ms", "5s", p).has_value());
  EXPECT_FALSE(SetText("ldap_timeout_ms", "", p).has_value());
}

TEST(PolicySchemaTest, IntegerRangesAreEnforced) {
  Policy p;
  Status negative = SetText("directory_cache_ttl_s", "-1", p);
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().message(), "directory_cache_ttl_s must be an integer from 0 to 31536000; got -1");
  EXPECT_FALSE(SetText("directory_negative_ttl_s", "-5", p).has_value());
  EXPECT_FALSE(SetText("ldap_timeout_ms", "0", p).has_value());
  EXPECT_TRUE(SetText("directory_cache_ttl_s", "0", p).has_value());
  EXPECT_EQ(p.directory_cache_ttl_s, 0);
}

TEST(PolicySchemaTest, VaultKdfCannotBeWeakenedOrMadeInvalid) {
  Policy p;
  EXPECT_FALSE(SetText("vault_kdf_n", "1024", p).has_value());    // below the floor
  EXPECT_FALSE(SetText("vault_kdf_n", "100000", p).has_value());  // not a power of two
  EXPECT_FALSE(SetText("vault_kdf_r", "1", p).has_value());
  EXPECT_FALSE(SetText("vault_kdf_p", "0", p).has_value());
  EXPECT_TRUE(SetText("vault_kdf_n", "1048576", p).has_value());
  EXPECT_EQ(p.vault_kdf_n, 1048576);
}

TEST(PolicySchemaTest, LdapServerAddressMustBeAnLdapUrl) {
  Policy p;
  EXPECT_TRUE(SetText("ldap_server_address", "ldap://dir.example.com", p).has_value());
  EXPECT_TRUE(SetText("ldap_server_address", "LDAPS://dir.example.com:636", p).has_value());
  EXPECT_TRUE(SetText("ldap_server_address", "", p).has_value());
  Status st = SetText("ldap_server_address", "http://dir.example.com", p);
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message().find("ldap:// or ldaps://"), std::string::npos);
  EXPECT_FALSE(SetText("ldap_server_address", "ldap://", p).has_value());
  EXPECT_FALSE(SetText("ldap_server_address", "dir.example.com", p).has_value());
}

TEST(PolicySchemaTest, SearchFilterMustBeOneFilterWithPlaceholder) {
  Policy p;
  EXPECT_TRUE(SetText("ldap_search_filter", "(mail=%s)", p).has_value());
  EXPECT_TRUE(SetText("ldap_search_filter", "(&(objectClass=person)(|(mail=%s)(otherMailbox=%s)))", p).has_value());
  EXPECT_FALSE(SetText("ldap_search_filter", "(mail=alice@example.com)", p).has_value());  // no %s
  EXPECT_FALSE(SetText("ldap_search_filter", "mail=%s", p).has_value());
  EXPECT_FALSE(SetText("ldap_search_filter", "(mail=%s", p).has_value());
  EXPECT_FALSE(SetText("ldap_search_filter", "(mail=%s))(", p).has_value());
  EXPECT_FALSE(SetText("ldap_search_filter", "(a=%s)(b=%s)", p).has_value());
  EXPECT_FALSE(SetText("ldap_search_filter", "(mail=%d)", p).has_value());
}

TEST(PolicySchemaTest, PathsMustBeAbsolute) {
  Policy p;
  EXPECT_TRUE(SetText("trust_anchor_dir", "/etc/sealpost/anchors", p).has_value());
  EXPECT_FALSE(SetText("trust_anchor_dir", "anchors", p).has_value());
  EXPECT_FALSE(SetText("ldap_tls_ca_file", "./ca.pem", p).has_value());
}

TEST(PolicySchemaTest, StringsRefuseControlCharactersAndBadUtf8) {
  Policy p;
  EXPECT_FALSE(SetText("ldap_base_dn", "dc=example\ndc=com", p).has_value());
  EXPECT_FALSE(SetText("ldap_base_dn", "dc=ex\x7f", p).has_value());
  EXPECT_FALSE(SetText("ldap_base_dn", "ou=\xc3", p).has_value());          // truncated sequence
  EXPECT_FALSE(SetText("ldap_base_dn", "ou=\xed\xa0\x80", p).has_value());  // surrogate
  EXPECT_FALSE(SetText("ldap_base_dn", "ou=\xc0\xaf", p).has_value());      // overlong
  EXPECT_TRUE(SetText("ldap_base_dn", "ou=B\xc3\xbcro,dc=example,dc=com", p).has_value());
  EXPECT_EQ(p.ldap_base_dn, "ou=B\xc3\xbcro,dc=example,dc=com");
}

TEST(PolicySchemaTest, UnknownKeySuggestsTheClosestKey) {
  EXPECT_EQ(UnknownPolicyKeyError("revocaton").message(),
            "unknown policy key 'revocaton' (did you mean 'revocation'?)");
  EXPECT_EQ(UnknownPolicyKeyError("colour").message(),
            "unknown policy key 'colour' (`sealpost policy show` lists the keys)");
  EXPECT_EQ(UnknownPolicyKeyError("x").code(), ErrorCode::kInvalidArgument);
  // A shortened name is suggested only when it fits one key.
  EXPECT_EQ(UnknownPolicyKeyError("cache_ttl").message(),
            "unknown policy key 'cache_ttl' (did you mean 'directory_cache_ttl_s'?)");
  EXPECT_EQ(UnknownPolicyKeyError("ttl_s").message(),
            "unknown policy key 'ttl_s' (`sealpost policy show` lists the keys)");
}

TEST(PolicySchemaTest, TomlFormattingQuotesAndEscapes) {
  EXPECT_EQ(FormatPolicyValueAsToml(PolicyValue(true)), "true");
  EXPECT_EQ(FormatPolicyValueAsToml(PolicyValue(std::int64_t{-3})), "-3");
  EXPECT_EQ(FormatPolicyValueAsToml(PolicyValue(std::string("a\"b\\c\td"))), "\"a\\\"b\\\\c\\u0009d\"");
}

}  // namespace
}  // namespace sealpost::policy

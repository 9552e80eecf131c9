// SPDX-License-Identifier: Apache-2.0
// Config validation before any connection: URLs, TLS requirements for binds, limits.
#include "directory/internal/ldap_endpoint.h"

#include <gtest/gtest.h>

namespace sealpost::directory::internal {
namespace {

LdapConfig Anonymous(std::string url) {
  LdapConfig config;
  config.server_address = std::move(url);
  config.base_dn = "dc=example,dc=org";
  return config;
}

LdapConfig Bound(std::string url, bool starttls) {
  LdapConfig config = Anonymous(std::move(url));
  config.starttls = starttls;
  config.access_anonymously = false;
  config.bind_dn = "cn=reader,dc=example,dc=org";
  config.bind_password = SecretBytes("secret");
  config.tls_ca_file = "/dev/null";  // not a regular file; replaced where it matters
  return config;
}

ErrorCode CodeOf(const LdapConfig& config) {
  auto endpoint = CheckLdapConfig(config);
  EXPECT_FALSE(endpoint.has_value());
  return endpoint ? ErrorCode::kInternal : endpoint.error().code();
}

TEST(LdapEndpointTest, PlainAnonymousUrlIsAccepted) {
  auto endpoint = CheckLdapConfig(Anonymous("ldap://directory.example.org:3389"));
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message();
  EXPECT_FALSE(endpoint->tls);
  EXPECT_FALSE(endpoint->ldaps);
  EXPECT_TRUE(endpoint->ca_file.empty());
  EXPECT_TRUE(CheckLdapConfig(Anonymous("ldap://directory.example.org/")).has_value());
}

TEST(LdapEndpointTest, LdapsUsesTheSystemStoreWhenNoCaFileIsSet) {
  auto endpoint = CheckLdapConfig(Anonymous("ldaps://directory.example.org"));
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message();
  EXPECT_TRUE(endpoint->ldaps);
  EXPECT_TRUE(endpoint->tls);
  EXPECT_FALSE(endpoint->ca_file.empty());
}

TEST(LdapEndpointTest, UnusableUrlsAreInvalidArguments) {
  for (const char* url :
       {"", "directory.example.org", "http://directory.example.org", "ldapi:///", "ldap://a.example ldap://b.example",
        "ldap://directory.example.org/dc=example,dc=org", "ldap://directory.example.org/?mail", "ldap:///"}) {
    EXPECT_EQ(CodeOf(Anonymous(url)), ErrorCode::kInvalidArgument) << url;
  }
}

TEST(LdapEndpointTest, StartTlsInsideLdapsIsInvalid) {
  LdapConfig config = Anonymous("ldaps://directory.example.org");
  config.starttls = true;
  EXPECT_EQ(CodeOf(config), ErrorCode::kInvalidArgument);
}

TEST(LdapEndpointTest, BindWithoutTlsIsRefusedByPolicy) {
  auto endpoint = CheckLdapConfig(Bound("ldap://directory.example.org", false));
  ASSERT_FALSE(endpoint.has_value());
  EXPECT_EQ(endpoint.error().code(), ErrorCode::kPolicy);
  EXPECT_NE(endpoint.error().message().find("without TLS"), std::string::npos);
}

TEST(LdapEndpointTest, BindWithEmptyPasswordIsRefusedByPolicy) {
  LdapConfig config = Bound("ldaps://directory.example.org", false);
  config.bind_password = SecretBytes();
  EXPECT_EQ(CodeOf(config), ErrorCode::kPolicy);
}

TEST(LdapEndpointTest, BindWithoutDnIsInvalid) {
  LdapConfig config = Bound("ldaps://directory.example.org", false);
  config.bind_dn.clear();
  EXPECT_EQ(CodeOf(config), ErrorCode::kInvalidArgument);
}

TEST(LdapEndpointTest, BindOverStartTlsOrLdapsIsAccepted) {
  for (auto [url, starttls] :
       {std::pair{"ldap://directory.example.org", true}, {"ldaps://directory.example.org", false}}) {
    LdapConfig config = Bound(url, starttls);
    config.tls_ca_file.clear();
    auto endpoint = CheckLdapConfig(config);
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message();
    EXPECT_TRUE(endpoint->tls);
  }
}

TEST(LdapEndpointTest, MissingCaFileIsNotFound) {
  LdapConfig config = Anonymous("ldaps://directory.example.org");
  config.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(CodeOf(config), ErrorCode::kNotFound);
}

TEST(LdapEndpointTest, MalformedDnsAndFiltersAreInvalid) {
  LdapConfig config = Anonymous("ldap://directory.example.org");
  config.base_dn = "not a dn";
  EXPECT_EQ(CodeOf(config), ErrorCode::kInvalidArgument);
  config = Anonymous("ldap://directory.example.org");
  config.search_filter = "(mail=fixed@example.org)";
  EXPECT_EQ(CodeOf(config), ErrorCode::kInvalidArgument);
}

TEST(LdapEndpointTest, EmptyBaseDnIsAllowed) {
  LdapConfig config = Anonymous("ldap://directory.example.org");
  config.base_dn.clear();  // e.g. an AD global catalog searched from the root
  EXPECT_TRUE(CheckLdapConfig(config).has_value());
}

TEST(LdapEndpointTest, LimitsOutOfRangeAreInvalid) {
  auto with = [](auto change) {
    LdapConfig config = Anonymous("ldap://directory.example.org");
    change(config);
    return CodeOf(config);
  };
  EXPECT_EQ(with([](LdapConfig& c) { c.timeout_ms = 0; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(with([](LdapConfig& c) { c.max_entries = 0; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(with([](LdapConfig& c) { c.max_attribute_bytes = 0; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(with([](LdapConfig& c) { c.max_total_bytes = c.max_attribute_bytes - 1; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(with([](LdapConfig& c) { c.pool_size = 0; }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(with([](LdapConfig& c) { c.pool_size = 1000; }), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sealpost::directory::internal

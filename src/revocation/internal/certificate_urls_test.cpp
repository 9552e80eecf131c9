// SPDX-License-Identifier: Apache-2.0
// AIA OCSP and CRL DP URLs read from certificates the openssl CLI makes at test time.
#include "revocation/internal/certificate_urls.h"

#include <gtest/gtest.h>

#include <optional>

#include "revocation/internal/openssl_cli_fixture.h"

namespace sealpost::revocation::internal {
namespace {

using Urls = std::vector<std::string>;

class CertificateUrlsTest : public ::testing::Test {
 protected:
  std::optional<pki::Certificate> Issue(const std::string& extension_lines) {
    std::string path = ca_.Issue("leaf", extension_lines);
    if (path.empty()) return std::nullopt;
    auto cert = CliCa::Load(path);
    if (!cert) return std::nullopt;
    return std::move(cert).value();
  }
  CliCa ca_;
};

TEST_F(CertificateUrlsTest, ReadsOcspUrlsInOrderAndIgnoresCaIssuers) {
  ASSERT_TRUE(ca_.ok());
  auto cert = Issue(
      "authorityInfoAccess = caIssuers;URI:http://ca.example/ca.cer, OCSP;URI:http://ocsp1.example/, "
      "OCSP;URI:ldap://ocsp2.example/");
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(OcspResponderUrls(*cert), (Urls{"http://ocsp1.example/", "ldap://ocsp2.example/"}));
  EXPECT_TRUE(CrlDistributionUrls(*cert).empty());
}

TEST_F(CertificateUrlsTest, ReadsEveryFullNameUri) {
  ASSERT_TRUE(ca_.ok());
  auto cert = Issue("crlDistributionPoints = URI:http://crl.example/a.crl, URI:ldap://dir.example/cn=CA");
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(CrlDistributionUrls(*cert), (Urls{"http://crl.example/a.crl", "ldap://dir.example/cn=CA"}));
  EXPECT_TRUE(OcspResponderUrls(*cert).empty());
}

TEST_F(CertificateUrlsTest, SkipsPartitionedAndIndirectPoints) {
  ASSERT_TRUE(ca_.ok());
  auto cert = Issue(
      "crlDistributionPoints = partial, indirect, complete\n"
      "[partial]\nfullname = URI:http://crl.example/keycompromise.crl\nreasons = keyCompromise\n"
      "[indirect]\nfullname = URI:http://crl.example/indirect.crl\nCRLissuer = dirName:issuer_dn\n"
      "[issuer_dn]\nCN = Other CA\n"
      "[complete]\nfullname = URI:http://crl.example/all.crl\n");
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(CrlDistributionUrls(*cert), (Urls{"http://crl.example/all.crl"}));
}

TEST_F(CertificateUrlsTest, NoExtensionsMeansNoUrls) {
  ASSERT_TRUE(ca_.ok());
  auto cert = Issue("basicConstraints = critical,CA:false");
  ASSERT_TRUE(cert.has_value());
  EXPECT_TRUE(OcspResponderUrls(*cert).empty());
  EXPECT_TRUE(CrlDistributionUrls(*cert).empty());
}

}  // namespace
}  // namespace sealpost::revocation::internal

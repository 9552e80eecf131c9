// SPDX-License-Identifier: Apache-2.0
// Strict parsing of userCertificate and userSMIMECertificate values (catalogue L14, L15).
#include "directory/internal/ldap_certificate_values.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "ossl/handles.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::directory::internal {
namespace {

using Pkcs7Ptr = ossl::Handle<PKCS7, PKCS7_free>;

ossl::X509Ptr MakeCertificate(const char* common_name) { return pki::testing::ThrowawayCertificate(common_name); }
std::string Der(X509* cert) { return pki::testing::DerOf(cert); }

// A certs-only SignedData, as `openssl crl2pkcs7 -nocrl` writes it.
std::string CertsOnly(std::initializer_list<X509*> certs) {
  Pkcs7Ptr p7(PKCS7_new());
  PKCS7_set_type(p7.get(), NID_pkcs7_signed);
  PKCS7_content_new(p7.get(), NID_pkcs7_data);
  for (X509* cert : certs) PKCS7_add_certificate(p7.get(), cert);
  unsigned char* out = nullptr;
  int len = i2d_PKCS7(p7.get(), &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

TEST(LdapCertificateValuesTest, DerCertificateParses) {
  pki::CertificateCache cache;
  auto x509 = MakeCertificate("Bob");
  auto cert = ParseCertificateValue(Der(x509.get()), cache);
  ASSERT_TRUE(cert.has_value()) << cert.error().message();
  EXPECT_EQ(cert->CommonName(), "Bob");
}

TEST(LdapCertificateValuesTest, TrailingBytesAreMalformed) {
  pki::CertificateCache cache;
  auto x509 = MakeCertificate("Bob");
  auto cert = ParseCertificateValue(Der(x509.get()) + "x", cache);
  ASSERT_FALSE(cert.has_value());
  EXPECT_EQ(cert.error().code(), ErrorCode::kMalformed);
}

TEST(LdapCertificateValuesTest, GarbageTruncationAndPemAreMalformed) {
  pki::CertificateCache cache;
  auto x509 = MakeCertificate("Bob");
  std::string der = Der(x509.get());
  for (const std::string& value : {std::string(), std::string("garbage"), der.substr(0, der.size() / 2),
                                   std::string("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")}) {
    auto cert = ParseCertificateValue(value, cache);
    ASSERT_FALSE(cert.has_value());
    EXPECT_EQ(cert.error().code(), ErrorCode::kMalformed);
  }
}

TEST(LdapCertificateValuesTest, TheSameValueIsParsedOnceAndStillCheckedWhole) {
  pki::CertificateCache cache;
  auto x509 = MakeCertificate("Bob");
  const std::string der = Der(x509.get());
  auto first = ParseCertificateValue(der, cache);
  auto second = ParseCertificateValue(der, cache);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->native(), second->native());  // the cached object, not a second parse
  // A cached certificate with trailing bytes is still a different, malformed value.
  auto trailing = ParseCertificateValue(der + "x", cache);
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().code(), ErrorCode::kMalformed);
}

TEST(LdapCertificateValuesTest, CertsOnlyBundleYieldsEveryCertificateInOrder) {
  auto first = MakeCertificate("Bob");
  auto second = MakeCertificate("Issuing CA");
  auto certs = ParseSmimeBundle(CertsOnly({first.get(), second.get()}));
  ASSERT_TRUE(certs.has_value()) << certs.error().message();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].CommonName(), "Bob");
  EXPECT_EQ((*certs)[1].CommonName(), "Issuing CA");
}

TEST(LdapCertificateValuesTest, BundleProblemsAreMalformed) {
  auto x509 = MakeCertificate("Bob");
  const std::string bundle = CertsOnly({x509.get()});
  for (const std::string& value :
       {std::string("garbage"), bundle.substr(0, bundle.size() - 3), bundle + "x", CertsOnly({}), Der(x509.get())}) {
    auto certs = ParseSmimeBundle(value);
    ASSERT_FALSE(certs.has_value());
    EXPECT_EQ(certs.error().code(), ErrorCode::kMalformed);
  }
}

}  // namespace
}  // namespace sealpost::directory::internal

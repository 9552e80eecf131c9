// SPDX-License-Identifier: Apache-2.0
// Which addresses a certificate vouches for and how they match (catalogue I4, L4; RFC 8398
// SmtpUTF8Mailbox): each matching case has a twin that must not match, for that reason.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "ossl/handles.h"
#include "pki/certificate.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::pki {
namespace {

using Names = std::vector<GENERAL_NAME*>;

GENERAL_NAME* Email(const char* address) {
  ASN1_IA5STRING* value = ASN1_IA5STRING_new();
  ASN1_STRING_set(value, address, -1);
  GENERAL_NAME* gn = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(gn, GEN_EMAIL, value);
  return gn;
}

// An otherName `oid` whose value is a string of ASN.1 type `type` holding `bytes` as given.
GENERAL_NAME* OtherName(const char* oid, int type, const char* bytes) {
  ASN1_STRING* str = ASN1_STRING_type_new(type);
  ASN1_STRING_set(str, bytes, -1);
  ASN1_TYPE* value = ASN1_TYPE_new();
  ASN1_TYPE_set(value, type, str);
  GENERAL_NAME* gn = GENERAL_NAME_new();
  GENERAL_NAME_set0_othername(gn, OBJ_txt2obj(oid, 1), value);
  return gn;
}

GENERAL_NAME* SmtpUtf8Mailbox(const char* address) {
  return OtherName("1.3.6.1.5.5.7.8.9", V_ASN1_UTF8STRING, address);
}

// A throwaway certificate whose subjectAltName holds `san` (none when empty) and whose
// subject has `dn_email` as emailAddress (none when empty).
Certificate Make(const Names& san, const char* dn_email = "") {
  ossl::X509Ptr cert = testing::ThrowawayCertificate("Mail Test");
  if (*dn_email) {
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_NID(name, NID_pkcs9_emailAddress, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(dn_email), -1, -1, 0);
  }
  if (!san.empty()) {
    GENERAL_NAMES* names = GENERAL_NAMES_new();
    for (GENERAL_NAME* gn : san) sk_GENERAL_NAME_push(names, gn);
    EXPECT_EQ(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT), 1);
    GENERAL_NAMES_free(names);
  }
  return Certificate::FromNative(cert.get());
}

TEST(CertificateEmailTest, I4_ALabelSanMatchesULabelFromAndBack) {
  Certificate a_label = Make({Email("alice@xn--bcher-kva.example")});
  EXPECT_TRUE(a_label.HasEmail("alice@bücher.example"));
  EXPECT_TRUE(a_label.HasEmail("Alice@BÜCHER.example"));
  EXPECT_EQ(a_label.Emails(), std::vector<std::string>{"alice@xn--bcher-kva.example"});  // as written
  EXPECT_FALSE(a_label.HasEmail("alice@bucher.example"));                                // twin: the ASCII look-alike
  Certificate u_label = Make({SmtpUtf8Mailbox("alice@bücher.example")});
  EXPECT_TRUE(u_label.HasEmail("alice@xn--bcher-kva.example"));
  EXPECT_FALSE(u_label.HasEmail("alice@xn--bcher-kvb.example"));  // twin: not even valid IDNA
}

TEST(CertificateEmailTest, I4_MixedCaseSanDomain) {
  Certificate cert = Make({Email("Alice@Example.COM")});
  EXPECT_EQ(cert.Emails(), std::vector<std::string>{"alice@example.com"});
  EXPECT_TRUE(cert.HasEmail("alice@example.com"));
  EXPECT_TRUE(cert.HasEmail("ALICE@EXAMPLE.com"));
  EXPECT_FALSE(cert.HasEmail("alice@example.co"));  // twin: another domain
}

TEST(CertificateEmailTest, I4_DifferentIdnDomainDoesNotMatch) {
  Certificate cert = Make({Email("alice@xn--bcher-kva.example")});
  EXPECT_FALSE(cert.HasEmail("alice@büchér.example"));
  EXPECT_FALSE(cert.HasEmail("alice@bücher.example.org"));
  EXPECT_FALSE(cert.HasEmail("bob@bücher.example"));
  EXPECT_TRUE(cert.HasEmail("alice@bücher.example"));  // twin
}

TEST(CertificateEmailTest, I4_InvalidIdnaNeverMatchesEvenAsWritten) {
  Certificate cert = Make({Email("alice@xn--zzzz-.example")});
  EXPECT_EQ(cert.Emails(), std::vector<std::string>{"alice@xn--zzzz-.example"});  // still shown
  EXPECT_FALSE(cert.HasEmail("alice@xn--zzzz-.example"));
  EXPECT_FALSE(cert.HasEmail("ALICE@XN--ZZZZ-.EXAMPLE"));
  // Twin: a valid A-label in the same place matches itself.
  EXPECT_TRUE(Make({Email("alice@xn--bcher-kva.example")}).HasEmail("alice@xn--bcher-kva.example"));
  // An RFC 8398 value that is not UTF-8 (Latin-1 ö) is not an address either.
  EXPECT_FALSE(Make({SmtpUtf8Mailbox("j\xf6rg@example.org")}).HasEmail("j\xf6rg@example.org"));
  // A From with an invalid domain matches no certificate either.
  EXPECT_FALSE(Make({Email("alice@example.org")}).HasEmail("alice@exam\xffple.org"));
}

TEST(CertificateEmailTest, I4_L4_SmtpUtf8MailboxIsASanAddress) {
  Certificate cert = Make({SmtpUtf8Mailbox("jörg@bücher.example")});
  EXPECT_EQ(cert.Emails(), std::vector<std::string>{"jörg@bücher.example"});
  EXPECT_TRUE(cert.HasEmail("jörg@bücher.example"));
  EXPECT_TRUE(cert.HasEmail("Jörg@xn--bcher-kva.example"));
  // Twins: another local part (ö is not o, no Unicode fold), another domain.
  EXPECT_FALSE(cert.HasEmail("jorg@bücher.example"));
  EXPECT_FALSE(cert.HasEmail("JÖRG@bücher.example"));
  EXPECT_FALSE(cert.HasEmail("jörg@bucher.example"));
  EXPECT_FALSE(Make({SmtpUtf8Mailbox("anna@bücher.example")}).HasEmail("jörg@bücher.example"));
}

TEST(CertificateEmailTest, I4_OnlyUtf8StringSmtpUtf8MailboxCounts) {
  // Another otherName type, or the right OID with a string type RFC 8398 does not allow.
  Certificate other_oid = Make({OtherName("1.3.6.1.5.5.7.8.5", V_ASN1_UTF8STRING, "jörg@bücher.example")});
  EXPECT_TRUE(other_oid.Emails().empty());
  EXPECT_FALSE(other_oid.HasEmail("jörg@bücher.example"));
  Certificate ia5 = Make({OtherName("1.3.6.1.5.5.7.8.9", V_ASN1_IA5STRING, "jorg@xn--bcher-kva.example")});
  EXPECT_TRUE(ia5.Emails().empty());
  EXPECT_FALSE(ia5.HasEmail("jorg@xn--bcher-kva.example"));
}

TEST(CertificateEmailTest, I4_DnEmailIgnoredWhenSanHasSmtpUtf8Mailbox) {
  Certificate both = Make({SmtpUtf8Mailbox("jörg@bücher.example")}, "boss@example.org");
  EXPECT_EQ(both.Emails(), std::vector<std::string>{"jörg@bücher.example"});
  EXPECT_FALSE(both.HasEmail("boss@example.org"));
  EXPECT_TRUE(both.HasEmail("jörg@bücher.example"));
  // Twin: without a SAN address the DN emailAddress is the legacy fallback.
  Certificate dn_only = Make({}, "boss@example.org");
  EXPECT_TRUE(dn_only.HasEmail("boss@example.org"));
  // And a SAN with only a non-mailbox otherName leaves the fallback in place.
  EXPECT_TRUE(Make({OtherName("1.3.6.1.5.5.7.8.5", V_ASN1_UTF8STRING, "x@y.example")}, "boss@example.org")
                  .HasEmail("boss@example.org"));
}

TEST(CertificateEmailTest, I4_MalformedSanAddressStillBlocksTheDnFallback) {
  // The SAN's only address has a CR, so it is not listed; the DN address is still no fallback.
  Certificate cert = Make({Email("eve@example.org\r\nx")}, "boss@example.org");
  EXPECT_TRUE(cert.Emails().empty());
  EXPECT_FALSE(cert.HasEmail("boss@example.org"));
  EXPECT_FALSE(Make({SmtpUtf8Mailbox("j\xc3\xb6rg@example.org\n")}, "boss@example.org").HasEmail("boss@example.org"));
}

TEST(CertificateEmailTest, I4_RfcNameAndSmtpUtf8MailboxBothListed) {
  Certificate cert = Make({Email("joerg@xn--bcher-kva.example"), SmtpUtf8Mailbox("jörg@bücher.example")});
  EXPECT_EQ(cert.Emails(), (std::vector<std::string>{"joerg@xn--bcher-kva.example", "jörg@bücher.example"}));
  EXPECT_TRUE(cert.HasEmail("joerg@bücher.example"));
  EXPECT_TRUE(cert.HasEmail("jörg@xn--bcher-kva.example"));
  EXPECT_FALSE(cert.HasEmail("jorg@bücher.example"));  // twin
}

}  // namespace
}  // namespace sealpost::pki

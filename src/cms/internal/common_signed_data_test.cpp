// SPDX-License-Identifier: Apache-2.0
// The common-shape path gives exactly OpenSSL's result whenever it answers, and leaves
// everything else to OpenSSL: each message it answers for has a twin with one thing changed
// that it must decline and OpenSSL must judge for that reason, and every one-byte change of
// a signed message is run through both paths.
#include "cms/internal/common_signed_data.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdio>
#include <functional>
#include <random>
#include <string>

#include "cms/internal/common_signed_data_verify.h"
#include "cms/internal/der_cursor.h"
#include "cms/signed_data.h"
#include "cms/testing/detached_signature.h"
#include "cms/testing/signed_data_summary.h"
#include "ossl/handles.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::cms::internal {
namespace {

const std::string kContent = "Content-Type: text/plain\r\n\r\nSigned in the common shape.\r\n";

TEST(DerCursorTest, ReadsShortAndLongFormsInOrder) {
  std::string long_value(200, 'x');
  std::string in = std::string("\x04\x02hi", 4) + "\x04\x81\xc8" + long_value;
  DerCursor cursor(in);
  auto first = cursor.Next(0x04);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->contents, "hi");
  auto second = cursor.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->contents, long_value);
  EXPECT_TRUE(cursor.empty());
}

TEST(DerCursorTest, RefusesWhatIsNotStrictDer) {
  const std::string cases[] = {
      std::string("\x30\x80\x00\x00", 4),       // indefinite length (BER)
      std::string("\x04\x81\x05hello", 8),      // long form for a length under 128
      std::string("\x04\x82\x00\x81", 4) + std::string(0x81, 'x'),  // a leading zero length octet
      std::string("\x1f\x22\x01x", 4),          // high tag number
      std::string("\x04\x05hi", 4),             // runs past the input
      std::string("\x04", 1),                   // no length at all
  };
  for (const auto& c : cases) {
    DerCursor cursor(c);
    EXPECT_FALSE(cursor.Next()) << ::testing::PrintToString(c);
    EXPECT_FALSE(cursor.empty());  // the cursor stays where it was
  }
  const std::string empty_octets("\x04\x00", 2);
  DerCursor wrong_tag(empty_octets);
  EXPECT_FALSE(wrong_tag.Next(0x30));
  EXPECT_TRUE(wrong_tag.Next(0x04));
}

TEST(DerCursorTest, OidBodiesAreJudgedAsOpenSslJudgesThem) {
  EXPECT_TRUE(IsWellFormedOid("\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"));
  EXPECT_FALSE(IsWellFormedOid(""));
  EXPECT_FALSE(IsWellFormedOid("\x2a\x86"));                   // ends inside a subidentifier
  EXPECT_FALSE(IsWellFormedOid(std::string("\x80\x01", 2)));   // padded first subidentifier
  EXPECT_FALSE(IsWellFormedOid(std::string("\x2a\x80\x01", 3)));  // padded later one
  EXPECT_TRUE(IsWellFormedOid(std::string("\x2a\x81\x80\x01", 4)));  // 0x80 inside one is fine
}

// Each accepted form gives what ASN1_TIME_to_tm and timegm give (the OpenSSL path's way).
TEST(SigningTimeTest, MatchesOpenSslForTheStrictForms) {
  struct Case {
    const char* text;
    bool generalized;
  };
  const Case valid[] = {{"491231235959Z", false}, {"500101000000Z", false}, {"240229120000Z", false},
                        {"20991231235959Z", true}, {"19700101000000Z", true}, {"20000229000000Z", true}};
  for (const auto& c : valid) {
    auto mine = ParseSigningTime(c.text, c.generalized);
    ASSERT_TRUE(mine) << c.text;
    ossl::Asn1TimePtr t(ASN1_TIME_new());
    ASSERT_EQ(ASN1_STRING_set(t.get(), c.text, -1), 1);
    t->type = c.generalized ? V_ASN1_GENERALIZEDTIME : V_ASN1_UTCTIME;
    struct tm tm {};
    ASSERT_EQ(ASN1_TIME_to_tm(t.get(), &tm), 1) << c.text;
    EXPECT_EQ(*mine, static_cast<long long>(timegm(&tm))) << c.text;
  }
  const Case invalid[] = {{"230229120000Z", false},  {"19000229000000Z", true}, {"241301000000Z", false},
                          {"240431000000Z", false},  {"242400000000Z", false},  {"240101006000Z", false},
                          {"2401010000Z", false},    {"240101000000+0100", false}, {"20240101000000.5Z", true},
                          {"24010100000aZ", false},  {"240101000000Z", true}};
  for (const auto& c : invalid) EXPECT_FALSE(ParseSigningTime(c.text, c.generalized)) << c.text;
}

// Dates around every field's bounds, in both forms, some with a character spoiled: wherever
// the strict parser answers, OpenSSL reads the same instant (and it answers for most).
TEST(SigningTimeTest, AgreesWithOpenSslAroundEveryBound) {
  std::mt19937 rng(20261129);
  int answered = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool generalized = i % 2 == 1;
    char text[32];
    const int year = generalized ? static_cast<int>(rng() % 10000) : static_cast<int>(rng() % 100);
    std::snprintf(text, sizeof text, generalized ? "%04d%02d%02d%02d%02d%02dZ" : "%02d%02d%02d%02d%02d%02dZ", year,
                  static_cast<int>(rng() % 14), static_cast<int>(rng() % 33), static_cast<int>(rng() % 25),
                  static_cast<int>(rng() % 61), static_cast<int>(rng() % 61));
    std::string value(text);
    if (rng() % 10 == 0) value[rng() % value.size()] = "0Z+-.9a "[rng() % 8];
    auto mine = ParseSigningTime(value, generalized);
    if (!mine) continue;
    ++answered;
    ossl::Asn1TimePtr t(ASN1_TIME_new());
    ASSERT_EQ(ASN1_STRING_set(t.get(), value.data(), static_cast<int>(value.size())), 1);
    t->type = generalized ? V_ASN1_GENERALIZEDTIME : V_ASN1_UTCTIME;
    struct tm tm {};
    ASSERT_EQ(ASN1_TIME_to_tm(t.get(), &tm), 1) << value;
    ASSERT_EQ(*mine, static_cast<long long>(timegm(&tm))) << value;
  }
  EXPECT_GT(answered, 2000);
}

using testing::Summary;

class CommonSignedDataTest : public ::testing::Test {
 protected:
  // What the two paths say about `der` over `content`, with a bulk run's caches.
  struct Outcome {
    bool fast_answered = false;
    std::string fast;     // the result with the common-shape path allowed
    std::string openssl;  // the result of OpenSSL's path alone
  };
  Outcome Run(const std::string& der, std::string_view content, const std::vector<pki::Certificate>& extra = {},
              bool want_sender_preferences = false) {
    VerifyOptions options;
    options.certificate_cache = &certificates_;
    options.key_cache = &keys_;
    options.want_sender_preferences = want_sender_preferences;
    Outcome out;
    out.fast_answered = VerifyCommonSignedData(der, &content, nullptr, options, extra).has_value();
    out.fast = Summary(VerifySignedData(der, content, options, extra));
    options.common_shape_fast_path = false;
    out.openssl = Summary(VerifySignedData(der, content, options, extra));
    return out;
  }
  std::string Sign(EVP_PKEY* key, X509* cert, const EVP_MD* md = EVP_sha256(), unsigned int flags = 0) {
    return testing::SignDetached(kContent, key, cert, md, nullptr, flags);
  }

  ossl::EvpPkeyPtr rsa_{EVP_RSA_gen(2048)};
  ossl::X509Ptr rsa_cert_ = pki::testing::ThrowawayCertificate("Alice", 7, rsa_.get());
  ossl::EvpPkeyPtr ec_{EVP_EC_gen("P-256")};
  ossl::X509Ptr ec_cert_ = pki::testing::ThrowawayCertificate("Bob", 8, ec_.get());
  pki::CertificateCache certificates_;
  SignerKeyCache keys_;
};

TEST_F(CommonSignedDataTest, OpenSslSignaturesAreOfTheShape) {
  const std::string der = Sign(rsa_.get(), rsa_cert_.get(), EVP_sha384());
  auto shape = ParseCommonSignedData(der);
  ASSERT_TRUE(shape);
  EXPECT_EQ(shape->digest_nid, NID_sha384);
  EXPECT_EQ(shape->signature_nid, NID_rsaEncryption);
  ASSERT_EQ(shape->certificates.size(), 1u);
  EXPECT_EQ(shape->certificates[0], pki::testing::DerOf(rsa_cert_.get()));
  EXPECT_EQ(shape->message_digest.size(), 48u);
  EXPECT_TRUE(shape->signing_time);
  EXPECT_TRUE(shape->has_sender_preferences);  // OpenSSL adds SMIMECapabilities by default
  EXPECT_FALSE(ParseCommonSignedData(der + std::string(1, '\0')));  // trailing bytes
  EXPECT_FALSE(ParseCommonSignedData(der.substr(0, der.size() - 1)));
}

TEST_F(CommonSignedDataTest, ValidSignaturesGetOpenSslsResult) {
  const std::pair<EVP_PKEY*, X509*> signers[] = {{rsa_.get(), rsa_cert_.get()}, {ec_.get(), ec_cert_.get()}};
  for (const auto& [key, cert] : signers) {
    for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
      Outcome o = Run(Sign(key, cert, md), kContent);
      EXPECT_TRUE(o.fast_answered) << EVP_MD_get0_name(md);
      EXPECT_EQ(o.fast, o.openssl);
      EXPECT_NE(o.fast.find("| valid"), std::string::npos) << o.fast;
    }
  }
}

// The twins: one thing changed, declined here, judged by OpenSSL for that reason.
TEST_F(CommonSignedDataTest, ChangedContentIsLeftToOpenSsl) {
  const std::string der = Sign(rsa_.get(), rsa_cert_.get());
  std::string changed = kContent;
  changed[changed.size() - 3] ^= 0x01;
  Outcome o = Run(der, changed);
  EXPECT_FALSE(o.fast_answered);
  EXPECT_EQ(o.fast, o.openssl);
  EXPECT_NE(o.openssl.find("| invalid"), std::string::npos) << o.openssl;
  EXPECT_NE(o.openssl.find("the content was changed"), std::string::npos) << o.openssl;
}

TEST_F(CommonSignedDataTest, ChangedSignatureIsLeftToOpenSsl) {
  std::string der = Sign(ec_.get(), ec_cert_.get());
  auto shape = ParseCommonSignedData(der);
  ASSERT_TRUE(shape);
  der[static_cast<size_t>(shape->signature.data() - der.data()) + 10] ^= 0x01;
  Outcome o = Run(der, kContent);
  EXPECT_FALSE(o.fast_answered);
  EXPECT_EQ(o.fast, o.openssl);
  EXPECT_NE(o.openssl.find("the signature does not match the signed attributes"), std::string::npos) << o.openssl;
}

TEST_F(CommonSignedDataTest, SignerFoundAmongExtraCertificates) {
  const std::string der = Sign(rsa_.get(), rsa_cert_.get(), EVP_sha256(), CMS_NOCERTS);
  Outcome without = Run(der, kContent);
  EXPECT_FALSE(without.fast_answered);
  EXPECT_EQ(without.fast, without.openssl);
  EXPECT_NE(without.openssl.find("| no-certificate"), std::string::npos) << without.openssl;
  // Another certificate with the signer's serial number but another issuer comes first.
  ossl::X509Ptr same_serial = pki::testing::ThrowawayCertificate("Carol", 7);
  Outcome with = Run(der, kContent, {pki::Certificate::FromNative(same_serial.get()), pki::Certificate::FromNative(rsa_cert_.get())});
  EXPECT_TRUE(with.fast_answered);
  EXPECT_EQ(with.fast, with.openssl);
  EXPECT_NE(with.fast.find("| valid"), std::string::npos) << with.fast;
}

// Two different certificates that both answer to the signer's issuer and serial number:
// OpenSSL takes the first it meets; the fast path does not guess.
TEST_F(CommonSignedDataTest, AmbiguousSignerIsLeftToOpenSsl) {
  ossl::EvpPkeyPtr other_key(EVP_RSA_gen(2048));
  ossl::X509Ptr impostor = pki::testing::ThrowawayCertificate("Alice", 7, other_key.get());
  const std::string der = Sign(rsa_.get(), rsa_cert_.get());
  Outcome o = Run(der, kContent, {pki::Certificate::FromNative(impostor.get())});
  EXPECT_FALSE(o.fast_answered);
  EXPECT_EQ(o.fast, o.openssl);
}

TEST_F(CommonSignedDataTest, WeakKeyIsLeftToOpenSsl) {
  ossl::EvpPkeyPtr small(EVP_RSA_gen(1024));
  ossl::X509Ptr cert = pki::testing::ThrowawayCertificate("Old", 9, small.get());
  Outcome o = Run(Sign(small.get(), cert.get()), kContent);
  EXPECT_FALSE(o.fast_answered);
  EXPECT_EQ(o.fast, o.openssl);
  EXPECT_NE(o.openssl.find("| insecure-algorithm"), std::string::npos) << o.openssl;
}

// Harvesting a contact needs SMIMECapabilities decoded: OpenSSL's path does that.
TEST_F(CommonSignedDataTest, SenderPreferencesAreLeftToOpenSslWhenWanted) {
  const std::string der = Sign(rsa_.get(), rsa_cert_.get());
  Outcome wanted = Run(der, kContent, {}, /*want_sender_preferences=*/true);
  EXPECT_FALSE(wanted.fast_answered);
  EXPECT_NE(wanted.openssl.find("| valid"), std::string::npos) << wanted.openssl;
  Outcome without_caps = Run(Sign(rsa_.get(), rsa_cert_.get(), EVP_sha256(), CMS_NOSMIMECAP), kContent, {}, true);
  EXPECT_TRUE(without_caps.fast_answered);
  EXPECT_EQ(without_caps.fast, without_caps.openssl);
}

TEST_F(CommonSignedDataTest, DuplicateBagCertificatesAreCountedOnceLikeOpenSsl) {
  // The signer's certificate twice in the bag, as a careless client might send it.
  ossl::CmsPtr cms;
  {
    const std::string der = Sign(rsa_.get(), rsa_cert_.get());
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  }
  ASSERT_TRUE(cms);
  ossl::X509Ptr copy(X509_dup(rsa_cert_.get()));
  // CMS_add1_cert refuses a duplicate, so the second copy is spliced into the encoding.
  std::string der;
  {
    unsigned char* out = nullptr;
    const int len = i2d_CMS_ContentInfo(cms.get(), &out);
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  auto shape = ParseCommonSignedData(der);
  ASSERT_TRUE(shape);
  ASSERT_EQ(shape->certificates.size(), 1u);
  const std::string cert = pki::testing::DerOf(rsa_cert_.get());
  const size_t at = static_cast<size_t>(shape->certificates[0].data() - der.data());
  std::string doubled = der.substr(0, at) + cert + der.substr(at);
  // Re-encode the three enclosing lengths: ContentInfo, [0], SignedData, then the bag [0].
  auto grow = [&](std::string& s, size_t header_at) {
    // Only long-form two-octet lengths occur at these sizes.
    ASSERT_EQ(static_cast<unsigned char>(s[header_at + 1]), 0x82);
    size_t len = (static_cast<unsigned char>(s[header_at + 2]) << 8) | static_cast<unsigned char>(s[header_at + 3]);
    len += cert.size();
    s[header_at + 2] = static_cast<char>(len >> 8);
    s[header_at + 3] = static_cast<char>(len & 0xff);
  };
  const size_t bag_at = at - 4;
  ASSERT_EQ(static_cast<unsigned char>(doubled[bag_at]), 0xA0);
  grow(doubled, 0);
  grow(doubled, 4 + 11);       // [0] EXPLICIT after the 11-byte OID
  grow(doubled, 4 + 11 + 4);   // SignedData SEQUENCE
  grow(doubled, bag_at);
  auto doubled_shape = ParseCommonSignedData(doubled);
  ASSERT_TRUE(doubled_shape);
  ASSERT_EQ(doubled_shape->certificates.size(), 2u);
  Outcome o = Run(doubled, kContent);
  EXPECT_TRUE(o.fast_answered);
  EXPECT_EQ(o.fast, o.openssl);
  EXPECT_NE(o.fast.find("certs 1 "), std::string::npos) << o.fast;
}

TEST_F(CommonSignedDataTest, PrecomputedDigestGetsOpenSslsResult) {
  const std::string der = Sign(rsa_.get(), rsa_cert_.get(), EVP_sha384());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  ASSERT_EQ(EVP_Digest(kContent.data(), kContent.size(), md, &md_len, EVP_sha384(), nullptr), 1);
  VerifyOptions options;
  options.certificate_cache = &certificates_;
  options.key_cache = &keys_;
  options.want_sender_preferences = false;
  for (bool right : {true, false}) {
    ContentDigest digest{NID_sha384, std::string(reinterpret_cast<char*>(md), md_len)};
    if (!right) digest.value[0] ^= 0x01;
    EXPECT_EQ(VerifyCommonSignedData(der, nullptr, &digest, options, {}).has_value(), right);
    std::string fast = Summary(VerifySignedDataWithDigest(der, digest, options));
    options.common_shape_fast_path = false;
    std::string openssl = Summary(VerifySignedDataWithDigest(der, digest, options));
    options.common_shape_fast_path = true;
    EXPECT_EQ(fast, openssl);
    EXPECT_NE(openssl.find(right ? "| valid" : "| invalid"), std::string::npos) << openssl;
  }
}

// Attributes a client may sign that OpenSSL would re-encode differently are left to it; the
// kinds it keeps byte for byte are answered, with OpenSSL's result.
TEST_F(CommonSignedDataTest, OddSignedAttributesAreAnsweredOnlyWhereOpenSslKeepsTheirBytes) {
  auto add_value = [](int type, const void* value, int len) {
    return [=](CMS_SignerInfo* si) {
      ASSERT_EQ(CMS_signed_add1_attr_by_txt(si, "1.3.6.1.4.1.99999.1", type, value, len), 1);
    };
  };
  ossl::Asn1IntegerPtr number(ASN1_INTEGER_new());
  ASSERT_EQ(ASN1_INTEGER_set(number.get(), 42), 1);
  const std::string sequence("\x30\x03\x02\x01\x07", 5);  // SEQUENCE { INTEGER 7 }
  ossl::Asn1StringPtr sequence_value(ASN1_STRING_type_new(V_ASN1_SEQUENCE));
  ASSERT_EQ(ASN1_STRING_set(sequence_value.get(), sequence.data(), static_cast<int>(sequence.size())), 1);
  struct Case {
    const char* name;
    std::function<void(CMS_SignerInfo*)> change;
    bool answered;
  };
  const Case cases[] = {
      {"OCTET STRING", add_value(V_ASN1_OCTET_STRING, "note", 4), true},
      {"SEQUENCE", add_value(V_ASN1_SEQUENCE, sequence_value.get(), -1), true},
      {"INTEGER", add_value(V_ASN1_INTEGER, number.get(), -1), false},
      {"UTF8String", add_value(V_ASN1_UTF8STRING, "text", 4), false},
      {"two values", [&](CMS_SignerInfo* si) {
         add_value(V_ASN1_OCTET_STRING, "a", 1)(si);
         X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, CMS_signed_get_attr_count(si) - 1);
         ASSERT_EQ(X509_ATTRIBUTE_set1_data(attr, V_ASN1_OCTET_STRING, "b", 1), 1);
       }, false},
  };
  for (const auto& c : cases) {
    const std::string der = testing::SignDetached(kContent, rsa_.get(), rsa_cert_.get(), EVP_sha256(), c.change, CMS_NOSMIMECAP);
    Outcome o = Run(der, kContent);
    EXPECT_EQ(o.fast_answered, c.answered) << c.name;
    EXPECT_EQ(o.fast, o.openssl) << c.name;
    EXPECT_NE(o.openssl.find("| valid"), std::string::npos) << c.name << ": " << o.openssl;
  }
}

// Every one-byte change: whenever the common-shape path answers, its answer is OpenSSL's.
TEST_F(CommonSignedDataTest, NoOneByteChangeGetsAnAnswerOtherThanOpenSsls) {
  const std::pair<EVP_PKEY*, X509*> signers[] = {{rsa_.get(), rsa_cert_.get()}, {ec_.get(), ec_cert_.get()}};
  for (const auto& [key, cert] : signers) {
    const std::string der = Sign(key, cert, EVP_sha256(), CMS_NOSMIMECAP);
    int answered = 0;
    for (size_t i = 0; i < der.size(); ++i) {
      std::string changed = der;
      changed[i] = static_cast<char>(changed[i] ^ (1 << (i % 8)));
      Outcome o = Run(changed, kContent);
      if (!o.fast_answered) continue;
      ++answered;
      ASSERT_EQ(o.fast, o.openssl) << "byte " << i << " changed";
    }
    // Flips in the certificate's own signature or validity leave the signature valid.
    EXPECT_GT(answered, 0);
    EXPECT_LT(answered, static_cast<int>(der.size()) / 2);
  }
}

}  // namespace
}  // namespace sealpost::cms::internal

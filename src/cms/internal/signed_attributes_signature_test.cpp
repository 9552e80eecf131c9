// SPDX-License-Identifier: Apache-2.0
// The fast signed-attributes check accepts what CMS_SignerInfo_verify accepts for the
// algorithms it covers, and never anything OpenSSL refuses: each acceptance has a twin that
// changes one thing and must be refused by both, and every one-byte change of a signature
// is tried against both.
#include "cms/internal/signed_attributes_signature.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <functional>
#include <string>

#include "cms/internal/der_writer.h"
#include "cms/testing/detached_signature.h"
#include "cms/signed_data.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::cms::internal {
namespace {

const std::string kContent = "Content-Type: text/plain\r\n\r\nThe signed text.\r\n";

std::string SignWith(EVP_PKEY* key, X509* cert, const EVP_MD* md,
                     const std::function<void(CMS_SignerInfo*)>& change = nullptr) {
  return testing::SignDetached(kContent, key, cert, md, change);
}

// The first signer of `der` with its certificate found, ready for either check.
struct Parsed {
  ossl::CmsPtr cms;
  CMS_SignerInfo* si = nullptr;
  EVP_PKEY* key = nullptr;
};

Parsed Parse(const std::string& der) {
  Parsed p;
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  p.cms.reset(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(der.size())));
  if (!p.cms) return p;
  CMS_set1_signers_certs(p.cms.get(), nullptr, 0);
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(p.cms.get());
  if (!infos || sk_CMS_SignerInfo_num(infos) < 1) return p;
  p.si = sk_CMS_SignerInfo_value(infos, 0);
  CMS_SignerInfo_get0_algs(p.si, &p.key, nullptr, nullptr, nullptr);
  return p;
}

struct Verdicts {
  bool fast;
  bool openssl;
};

Verdicts Check(const std::string& der, SignerKeyCache& cache) {
  Parsed p = Parse(der);
  if (!p.si || !p.key || CMS_signed_get_attr_count(p.si) < 0) return {false, false};
  Verdicts v{SignedAttributesVerifyFast(p.si, p.key, cache), CMS_SignerInfo_verify(p.si) == 1};
  ossl::DrainErrors();
  return v;
}

class SignedAttributesSignatureTest : public ::testing::Test {
 protected:
  ossl::EvpPkeyPtr rsa_{EVP_RSA_gen(2048)};
  ossl::X509Ptr rsa_cert_ = pki::testing::ThrowawayCertificate("Alice", 1, rsa_.get());
  ossl::EvpPkeyPtr ec_{EVP_EC_gen("P-256")};
  ossl::X509Ptr ec_cert_ = pki::testing::ThrowawayCertificate("Bob", 2, ec_.get());
  SignerKeyCache cache_;
};

TEST_F(SignedAttributesSignatureTest, ValidRsaSignatureIsAcceptedLikeOpenSsl) {
  for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    Verdicts v = Check(SignWith(rsa_.get(), rsa_cert_.get(), md), cache_);
    EXPECT_TRUE(v.openssl) << EVP_MD_get0_name(md);
    EXPECT_TRUE(v.fast) << EVP_MD_get0_name(md);
  }
}

TEST_F(SignedAttributesSignatureTest, ValidEcdsaSignatureIsAcceptedLikeOpenSsl) {
  Verdicts v = Check(SignWith(ec_.get(), ec_cert_.get(), EVP_sha256()), cache_);
  EXPECT_TRUE(v.openssl);
  EXPECT_TRUE(v.fast);
}

// The cached context is reused: a second message by the same key, then a bad one, then a
// good one again (a failed check must not spoil the context).
TEST_F(SignedAttributesSignatureTest, CachedContextServesManyMessagesOfOneKey) {
  const std::string good = SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha256());
  Parsed p = Parse(good);
  ASSERT_NE(p.si, nullptr);
  EXPECT_TRUE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(p.si);
  signature->data[10] ^= 0x01;
  EXPECT_FALSE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  EXPECT_NE(CMS_SignerInfo_verify(p.si), 1);
  signature->data[10] ^= 0x01;
  EXPECT_TRUE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  ossl::DrainErrors();
}

TEST_F(SignedAttributesSignatureTest, ChangedSignedAttributeIsRefusedByBoth) {
  Parsed p = Parse(SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha256()));
  ASSERT_NE(p.si, nullptr);
  ASSERT_TRUE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  // Another signing time than the one signed.
  int idx = CMS_signed_get_attr_by_NID(p.si, NID_pkcs9_signingTime, -1);
  ASSERT_GE(idx, 0);
  X509_ATTRIBUTE_free(CMS_signed_delete_attr(p.si, idx));
  ossl::Asn1TimePtr other(ASN1_TIME_set(nullptr, 86400));
  ASSERT_EQ(CMS_signed_add1_attr_by_NID(p.si, NID_pkcs9_signingTime, other->type, other.get(), -1), 1);
  EXPECT_FALSE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  EXPECT_NE(CMS_SignerInfo_verify(p.si), 1);
  ossl::DrainErrors();
}

// Signs `si`'s signed attributes as they now stand (the SET in the order held), as a
// signer that broke the rules would: OpenSSL's CMS_final refuses to make such messages.
void Resign(CMS_SignerInfo* si, EVP_PKEY* key, const EVP_MD* md) {
  std::string set;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* out = nullptr;
    int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &out);
    ASSERT_GT(len, 0);
    set.append(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  set = Wrap(0x31, set);
  ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key), 1);
  ASSERT_EQ(EVP_DigestSign(ctx.get(), nullptr, &sig_len, reinterpret_cast<const unsigned char*>(set.data()), set.size()), 1);
  std::string sig(sig_len, '\0');
  ASSERT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                           reinterpret_cast<const unsigned char*>(set.data()), set.size()), 1);
  ASSERT_EQ(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(sig_len)), 1);
}

bool OpenSslAccepts(CMS_SignerInfo* si) {
  bool ok = CMS_SignerInfo_verify(si) == 1;
  ossl::DrainErrors();
  return ok;
}

// The signature covers the attributes in the order the message lists them (OpenSSL checks
// the received order, not DER's sorted one): moving one breaks both checks, and signing the
// new order mends both.
TEST_F(SignedAttributesSignatureTest, AttributesAreCheckedInTheOrderReceived) {
  Parsed p = Parse(SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha256()));
  ASSERT_NE(p.si, nullptr);
  ASSERT_GE(CMS_signed_get_attr_count(p.si), 3);
  X509_ATTRIBUTE* first = CMS_signed_delete_attr(p.si, 0);
  ASSERT_EQ(CMS_signed_add1_attr(p.si, first), 1);
  X509_ATTRIBUTE_free(first);
  EXPECT_FALSE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  EXPECT_FALSE(OpenSslAccepts(p.si));
  Resign(p.si, rsa_.get(), EVP_sha256());
  EXPECT_TRUE(SignedAttributesVerifyFast(p.si, p.key, cache_));
  EXPECT_TRUE(OpenSslAccepts(p.si));
}

// Signed by the key, but breaking RFC 5652 §11: OpenSSL refuses, and so does the fast check.
TEST_F(SignedAttributesSignatureTest, AttributeRuleBreachesAreNotAccepted) {
  auto add_signing_time = [](CMS_SignerInfo* si) {
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, 86400));
    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t.get(), -1);
  };
  auto add_countersignature = [](CMS_SignerInfo* si) {
    ossl::Asn1OctetStringPtr junk(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(junk.get(), reinterpret_cast<const unsigned char*>("x"), 1);
    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_countersignature, V_ASN1_OCTET_STRING, junk.get(), -1);
  };
  auto drop_content_type = [](CMS_SignerInfo* si) {
    X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1)));
  };
  using Change = std::function<void(CMS_SignerInfo*)>;
  const std::pair<const char*, Change> breaches[] = {{"signingTime twice", add_signing_time},
                                                     {"countersignature signed", add_countersignature},
                                                     {"no contentType", drop_content_type}};
  for (const auto& [name, change] : breaches) {
    Parsed p = Parse(SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha256()));
    ASSERT_NE(p.si, nullptr);
    Resign(p.si, rsa_.get(), EVP_sha256());  // the control: re-signed unchanged, both accept
    ASSERT_TRUE(OpenSslAccepts(p.si)) << name;
    ASSERT_TRUE(SignedAttributesVerifyFast(p.si, p.key, cache_)) << name;
    change(p.si);
    Resign(p.si, rsa_.get(), EVP_sha256());
    EXPECT_FALSE(OpenSslAccepts(p.si)) << name;
    EXPECT_FALSE(SignedAttributesVerifyFast(p.si, p.key, cache_)) << name;
  }
}

// Cases outside the fast check's reach go to OpenSSL, which still accepts them.
TEST_F(SignedAttributesSignatureTest, UncoveredCasesAreLeftToOpenSsl) {
  auto unsigned_attribute = [](CMS_SignerInfo* si) {
    ossl::Asn1OctetStringPtr note(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(note.get(), reinterpret_cast<const unsigned char*>("n"), 1);
    CMS_unsigned_add1_attr_by_NID(si, NID_pkcs9_unstructuredName, V_ASN1_OCTET_STRING, note.get(), -1);
  };
  Verdicts with_unsigned = Check(SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha256(), unsigned_attribute), cache_);
  EXPECT_TRUE(with_unsigned.openssl);
  EXPECT_FALSE(with_unsigned.fast);
  Verdicts sha1 = Check(SignWith(rsa_.get(), rsa_cert_.get(), EVP_sha1()), cache_);
  EXPECT_TRUE(sha1.openssl);
  EXPECT_FALSE(sha1.fast);
}

// Every one-byte change of a signed message: whenever the fast check accepts, OpenSSL does.
TEST_F(SignedAttributesSignatureTest, NoOneByteChangeIsAcceptedThatOpenSslRefuses) {
  for (auto* key : {rsa_.get(), ec_.get()}) {
    X509* cert = key == rsa_.get() ? rsa_cert_.get() : ec_cert_.get();
    const std::string der = SignWith(key, cert, EVP_sha256());
    int fast_accepts = 0;
    for (size_t i = 0; i < der.size(); ++i) {
      std::string changed = der;
      changed[i] = static_cast<char>(changed[i] ^ (1 << (i % 8)));
      Verdicts v = Check(changed, cache_);
      if (v.fast) ++fast_accepts;
      ASSERT_TRUE(!v.fast || v.openssl) << "byte " << i << " changed: accepted by the fast check only";
    }
    // Flips that leave the signed bytes alone (say, in the certificate's own signature)
    // still verify; most do not.
    EXPECT_LT(fast_accepts, static_cast<int>(der.size()) / 2);
  }
}

}  // namespace
}  // namespace sealpost::cms::internal

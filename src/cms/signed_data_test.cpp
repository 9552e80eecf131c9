// SPDX-License-Identifier: Apache-2.0
// Verifying against a digest the caller computed while reading the content (one pass over
// a big message) gives the streamed form's verdicts, and refuses to apply where it cannot.
#include "cms/signed_data.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "cms/signer.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::cms {
namespace {

std::string DigestOf(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out, &n, md, nullptr), 1);
  return std::string(reinterpret_cast<char*>(out), n);
}

class PrecomputedDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SignOptions options;
    options.detached = true;
    auto der = Sign(content_, certificate_, pki::PrivateKey::FromNative(key_.get()), options);
    ASSERT_TRUE(der.has_value()) << der.error().message();
    der_ = *der;
  }
  // The signer's certificate is self-issued here: trust is not this layer's question.
  ossl::EvpPkeyPtr key_{EVP_RSA_gen(2048)};
  ossl::X509Ptr x509_ = pki::testing::ThrowawayCertificate("Alice", 1, key_.get());
  pki::Certificate certificate_ = pki::Certificate::FromNative(x509_.get());
  std::string content_ = "Content-Type: text/plain\r\n\r\nThe signed text.\r\n";
  std::string der_;
};

TEST_F(PrecomputedDigestTest, MatchingDigestIsValidLikeTheStreamedForm) {
  auto streamed = VerifySignedData(der_, std::optional<std::string_view>(content_), {});
  auto digested = VerifySignedDataWithDigest(der_, {NID_sha256, DigestOf(EVP_sha256(), content_)}, {});
  ASSERT_TRUE(streamed.has_value()) << streamed.error().message();
  ASSERT_TRUE(digested.has_value()) << digested.error().message();
  ASSERT_EQ(digested->signers.size(), 1u);
  EXPECT_EQ(streamed->signers[0].status, SignatureStatus::kValid);
  EXPECT_EQ(digested->signers[0].status, SignatureStatus::kValid);
  EXPECT_EQ(digested->signers[0].digest, streamed->signers[0].digest);
}

// A bulk run that harvests no contacts skips the signer's capabilities and encryption-key
// preference; the verdict is the same.
TEST_F(PrecomputedDigestTest, SenderPreferencesAreDecodedOnlyWhenWanted) {
  auto full = VerifySignedData(der_, std::optional<std::string_view>(content_), {});
  VerifyOptions bulk;
  bulk.want_sender_preferences = false;
  auto lean = VerifySignedData(der_, std::optional<std::string_view>(content_), bulk);
  ASSERT_TRUE(full.has_value()) << full.error().message();
  ASSERT_TRUE(lean.has_value()) << lean.error().message();
  EXPECT_FALSE(full->signers[0].capabilities.empty());
  EXPECT_TRUE(lean->signers[0].capabilities.empty());
  EXPECT_FALSE(lean->signers[0].encryption_preference.has_value());
  EXPECT_EQ(lean->signers[0].status, SignatureStatus::kValid);
  EXPECT_EQ(lean->signers[0].status, full->signers[0].status);
}

TEST_F(PrecomputedDigestTest, DigestOfChangedContentIsInvalidForThatReason) {
  std::string changed = content_;
  changed[changed.size() - 4] ^= 1;
  auto digested = VerifySignedDataWithDigest(der_, {NID_sha256, DigestOf(EVP_sha256(), changed)}, {});
  ASSERT_TRUE(digested.has_value()) << digested.error().message();
  EXPECT_EQ(digested->signers[0].status, SignatureStatus::kInvalid);
  EXPECT_EQ(digested->signers[0].detail, "the content was changed after signing");
}

TEST_F(PrecomputedDigestTest, TruncatedDigestIsInvalidNotAccepted) {
  std::string digest = DigestOf(EVP_sha256(), content_);
  digest.pop_back();
  auto digested = VerifySignedDataWithDigest(der_, {NID_sha256, digest}, {});
  ASSERT_TRUE(digested.has_value());
  EXPECT_EQ(digested->signers[0].status, SignatureStatus::kInvalid);
}

TEST_F(PrecomputedDigestTest, ChangedSignedAttributesStayInvalid) {
  // The messageDigest still matches, but signingTime (the last UTCTime: the certificate's
  // validity comes before the SignerInfo) moved by a second: the signature must fail.
  std::string tampered = der_;
  const size_t at = tampered.rfind(std::string("\x17\x0d", 2));
  ASSERT_NE(at, std::string::npos);
  char& second = tampered[at + 2 + 11];  // YYMMDDHHMMSS: the last digit of the seconds
  second = second == '9' ? '8' : static_cast<char>(second + 1);
  auto digested = VerifySignedDataWithDigest(tampered, {NID_sha256, DigestOf(EVP_sha256(), content_)}, {});
  ASSERT_TRUE(digested.has_value()) << digested.error().message();
  EXPECT_EQ(digested->signers[0].status, SignatureStatus::kInvalid);
  EXPECT_EQ(digested->signers[0].detail, "the signature does not match the signed attributes");
}

TEST_F(PrecomputedDigestTest, OtherDigestAlgorithmIsRefusedSoTheCallerReadsTheContent) {
  auto digested = VerifySignedDataWithDigest(der_, {NID_sha384, DigestOf(EVP_sha384(), content_)}, {});
  ASSERT_FALSE(digested.has_value());
  EXPECT_EQ(digested.error().code(), ErrorCode::kUnsupported);
}

TEST_F(PrecomputedDigestTest, EmbeddedContentIsRefusedSoTheCallerReadsIt) {
  SignOptions embedded;
  embedded.detached = false;
  auto der = Sign(content_, certificate_, pki::PrivateKey::FromNative(key_.get()), embedded);
  ASSERT_TRUE(der.has_value());
  auto digested = VerifySignedDataWithDigest(*der, {NID_sha256, DigestOf(EVP_sha256(), content_)}, {});
  ASSERT_FALSE(digested.has_value());
  EXPECT_EQ(digested.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace sealpost::cms

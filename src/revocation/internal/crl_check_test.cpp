// SPDX-License-Identifier: Apache-2.0
// CRL decisions on CRLs made by `openssl ca -gencrl`: listed, not listed, and every reason
// a CRL must not be believed (wrong key, other issuer, stale, partial scope, delta).
#include "revocation/internal/crl_check.h"

#include <gtest/gtest.h>

#include <ctime>

#include "revocation/internal/openssl_cli_fixture.h"

namespace sealpost::revocation::internal {
namespace {

constexpr char kUrl[] = "http://127.0.0.1:9/ca.crl";
constexpr std::time_t kDay = 24 * 60 * 60;

class CrlCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ca_.ok());
    std::string leaf = ca_.Issue("alice", std::string("crlDistributionPoints = URI:") + kUrl);
    ASSERT_FALSE(leaf.empty());
    leaf_path_ = leaf;
    auto cert = CliCa::Load(leaf);
    auto issuer = ca_.Cert();
    ASSERT_TRUE(cert.has_value() && issuer.has_value());
    cert_.emplace(*cert);
    issuer_.emplace(*issuer);
  }

  Result<VerifiedStatus> Check(const std::string& crl, std::time_t at = std::time(nullptr)) {
    return CheckCrl(crl, *cert_, *issuer_, kUrl, at);
  }

  void ExpectRejected(const std::string& crl, const std::string& why, std::time_t at = std::time(nullptr)) {
    ASSERT_FALSE(crl.empty());
    auto status = Check(crl, at);
    ASSERT_FALSE(status.has_value()) << "accepted a CRL that should fail with: " << why;
    EXPECT_NE(status.error().message().find(why), std::string::npos) << status.error().message();
  }

  CliCa ca_;
  std::string leaf_path_;
  std::optional<pki::Certificate> cert_;
  std::optional<pki::Certificate> issuer_;
};

TEST_F(CrlCheckTest, UnlistedCertificateIsGood) {
  std::string crl = ca_.Crl("-crldays 7");
  auto status = Check(crl);
  ASSERT_TRUE(status.has_value()) << status.error().message();
  EXPECT_EQ(status->state, RevocationState::kGood);
  EXPECT_GT(status->next_update, status->this_update);
}

TEST_F(CrlCheckTest, ListedCertificateIsRevokedWithReasonAndTime) {
  ASSERT_TRUE(ca_.Revoke(leaf_path_, "keyCompromise"));
  for (bool pem : {false, true}) {
    auto status = Check(ca_.Crl("-crldays 7", "", pem));
    ASSERT_TRUE(status.has_value()) << status.error().message();
    EXPECT_EQ(status->state, RevocationState::kRevoked);
    EXPECT_EQ(status->reason, "keyCompromise");
    EXPECT_LE(std::abs(status->revoked_at - std::time(nullptr)), 600);
  }
}

TEST_F(CrlCheckTest, TamperedSignatureIsRejected) {
  std::string crl = ca_.Crl("-crldays 7");
  ASSERT_FALSE(crl.empty());
  crl[crl.size() - 3] ^= 0x01;  // inside the ECDSA signature's s value
  ExpectRejected(crl, "signature");
}

TEST_F(CrlCheckTest, SameNameDifferentKeyIsRejected) {
  CliCa impostor;  // same default subject name, its own key
  ASSERT_TRUE(impostor.ok());
  ExpectRejected(impostor.Crl("-crldays 7"), "signature does not verify");
}

TEST_F(CrlCheckTest, OtherIssuerIsRejected) {
  CliCa other("Some Other CA");
  ASSERT_TRUE(other.ok());
  ExpectRejected(other.Crl("-crldays 7"), "another CA");
}

TEST_F(CrlCheckTest, StaleAndFutureCrlsAreRejected) {
  ExpectRejected(ca_.Crl("-crl_lastupdate 20200101000000Z -crl_nextupdate 20200108000000Z"), "stale");
  std::string current = ca_.Crl("-crldays 7");
  ExpectRejected(current, "stale", std::time(nullptr) + 8 * kDay);
  ExpectRejected(current, "not yet valid", std::time(nullptr) - kDay);
}

TEST_F(CrlCheckTest, IssuerWithoutCrlSignIsRejected) {
  CliCa no_crl_sign("Cert-only CA", "critical,keyCertSign");
  ASSERT_TRUE(no_crl_sign.ok());
  std::string leaf = no_crl_sign.Issue("bob", "basicConstraints = CA:false");
  auto cert = CliCa::Load(leaf);
  auto issuer = no_crl_sign.Cert();
  ASSERT_TRUE(cert.has_value() && issuer.has_value());
  auto status = CheckCrl(no_crl_sign.Crl("-crldays 7"), *cert, *issuer, kUrl, std::time(nullptr));
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message().find("cRLSign"), std::string::npos) << status.error().message();
}

TEST_F(CrlCheckTest, DeltaCrlIsRejected) {
  ExpectRejected(ca_.Crl("-crldays 7", "2.5.29.27 = critical,DER:02:01:01"), "delta CRL");
}

TEST_F(CrlCheckTest, UnknownCriticalExtensionIsRejected) {
  ExpectRejected(ca_.Crl("-crldays 7", "1.3.6.1.4.1.55555.1 = critical,DER:05:00"), "critical extension");
}

TEST_F(CrlCheckTest, IssuingDistributionPointMustCoverTheCertificate) {
  ExpectRejected(ca_.Crl("-crldays 7", "issuingDistributionPoint = critical, fullname:URI:http://other.example/"),
                 "another distribution point");
  ExpectRejected(ca_.Crl("-crldays 7", "issuingDistributionPoint = critical, onlyCA:TRUE"), "only CA");
  ExpectRejected(ca_.Crl("-crldays 7",
                         "issuingDistributionPoint = critical, @idp\n[idp]\nonlysomereasons = "
                         "keyCompromise"),
                 "only some");
  auto matching = Check(ca_.Crl("-crldays 7", std::string("issuingDistributionPoint = critical, onlyuser:TRUE, "
                                                          "fullname:URI:") +
                                                  kUrl));
  ASSERT_TRUE(matching.has_value()) << matching.error().message();
  EXPECT_EQ(matching->state, RevocationState::kGood);
}

TEST_F(CrlCheckTest, GarbageIsMalformed) {
  auto status = Check("not a crl");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace sealpost::revocation::internal

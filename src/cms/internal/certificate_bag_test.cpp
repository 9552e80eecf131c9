// SPDX-License-Identifier: Apache-2.0
// The certificate bag splitter: what it cuts out is exactly the bag, what it leaves parses
// as the same SignedData without certificates, and hostile input never reads out of bounds.
#include "cms/internal/certificate_bag.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "ossl/handles.h"

namespace sealpost::cms::internal {
namespace {

std::string Der(X509* cert) {
  unsigned char* p = nullptr;
  int n = i2d_X509(cert, &p);
  std::string out(reinterpret_cast<char*>(p), static_cast<size_t>(n));
  OPENSSL_free(p);
  return out;
}

// A self-signed P-256 certificate and a SignedData over "hello" carrying it.
struct Sample {
  ossl::EvpPkeyPtr key{EVP_EC_gen("P-256")};
  ossl::X509Ptr cert{X509_new()};
  std::string der;
  Sample() {
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("bag test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    ossl::BioPtr data(BIO_new_mem_buf("hello", 5));
    ossl::CmsPtr cms(CMS_sign(cert.get(), key.get(), nullptr, data.get(), CMS_BINARY));
    unsigned char* p = nullptr;
    int n = i2d_CMS_ContentInfo(cms.get(), &p);
    der.assign(reinterpret_cast<char*>(p), static_cast<size_t>(n));
    OPENSSL_free(p);
  }
};

TEST(CertificateBagTest, CutsOutExactlyTheBag) {
  Sample s;
  auto split = SplitCertificateBag(s.der);
  ASSERT_TRUE(split.has_value());
  ASSERT_EQ(split->certificates.size(), 1u);
  EXPECT_EQ(std::string(split->certificates[0]), Der(s.cert.get()));
  EXPECT_LT(split->without_certificates.size(), s.der.size());

  const auto* p = reinterpret_cast<const unsigned char*>(split->without_certificates.data());
  ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(split->without_certificates.size())));
  ASSERT_TRUE(cms);
  EXPECT_EQ(reinterpret_cast<const char*>(p), split->without_certificates.data() + split->without_certificates.size());
  STACK_OF(X509)* certs = CMS_get1_certs(cms.get());
  EXPECT_EQ(certs, nullptr);  // no certificates left
  sk_X509_pop_free(certs, X509_free);
  ossl::X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), s.cert.get());
  // Without its certificate the signer cannot be found; given it back, it verifies.
  EXPECT_NE(CMS_verify(cms.get(), nullptr, store.get(), nullptr, nullptr, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
  ERR_clear_error();
  ASSERT_EQ(CMS_add1_cert(cms.get(), s.cert.get()), 1);
  EXPECT_EQ(CMS_verify(cms.get(), nullptr, store.get(), nullptr, nullptr, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
}

TEST(CertificateBagTest, NoBagOrNotSignedDataIsLeftAlone) {
  Sample s;
  auto split = SplitCertificateBag(s.der);
  ASSERT_TRUE(split.has_value());
  EXPECT_FALSE(SplitCertificateBag(split->without_certificates).has_value());  // no bag left
  EXPECT_FALSE(SplitCertificateBag(Der(s.cert.get())).has_value());           // a certificate
  EXPECT_FALSE(SplitCertificateBag("").has_value());
  EXPECT_FALSE(SplitCertificateBag(std::string("\x30\x80\x00\x00", 4)).has_value());
}

TEST(CertificateBagTest, EveryTruncationAndByteFlipIsSafe) {
  Sample s;
  for (size_t n = 0; n < s.der.size(); ++n) EXPECT_FALSE(SplitCertificateBag(s.der.substr(0, n)).has_value()) << n;
  // Flipped bytes: either refused, or the result is again a well-formed split (ASan checks bounds).
  for (size_t i = 0; i < s.der.size(); ++i) {
    std::string bad = s.der;
    bad[i] = static_cast<char>(bad[i] ^ 0x80);
    auto split = SplitCertificateBag(bad);
    if (split) {
      EXPECT_LE(split->without_certificates.size(), bad.size() + 8) << i;
    }
  }
}

}  // namespace
}  // namespace sealpost::cms::internal

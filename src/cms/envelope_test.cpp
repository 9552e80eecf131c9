// SPDX-License-Identifier: Apache-2.0
// Decryption of a message whose RSA key transport was damaged: it fails, every time, before
// any content is decrypted (OpenSSL's random-key countermeasure would otherwise let about
// one try in 256 "succeed" with random bytes; found by the decrypt fuzzer).
#include "cms/envelope.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "cms/envelope_stream.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::cms {
namespace {

struct RsaIdentity {
  ossl::EvpPkeyPtr key{EVP_RSA_gen(2048)};
  ossl::X509Ptr x509 = pki::testing::ThrowawayCertificate("Bob", 1, key.get());
  pki::Certificate certificate = pki::Certificate::FromNative(x509.get());
  Identity identity{certificate, pki::PrivateKey::FromNative(key.get())};
};

// The encryptedKey of the only RecipientInfo: the one 256-byte OCTET STRING (RSA-2048).
size_t EncryptedKeyOffset(const std::string& der) {
  const std::string marker("\x04\x82\x01\x00", 4);
  const size_t at = der.find(marker);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(der.find(marker, at + 1), std::string::npos);
  return at + marker.size();
}

class TamperedKeyTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto der = Encrypt(std::string(4096, 'p'), {{bob_.certificate}}, ContentCipher::kAes256Cbc);
    ASSERT_TRUE(der.has_value()) << der.error().message();
    der_ = *der;
  }
  // The message with byte `i` of the encrypted key changed.
  std::string Tampered(size_t i) const {
    std::string out = der_;
    out[EncryptedKeyOffset(out) + i] ^= 0x5a;
    return out;
  }
  RsaIdentity bob_;
  std::string der_;
};

TEST_F(TamperedKeyTransportTest, IntactMessageDecrypts) {
  auto plain = Decrypt(der_, {bob_.identity}, {});
  ASSERT_TRUE(plain.has_value()) << plain.error().message();
  EXPECT_EQ(*plain, std::string(4096, 'p'));
}

TEST_F(TamperedKeyTransportTest, DamagedKeyFailsBeforeAnyContentIsDecrypted) {
  // Streamed, so that anything decrypted would reach the sink: nothing may.
  for (size_t i : {0, 17, 128, 255}) {
    SCOPED_TRACE(i);
    const std::string tampered = Tampered(i);
    MemorySource in(tampered);
    auto envelope = EnvelopeStream::Open(in);
    ASSERT_TRUE(envelope.has_value()) << envelope.error().message();
    std::string received;
    StringSink sink(received);
    auto decrypted = envelope->Decrypt({bob_.identity}, {}, sink);
    ASSERT_FALSE(decrypted.has_value());
    EXPECT_EQ(decrypted.error().code(), ErrorCode::kIntegrity);
    EXPECT_TRUE(received.empty()) << received.size() << " bytes of random plaintext reached the sink";
  }
}

TEST_F(TamperedKeyTransportTest, DamagedKeyFailsTheSameWayEveryTime) {
  const std::string tampered = Tampered(100);
  for (int attempt = 0; attempt < 300; ++attempt) {
    auto plain = Decrypt(tampered, {bob_.identity}, {});
    ASSERT_FALSE(plain.has_value()) << "attempt " << attempt << " decrypted a damaged message";
    ASSERT_EQ(plain.error().code(), ErrorCode::kIntegrity);
  }
}

}  // namespace
}  // namespace sealpost::cms

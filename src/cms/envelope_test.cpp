// SPDX-License-Identifier: Apache-2.0
// Decryption of a message whose RSA key transport was damaged or replaced: it fails, every
// time, with the same error, and no decrypted byte reaches the caller. OpenSSL decrypts such
// content with a random key; CBC padding then checks out about one try in 256, which the
// decrypt fuzzer found and, later, a flaky catalogue E7 run (a conformant 5-byte key).
#include "cms/envelope.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "cms/envelope_stream.h"
#include "cms/testing/rsa_identity.h"

namespace sealpost::cms {
namespace {

using testing::RsaIdentity;

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
  // The message with its encrypted key replaced by a well-formed PKCS#1 v1.5 encryption of
  // `key` to bob: it unwraps, to a key that is not the content key.
  std::string WithKeyTransported(const std::string& key) const {
    ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(bob_.key.get(), nullptr));
    EXPECT_EQ(EVP_PKEY_encrypt_init(ctx.get()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), 1);
    std::string wrapped(256, '\0');
    size_t length = wrapped.size();
    EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(wrapped.data()), &length,
                               reinterpret_cast<const unsigned char*>(key.data()), key.size()),
              1);
    EXPECT_EQ(length, 256u);
    std::string out = der_;
    out.replace(EncryptedKeyOffset(out), 256, wrapped);
    return out;
  }
  // Streams `der` to a sink and expects the one error, with nothing received.
  void ExpectStreamedFailureReleasingNothing(const std::string& der) {
    MemorySource in(der);
    auto envelope = EnvelopeStream::Open(in);
    ASSERT_TRUE(envelope.has_value()) << envelope.error().message();
    std::string received;
    StringSink sink(received);
    auto decrypted = envelope->Decrypt({bob_.identity}, {}, sink);
    ASSERT_FALSE(decrypted.has_value());
    EXPECT_EQ(decrypted.error().code(), ErrorCode::kIntegrity);
    EXPECT_EQ(decrypted.error().message(), "decryption failed: the message was altered or the key does not fit");
    EXPECT_TRUE(received.empty()) << received.size() << " bytes of random plaintext reached the sink";
  }
  RsaIdentity bob_;
  std::string der_;
};

TEST_F(TamperedKeyTransportTest, IntactMessageDecrypts) {
  auto plain = Decrypt(der_, {bob_.identity}, {});
  ASSERT_TRUE(plain.has_value()) << plain.error().message();
  EXPECT_EQ(*plain, std::string(4096, 'p'));
}

TEST_F(TamperedKeyTransportTest, DamagedKeyReleasesNothing) {
  // Streamed, so that anything decrypted would reach the sink: nothing may.
  for (size_t i : {0, 17, 128, 255}) {
    SCOPED_TRACE(i);
    ExpectStreamedFailureReleasingNothing(Tampered(i));
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

// Catalogue E7: a chosen ciphertext that unwraps cleanly, to a key of the wrong length or
// to the wrong key of the right length, fails exactly like one that does not unwrap. A key
// of the wrong length is swapped for a fresh random one at each try, so 300 tries would see
// about one padding "success" if the content were not checked.
TEST_F(TamperedKeyTransportTest, ConformantWrongKeysFailLikeDamagedOnes) {
  const std::string damaged_error = Decrypt(Tampered(100), {bob_.identity}, {}).error().message();
  for (const std::string& key : {std::string("12345"), std::string(32, 'K'), std::string(16, 'k')}) {
    SCOPED_TRACE(key.size());
    for (int attempt = 0; attempt < 300; ++attempt) {
      const std::string forged = WithKeyTransported(key);
      auto plain = Decrypt(forged, {bob_.identity}, {});
      ASSERT_FALSE(plain.has_value()) << "attempt " << attempt << " released " << plain->size() << " bytes";
      ASSERT_EQ(plain.error().code(), ErrorCode::kIntegrity);
      ASSERT_EQ(plain.error().message(), damaged_error);
    }
    ExpectStreamedFailureReleasingNothing(WithKeyTransported(key));
  }
}

// The twin: the entity check passes what S/MIME really carries, streamed or not.
TEST(EntityContentTest, GenuineEntitiesOfEveryShapeDecrypt) {
  RsaIdentity bob;
  const std::string png_magic("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  for (const std::string& entity :
       {std::string("Content-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n") + png_magic,
        std::string("Subject: x\n\n") + png_magic, std::string("headerless text, Gr\xc3\xbc\xc3\x9f" "e\r\n"),
        std::string("\r\nan empty header block, then text"), std::string("")}) {
    SCOPED_TRACE(entity);
    auto der = Encrypt(entity, {{bob.certificate}}, ContentCipher::kAes256Cbc);
    ASSERT_TRUE(der.has_value()) << der.error().message();
    auto plain = Decrypt(*der, {bob.identity}, {});
    ASSERT_TRUE(plain.has_value()) << plain.error().message();
    EXPECT_EQ(*plain, entity);
    MemorySource in(*der);
    auto envelope = EnvelopeStream::Open(in);
    ASSERT_TRUE(envelope.has_value()) << envelope.error().message();
    std::string received;
    StringSink sink(received);
    auto streamed = envelope->Decrypt({bob.identity}, {}, sink);
    ASSERT_TRUE(streamed.has_value()) << streamed.error().message();
    EXPECT_EQ(received, entity);
  }
}

// Content that is not a MIME entity at all (a bare binary file) is refused when CBC carries
// it: without an integrity check nothing tells it from a wrong key. Under GCM the tag does.
TEST(EntityContentTest, BinaryContentNeedsAnAuthenticatedCipher) {
  RsaIdentity bob;
  const std::string binary("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
  auto cbc = Encrypt(binary, {{bob.certificate}}, ContentCipher::kAes256Cbc);
  ASSERT_TRUE(cbc.has_value()) << cbc.error().message();
  auto refused = Decrypt(*cbc, {bob.identity}, {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kIntegrity);
  auto gcm = Encrypt(binary, {{bob.certificate}}, ContentCipher::kAes256Gcm);
  ASSERT_TRUE(gcm.has_value()) << gcm.error().message();
  auto plain = Decrypt(*gcm, {bob.identity}, {});
  ASSERT_TRUE(plain.has_value()) << plain.error().message();
  EXPECT_EQ(*plain, binary);
}

}  // namespace
}  // namespace sealpost::cms

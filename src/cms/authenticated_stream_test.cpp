// SPDX-License-Identifier: Apache-2.0
// AuthEnvelopedData decrypted in one pass (EnvelopeStream): the content is decrypted as it is
// read and the tag, which follows it, is checked at the end. Each valid case has a twin that
// changes one thing and must fail for that reason (catalogue E3, E4).
#include <gtest/gtest.h>

#include "cms/envelope.h"
#include "cms/envelope_stream.h"
#include "cms/testing/rsa_identity.h"

namespace sealpost::cms {
namespace {

using testing::RsaIdentity;

// Decrypts `der` with EnvelopeStream into a string.
Result<std::string> StreamDecrypt(const std::string& der, const Identity& identity) {
  MemorySource in(der);
  ASSIGN_OR_RETURN(EnvelopeStream envelope, EnvelopeStream::Open(in));
  std::string received;
  StringSink sink(received);
  RETURN_IF_ERROR(envelope.Decrypt({identity}, {}, sink));
  return received;
}

// `openssl cms -stream` form: indefinite lengths, so bytes can be inserted or dropped in the
// trailer without re-encoding anything around them. It ends with the encryptedContent's and
// the EncryptedContentInfo's end-of-contents, `04 10` and the 16-byte tag, then three more.
constexpr size_t kTrailerAfterTag = 6;
constexpr size_t kTagLength = 16;

class OnePassGcmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Over four 64 KiB OCTET STRING chunks, and not a multiple of the AES block.
    for (int i = 0; content_.size() < 300'000; ++i) content_ += "line " + std::to_string(i) + " of the content\r\n";
    MemorySource in(content_);
    StringSink out(streamed_);
    auto written = EncryptStream(in, {{bob_.certificate}}, ContentCipher::kAes256Gcm, out);
    ASSERT_TRUE(written.has_value()) << written.error().message();
    ASSERT_EQ(streamed_.substr(TagTlvOffset(), 2), std::string("\x04\x10", 2));
  }
  size_t TagTlvOffset() const { return streamed_.size() - kTrailerAfterTag - kTagLength - 2; }
  void ExpectFailure(const std::string& der, ErrorCode code, const std::string& message_part) {
    auto plain = StreamDecrypt(der, bob_.identity);
    ASSERT_FALSE(plain.has_value()) << "decrypted " << plain->size() << " bytes";
    EXPECT_EQ(plain.error().code(), code) << plain.error().message();
    EXPECT_NE(plain.error().message().find(message_part), std::string::npos) << plain.error().message();
  }
  RsaIdentity bob_;
  std::string content_, streamed_;
};

TEST_F(OnePassGcmTest, StreamedAndDerFormsDecrypt) {
  auto plain = StreamDecrypt(streamed_, bob_.identity);
  ASSERT_TRUE(plain.has_value()) << plain.error().message();
  EXPECT_EQ(*plain, content_);
  auto der = Encrypt(content_, {{bob_.certificate}}, ContentCipher::kAes128Gcm);  // definite lengths
  ASSERT_TRUE(der.has_value()) << der.error().message();
  auto from_der = StreamDecrypt(*der, bob_.identity);
  ASSERT_TRUE(from_der.has_value()) << from_der.error().message();
  EXPECT_EQ(*from_der, content_);
}

TEST_F(OnePassGcmTest, FlippedTagBitFailsTheTagCheck) {
  for (size_t i : {size_t{0}, kTagLength - 1}) {
    std::string forged = streamed_;
    forged[TagTlvOffset() + 2 + i] ^= 0x01;
    ExpectFailure(forged, ErrorCode::kIntegrity, "authentication tag mismatch");
  }
}

TEST_F(OnePassGcmTest, FlippedCiphertextBitFailsTheTagCheck) {
  std::string forged = streamed_;
  forged[streamed_.size() / 2] ^= 0x80;  // deep inside the encrypted content
  ExpectFailure(forged, ErrorCode::kIntegrity, "authentication tag mismatch");
}

// Catalogue E4: GCM tags truncate to a prefix, so a 12-byte prefix of the genuine tag would
// verify if its length were not held to the announced aes-ICVlen (16 here).
TEST_F(OnePassGcmTest, TagShorterThanAnnouncedIsRefused) {
  std::string forged = streamed_;
  forged.erase(TagTlvOffset() + 2 + 12, kTagLength - 12);
  forged[TagTlvOffset() + 1] = 12;
  ExpectFailure(forged, ErrorCode::kIntegrity, "authentication tag has the wrong length");
}

// authAttrs are GCM associated data, needed before the ciphertext but sent after it.
TEST_F(OnePassGcmTest, AuthenticatedAttributesAreRefusedNotMisreportedAsTampering) {
  // [1] { Attribute { contentType, SET { id-data } } }
  const std::string attributes(
      "\xa1\x1a\x30\x18\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03\x31\x0b\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01",
      28);
  std::string with_attributes = streamed_;
  with_attributes.insert(TagTlvOffset(), attributes);
  ExpectFailure(with_attributes, ErrorCode::kUnsupported, "authenticated attributes");
}

// What follows the content is parsed by OpenSSL too, as in memory: an EnvelopedData whose
// unprotectedAttrs are not attributes is refused after its content was decrypted.
TEST(OnePassTrailerTest, DamagedUnprotectedAttributesAreRefused) {
  RsaIdentity bob;
  const std::string content = "Content-Type: text/plain\r\n\r\nhello\r\n";
  MemorySource in(content);
  std::string streamed;
  StringSink out(streamed);
  ASSERT_TRUE(EncryptStream(in, {{bob.certificate}}, ContentCipher::kAes256Cbc, out).has_value());
  auto intact = StreamDecrypt(streamed, bob.identity);
  ASSERT_TRUE(intact.has_value()) << intact.error().message();
  EXPECT_EQ(*intact, content);
  // After the content's and the EncryptedContentInfo's end-of-contents: [1] { INTEGER 0 }.
  std::string damaged = streamed;
  damaged.insert(damaged.size() - 6, std::string("\xa1\x03\x02\x01\x00", 5));
  auto refused = StreamDecrypt(damaged, bob.identity);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(refused.error().message(), "the encrypted message is not a readable CMS structure");
}

}  // namespace
}  // namespace sealpost::cms

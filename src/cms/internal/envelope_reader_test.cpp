// SPDX-License-Identifier: Apache-2.0
// EnvelopeReader on hand-made BER: the content streams out of every chunk form, what follows
// it is kept for the header, and broken structures fail as malformed.
#include "cms/internal/envelope_reader.h"

#include <gtest/gtest.h>

#include "cms/internal/der_writer.h"

namespace sealpost::cms::internal {
namespace {

const std::string kEnvelopedOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 11);
const std::string kDataOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 11);
const std::string kAes256CbcAlgorithm =
    Wrap(0x30, std::string("\x06\x09\x60\x86\x48\x01\x65\x03\x04\x01\x2a", 11) + Wrap(0x04, std::string(16, 'i')));
const std::string kVersion("\x02\x01\x00", 3);
const std::string kRecipients = Wrap(0x31, Wrap(0x30, "r"));  // the reader never looks inside
const std::string kEoc("\x00\x00", 2);

// ContentInfo { envelopedData, [0] { version, recipients, ECI { data, algorithm, content },
// trailer } } with indefinite lengths around the content, as `openssl cms -stream` writes.
std::string Envelope(const std::string& content, const std::string& trailer = "") {
  return "\x30\x80" + kEnvelopedOid + "\xa0\x80" + "\x30\x80" + kVersion + kRecipients + "\x30\x80" + kDataOid +
         kAes256CbcAlgorithm + content + kEoc + trailer + kEoc + kEoc + kEoc;
}

struct Read {
  Status opened = Ok();
  std::string content;
  Status streamed = Ok();
  Status finished = Ok();
  std::string header;
};

Read ReadAll(const std::string& ber) {
  Read out;
  MemorySource source(ber);
  auto reader = EnvelopeReader::Open(source, 1 << 16);
  if (!reader) {
    out.opened = reader.error();
    return out;
  }
  StringSink sink(out.content);
  out.streamed = Pump((*reader)->content(), sink, 3);  // odd chunk size: reads cross every piece
  if (out.streamed) out.finished = (*reader)->Finish();
  out.header = (*reader)->Header();
  return out;
}

TEST(EnvelopeReaderTest, StreamsChunkedContentAndKeepsTheTrailer) {
  const std::string chunks = "\xa0\x80" + Wrap(0x04, "secret ") + "\x24\x80" + Wrap(0x04, "cipher") + kEoc +
                             Wrap(0x04, "text") + kEoc;
  const std::string trailer = Wrap(0xa1, Wrap(0x30, "attrs"));
  Read r = ReadAll(Envelope(chunks, trailer));
  ASSERT_TRUE(r.opened && r.streamed && r.finished);
  EXPECT_EQ(r.content, "secret ciphertext");
  // The header is DER with the content detached and the trailer in place.
  EXPECT_EQ(r.header, Wrap(0x30, kEnvelopedOid + Wrap(0xa0, Wrap(0x30, kVersion + kRecipients +
                                                                          Wrap(0x30, kDataOid + kAes256CbcAlgorithm) +
                                                                          trailer))));
}

TEST(EnvelopeReaderTest, StreamsPrimitiveAndDefiniteChunkedContent) {
  Read primitive = ReadAll(Envelope(Wrap(0x80, "all in one")));
  ASSERT_TRUE(primitive.opened && primitive.streamed && primitive.finished);
  EXPECT_EQ(primitive.content, "all in one");
  Read definite = ReadAll(Envelope(Wrap(0xa0, Wrap(0x04, "ab") + Wrap(0x04, "cd"))));
  ASSERT_TRUE(definite.opened && definite.streamed && definite.finished);
  EXPECT_EQ(definite.content, "abcd");
}

TEST(EnvelopeReaderTest, BrokenStructuresAreMalformed) {
  const std::string good = "\xa0\x80" + Wrap(0x04, "ab") + kEoc;
  ASSERT_TRUE(ReadAll(Envelope(good)).finished);
  struct Case {
    const char* what;
    std::string ber;
  };
  std::string deep = Wrap(0x04, "x");
  for (int i = 0; i < 6; ++i) deep = Wrap(0x24, deep);
  const Case cases[] = {
      {"truncated inside the content", Envelope(good).substr(0, Envelope(good).size() - 12)},
      {"data after the structure", Envelope(good) + "x"},
      {"a chunk that is not an OCTET STRING", Envelope("\xa0\x80" + Wrap(0x02, "ab") + kEoc)},
      {"chunks nested too deep", Envelope(Wrap(0xa0, deep))},
      {"a chunk overrunning its definite parent", Envelope(Wrap(0xa0, std::string("\x04\x05" "ab", 4)) + "zzz")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Read r = ReadAll(c.ber);
    const Status& failed = !r.opened ? r.opened : !r.streamed ? r.streamed : r.finished;
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code(), ErrorCode::kMalformed) << failed.error().message();
  }
}

TEST(EnvelopeReaderTest, OtherCmsTypesSayNotEnvelopedData) {
  const std::string signed_data_oid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 11);
  Read r = ReadAll(Wrap(0x30, signed_data_oid + Wrap(0xa0, Wrap(0x30, kVersion))));
  ASSERT_FALSE(r.opened.has_value());
  EXPECT_NE(r.opened.error().message().find("not EnvelopedData"), std::string::npos);
}

}  // namespace
}  // namespace sealpost::cms::internal

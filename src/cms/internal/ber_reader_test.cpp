// SPDX-License-Identifier: Apache-2.0
// BER reading: definite/indefinite lengths, chunked OCTET STRINGs, hostile bounds.
#include "cms/internal/ber_reader.h"

#include <gtest/gtest.h>

namespace sealpost::cms::internal {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

TEST(BerReaderTest, DefiniteSequenceChildren) {
  std::string der = Bytes({0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x41});
  auto tlv = ReadTlv(der);
  ASSERT_TRUE(tlv.has_value());
  auto kids = Children(*tlv);
  ASSERT_TRUE(kids.has_value());
  ASSERT_EQ(kids->size(), 2u);
  EXPECT_EQ(SmallIntegerValue((*kids)[0]), 5);
  EXPECT_EQ(OctetStringValue((*kids)[1]), "A");
}

TEST(BerReaderTest, IndefiniteConstructedOctetStringIsConcatenated) {
  std::string ber = Bytes({0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00});
  auto tlv = ReadTlv(ber);
  ASSERT_TRUE(tlv.has_value());
  EXPECT_TRUE(tlv->indefinite);
  EXPECT_EQ(tlv->whole.size(), ber.size());
  EXPECT_EQ(OctetStringValue(*tlv), "abc");
}

TEST(BerReaderTest, LengthPastEndIsRejected) {
  EXPECT_FALSE(ReadTlv(Bytes({0x30, 0x05, 0x02, 0x01})).has_value());
  EXPECT_FALSE(ReadTlv(Bytes({0x30, 0x84, 0x7f, 0xff, 0xff, 0xff})).has_value());
}

TEST(BerReaderTest, MissingEndOfContentsIsRejected) {
  EXPECT_FALSE(ReadTlv(Bytes({0x30, 0x80, 0x02, 0x01, 0x01})).has_value());
}

TEST(BerReaderTest, DeepIndefiniteNestingIsBounded) {
  std::string ber;
  for (int i = 0; i < 1000; ++i) ber += Bytes({0x30, 0x80});
  for (int i = 0; i < 1000; ++i) ber += Bytes({0x00, 0x00});
  EXPECT_FALSE(ReadTlv(ber).has_value());
}

TEST(BerReaderTest, NegativeOrHugeIntegersAreNotSmall) {
  EXPECT_FALSE(SmallIntegerValue(*ReadTlv(Bytes({0x02, 0x01, 0xff}))).has_value());
  EXPECT_FALSE(SmallIntegerValue(*ReadTlv(Bytes({0x02, 0x05, 0x01, 0, 0, 0, 0}))).has_value());
}

}  // namespace
}  // namespace sealpost::cms::internal

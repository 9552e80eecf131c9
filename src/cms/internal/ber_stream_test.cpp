// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/ber_stream.h"

#include <gtest/gtest.h>

namespace sealpost::cms::internal {
namespace {

TEST(BerStreamTest, ReadsNestedIndefiniteElementsWhole) {
  // SEQUENCE(indef) { INTEGER 5, SET(indef) { } } then OCTET STRING "ab"
  const std::string der("\x30\x80\x02\x01\x05\x31\x80\x00\x00\x00\x00\x04\x02" "ab", 15);
  MemorySource source(der);
  BerStream ber(source, 1024);
  auto first = ber.ReadElement();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, der.substr(0, 11));
  auto header = ber.ReadHeader();
  ASSERT_TRUE(header);
  EXPECT_EQ(header->tag, 0x04);
  std::string octets;
  StringSink sink(octets);
  ASSERT_TRUE(ber.CopyTo(header->length, sink));
  EXPECT_EQ(octets, "ab");
  auto end = ber.AtEnd();
  ASSERT_TRUE(end);
  EXPECT_TRUE(*end);
}

TEST(BerStreamTest, CapsElementsAndRejectsTruncation) {
  const std::string big("\x04\x82\x10\x00", 4);  // declares 4096 bytes, carries none
  MemorySource source(big);
  BerStream ber(source, 1024);
  auto e = ber.ReadElement();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code(), ErrorCode::kLimit);

  const std::string cut("\x30\x05\x02\x01", 4);
  MemorySource cut_source(cut);
  BerStream cut_ber(cut_source, 1024);
  auto c = cut_ber.ReadElement();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kMalformed);
}

TEST(BerStreamTest, RefusesDeepNesting) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += std::string("\x30\x80", 2);
  for (int i = 0; i < 40; ++i) deep += std::string("\x00\x00", 2);
  MemorySource source(deep);
  BerStream ber(source, 1 << 20);
  auto e = ber.ReadElement();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code(), ErrorCode::kLimit);
}

}  // namespace
}  // namespace sealpost::cms::internal

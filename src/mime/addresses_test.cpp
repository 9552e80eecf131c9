// SPDX-License-Identifier: Apache-2.0
// Address parsing for sender binding (catalogue I2/I3).
#include "mime/addresses.h"

#include <gtest/gtest.h>

#include "mime/content_type.h"

namespace sealpost::mime {
namespace {

TEST(AddressesTest, AddrSpecIsLowerCasedAndNameKept) {
  auto boxes = ParseAddressList("\"Eve Example\" <Eve@Example.ORG>");
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].address, "eve@example.org");
  EXPECT_EQ(boxes[0].display_name, "Eve Example");
}

TEST(AddressesTest, DisplayNameThatLooksLikeAnAddressIsNotTheAddress) {
  auto boxes = ParseAddressList("\"manager@bigcorp.example\" <eve@example.org>");
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].address, "eve@example.org");
  EXPECT_TRUE(DisplayNameLooksLikeAddress(boxes[0].display_name));
}

TEST(AddressesTest, NameOnlyAndEmptyGiveNoAddress) {
  auto boxes = ParseAddressList("The Manager");
  for (const auto& b : boxes) EXPECT_TRUE(b.address.empty());
  EXPECT_TRUE(ParseAddressList("   ").empty());
}

TEST(AddressesTest, SeveralMailboxesAreAllReturned) {
  EXPECT_EQ(ParseAddressList("a@x.org, b@y.org").size(), 2u);
}

TEST(ContentTypeTest, ParsesTypeAndRfc2231Parameters) {
  ContentType ct = ParseContentType("Multipart/Signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"xyz\"");
  EXPECT_TRUE(ct.Is("multipart", "signed"));
  EXPECT_EQ(ct.Param("protocol"), "application/pkcs7-signature");
  EXPECT_EQ(ct.Param("boundary"), "xyz");
  ContentType named = ParseContentType("application/octet-stream; name*=UTF-8''caf%C3%A9.p7m");
  EXPECT_EQ(named.Param("name"), "caf\xc3\xa9.p7m");
}

TEST(ContentTypeTest, MissingValueDefaultsToTextPlain) {
  ContentType ct = ParseContentType("");
  EXPECT_TRUE(ct.Is("text", "plain"));
}

}  // namespace
}  // namespace sealpost::mime

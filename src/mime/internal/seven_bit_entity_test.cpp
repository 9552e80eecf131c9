// SPDX-License-Identifier: Apache-2.0
// The signing fast path against GMime: wherever it says GMime would leave an entity as it
// is, GMime's re-encoding must return exactly those bytes.
#include "mime/internal/seven_bit_entity.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sealpost::mime::internal {
namespace {

using std::string_literals::operator""s;

// Returns whether the fast path answered; fails the test if GMime changes the entity.
bool AgreesWithGMime(const std::string& entity) {
  if (!SigningLeavesUnchanged(entity)) return false;
  auto reencoded = ReencodeForSigningWithGMime({"", entity});
  EXPECT_TRUE(reencoded.has_value()) << entity;
  if (reencoded) {
    EXPECT_EQ(reencoded->entity, entity);
  }
  return true;
}

TEST(SevenBitEntityTest, PlainTextIsLeftAsItIs) {
  for (const char* entity : {"Content-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n",
                             "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nhello\r\n\r\nbye\r\n",
                             "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
                             "Content-Type: text/plain; charset=us-ascii\r\n\r\nno final line end"}) {
    EXPECT_TRUE(AgreesWithGMime(entity)) << entity;
  }
}

TEST(SevenBitEntityTest, LeavesEverythingElseToGMime) {
  const std::string ct = "Content-Type: text/plain; charset=us-ascii\r\n";
  // (997 octets is refused here: a margin below the length where GMime re-encodes.)
  const std::vector<std::string> others = {ct + "\r\ntrailing space \r\n", ct + "\r\nFrom the start\r\n",
                                    ct + "\r\ncaf\xc3\xa9\r\n", ct + "\r\nnul\0x\r\n"s, ct + "\r\n" + std::string(997, 'a') + "\r\n",
                                    ct + "Content-Transfer-Encoding: 8bit\r\n\r\nx\r\n",
                                    ct + "Content-Disposition: inline\r\n\r\nx\r\n",
                                    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
                                    "Content-Type: text/plain;\r\n charset=us-ascii\r\n\r\nx\r\n", ct + "\r\nbare\rCR\r\n"};
  for (const std::string& entity : others) {
    EXPECT_FALSE(SigningLeavesUnchanged(entity)) << entity;
  }
}

// Bodies built from lines that sit on every edge of the rules: GMime must keep each entity
// the fast path passes. (A first version allowed 998-octet lines; GMime re-encodes those.)
TEST(SevenBitEntityTest, AgreesWithGMimeOnGeneratedEntities) {
  const std::vector<std::string> headers = {
      "Content-Type: text/plain; charset=us-ascii\r\n",
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n",
      "Content-Transfer-Encoding: 7BIT\r\nContent-Type: Text/Plain; charset=\"us-ascii\"; format=flowed\r\n",
      "content-type: text/html; charset=utf-8\r\n",
      "Content-Type: application/octet-stream\r\ncontent-transfer-encoding:7bit\r\n"};
  const std::vector<std::string> lines = {"", "plain words", "\tindented", "a=b =3D", ".", "..", "--boundary",
                                          "from lower case", ">From quoted", "From", "Fro", std::string(76, 'x'),
                                          std::string(77, 'y'), std::string(995, 'w'), std::string(996, 'v'), std::string(997, 'u'),
                                          std::string(998, 'z'), "tab\tinside", " leading",
                                          "=?utf-8?q?x?=", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
                                          "From here", "ends in a space ", "ends in a tab\t", "caf\xc3\xa9"};
  std::mt19937 rng(20261129);
  size_t answered = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string entity = headers[rng() % headers.size()] + "\r\n";
    const size_t n = rng() % 6;
    for (size_t j = 0; j < n; ++j) entity += lines[rng() % lines.size()] + "\r\n";
    if (n > 0 && i % 3 == 0) entity.resize(entity.size() - 2);  // a last line left open
    answered += AgreesWithGMime(entity);
  }
  EXPECT_GT(answered, 1000u);
}

}  // namespace
}  // namespace sealpost::mime::internal

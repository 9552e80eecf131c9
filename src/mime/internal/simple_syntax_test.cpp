// SPDX-License-Identifier: Apache-2.0
// The fast paths against GMime: wherever a fast path answers, GMime must say the same.
#include "mime/internal/simple_syntax.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace sealpost::mime::internal {
namespace {

std::string Describe(const ContentType& ct) {
  std::string out = ct.type + "/" + ct.subtype;
  for (const auto& [name, value] : ct.params) out += " [" + name + "=" + value + "]";
  return out;
}

TEST(SimpleContentTypeTest, ParsesWhatMailUses) {
  auto ct = ParseSimpleContentType(
      "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"----=_1\"");
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(Describe(*ct), "multipart/signed [boundary=----=_1] [micalg=sha-256] [protocol=application/pkcs7-signature]");
  ct = ParseSimpleContentType("Text/PLAIN;Charset=UTF-8 ; format=flowed");
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(Describe(*ct), "text/plain [charset=UTF-8] [format=flowed]");
  ct = ParseSimpleContentType("text/plain; charset=a; CHARSET=b");
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(ct->Param("charset"), "a");  // the first wins, as with GMime's list
}

TEST(SimpleContentTypeTest, LeavesEverythingElseToGMime) {
  for (const char* hard : {"", "text", "text/", "/plain", "text/plain; name*=utf-8''x", "text/plain; name*0=a",
                           "text/plain; name=\"=?utf-8?q?x?=\"", "text/plain; name=\"a\\\"b\"", "text/plain (c)",
                           "text/plain; charset", "text/plain;", "text/plain; a=b c", "text/plain; a=\"b",
                           "text/plain; a=\"\xc3\xa9\"", "text/plain; a=\"tab\there\""}) {
    SCOPED_TRACE(hard);
    EXPECT_FALSE(ParseSimpleContentType(hard).has_value());
  }
}

// Random values from the pieces real and hostile headers are made of.
std::string RandomContentType(std::mt19937& random) {
  static const std::vector<std::string> types = {"text", "TEXT", "multipart", "application", "x-foo", "a{b", "message", "",
                                                 "te\"xt", "image"};
  static const std::vector<std::string> subtypes = {"plain", "PLAIN", "mixed", "pkcs7-mime", "x.y+z", "", "signed", "html"};
  static const std::vector<std::string> slashes = {"/", " /", "/ ", "//"};
  static const std::vector<std::string> names = {"charset", "Charset", "boundary", "name", "micalg", "protocol", "x",
                                                 "a*", "NAME", "", "format", "b c"};
  static const std::vector<std::string> values = {
      "us-ascii", "\"quoted value\"", "\"\"", "\"a;b\"", "\"a\\\\b\"", "=?utf-8?q?x?=", "foo bar", "latin1",
      "UTF-8", "\"----=_Part_0\"", "\"(c)\"", "\"a=b\"", "sha-256", "\"application/pkcs7-signature\"", "", "\"x",
      "iso-8859-1", "\"  spaced  \"", "'single'", "a/b", "\"\xc3\xa9\""};
  static const std::vector<std::string> separators = {";", "; ", " ; ", ";\t", ";;", " "};
  static const std::vector<std::string> equals = {"=", " = ", "= ", " ="};
  auto pick = [&](const std::vector<std::string>& v) { return v[random() % v.size()]; };
  std::string out = (random() % 4 == 0 ? " " : "") + pick(types) + pick(slashes) + pick(subtypes);
  for (int n = random() % 4; n > 0; --n) out += pick(separators) + pick(names) + pick(equals) + pick(values);
  if (random() % 8 == 0) out += pick({";", " ", " (comment)", "\""});
  return out;
}

TEST(SimpleContentTypeTest, AgreesWithGMimeWhereverItAnswers) {
  std::mt19937 random(2026);
  int answered = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string value = RandomContentType(random);
    std::optional<ContentType> fast = ParseSimpleContentType(value);
    if (!fast) continue;
    ++answered;
    ASSERT_EQ(Describe(*fast), Describe(ParseContentTypeWithGMime(value))) << "value: " << value;
  }
  EXPECT_GT(answered, 4000);  // the comparison ran on a real share of the inputs
}

std::string RandomEntity(std::mt19937& random) {
  static const std::vector<std::string> lines = {
      "Content-Type: text/plain", "Content-Type: multipart/mixed; boundary=x", "Content-Type: message/rfc822",
      "Content-Type: application/octet-stream; name=\"a.bin\"", "Content-Type: text/plain (c)", "X-A: b", " folded",
      "\tfolded", "Bad Line", "X : y", ":x", "From x", "Subject: a\x01", "Content-Transfer-Encoding: base64",
      "content-type: image/png", "Content-Type: multipart/signed; boundary=\"b\"", "Subject: caf\xc3\xa9", ""};
  static const std::vector<std::string> eols = {"\r\n", "\n", "\r"};
  static const std::vector<std::string> bodies = {"", "hello\r\n", "--x\r\nX: y\r\n\r\nz\r\n--x--\r\n",
                                                  std::string("\0\xff\x01", 3), "line\nline\n"};
  std::string out;
  for (int n = 1 + random() % 5; n > 0; --n) out += lines[random() % lines.size()] + eols[random() % eols.size()];
  if (random() % 4 != 0) out += eols[random() % eols.size()];
  out += bodies[random() % bodies.size()];
  return out;
}

TEST(PlainLeafEntityTest, GMimeParsesEveryEntityItVouchesFor) {
  std::mt19937 random(1129);
  int vouched = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string entity = RandomEntity(random);
    if (!IsPlainLeafEntity(entity)) continue;
    ++vouched;
    ASSERT_TRUE(CheckContentParsesWithGMime(entity).has_value()) << "entity: " << entity;
  }
  EXPECT_GT(vouched, 2500);
}

TEST(PlainLeafEntityTest, VouchesOnlyForPlainLeaves) {
  EXPECT_TRUE(IsPlainLeafEntity("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nhi"));
  EXPECT_TRUE(IsPlainLeafEntity("Subject: x\n folded\n\nbody"));
  EXPECT_FALSE(IsPlainLeafEntity("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n"));
  EXPECT_FALSE(IsPlainLeafEntity("Content-Type: message/rfc822\r\n\r\nX: y\r\n\r\n"));
  EXPECT_FALSE(IsPlainLeafEntity("Content-Type: text/plain\r\nContent-Type: multipart/mixed\r\n\r\n"));
  EXPECT_FALSE(IsPlainLeafEntity("no header here\r\n\r\n"));
  EXPECT_FALSE(IsPlainLeafEntity("Subject: no blank line"));
  EXPECT_FALSE(IsPlainLeafEntity("\r\nheaderless"));
}

}  // namespace
}  // namespace sealpost::mime::internal

// SPDX-License-Identifier: Apache-2.0
// RFC 4515 escaping: injection-shaped addresses become literals (catalogue L1-L4).
#include "directory/filter_escape.h"

#include <gtest/gtest.h>

namespace sealpost::directory {
namespace {

using namespace std::string_literals;

constexpr char kDefaultTemplate[] = "(|(mail=%s)(proxyAddresses=smtp:%s))";

TEST(FilterEscapeTest, Rfc4515SpecialCharactersAreEscaped) {
  EXPECT_EQ(EscapeFilterValue("*"), "\\2a");
  EXPECT_EQ(EscapeFilterValue("("), "\\28");
  EXPECT_EQ(EscapeFilterValue(")"), "\\29");
  EXPECT_EQ(EscapeFilterValue("\\"), "\\5c");
  EXPECT_EQ(EscapeFilterValue("\0"s), "\\00");
}

TEST(FilterEscapeTest, PlainAddressIsUnchanged) {
  EXPECT_EQ(EscapeFilterValue("alice.o'neil+tag@example.org"), "alice.o'neil+tag@example.org");
  EXPECT_EQ(EscapeFilterValue(""), "");
}

TEST(FilterEscapeTest, WildcardAddressesMatchOnlyThemselves) {
  EXPECT_EQ(ExpandFilter("(mail=%s)", "*"), "(mail=\\2a)");
  EXPECT_EQ(ExpandFilter("(mail=%s)", "a*@example.com"), "(mail=a\\2a@example.com)");
}

TEST(FilterEscapeTest, BooleanInjectionStaysOneAssertion) {
  EXPECT_EQ(ExpandFilter("(mail=%s)", "*)(mail=*"), "(mail=\\2a\\29\\28mail=\\2a)");
  EXPECT_EQ(ExpandFilter("(mail=%s)", "x)(|(mail=*)"), "(mail=x\\29\\28|\\28mail=\\2a\\29)");
  EXPECT_EQ(ExpandFilter("(mail=%s)", "x)(objectClass=*"), "(mail=x\\29\\28objectClass=\\2a)");
  EXPECT_EQ(ExpandFilter("(mail=%s)", "a\\2a"), "(mail=a\\5c2a)");  // no double decoding
}

TEST(FilterEscapeTest, NulAndLineBreaksAreEscapedNotTruncated) {
  EXPECT_EQ(EscapeFilterValue("a\0b@example.org"s), "a\\00b@example.org");
  EXPECT_EQ(EscapeFilterValue("a\r\nb"), "a\\0d\\0ab");
  EXPECT_EQ(EscapeFilterValue("\x7f"), "\\7f");
}

TEST(FilterEscapeTest, NonAsciiBytesAreEscapedAsUtf8Octets) {
  EXPECT_EQ(EscapeFilterValue("j\xc3\xb6rg@b\xc3\xbc"
                              "cher.example"),
            "j\\c3\\b6rg@b\\c3\\bccher.example");
  EXPECT_EQ(EscapeFilterValue("\xff"), "\\ff");
}

TEST(FilterEscapeTest, EveryPercentSIsReplaced) {
  EXPECT_EQ(ExpandFilter(kDefaultTemplate, "bob@example.org"),
            "(|(mail=bob@example.org)(proxyAddresses=smtp:bob@example.org))");
  EXPECT_EQ(ExpandFilter(kDefaultTemplate, "*"), "(|(mail=\\2a)(proxyAddresses=smtp:\\2a))");
  // A %s inside the address is data, not a placeholder.
  EXPECT_EQ(ExpandFilter("(mail=%s)", "%s@example.org"), "(mail=%s@example.org)");
}

TEST(FilterEscapeTest, DefaultTemplateIsValid) { EXPECT_TRUE(CheckFilterTemplate(kDefaultTemplate).has_value()); }

TEST(FilterEscapeTest, BrokenTemplatesAreInvalidArguments) {
  for (const char* bad : {"(mail=bob@example.org)", "mail=%s", "(mail=%s", "(mail=%s))", "(mail=%s)(cn=x)",
                          "(|(mail=%s)(cn=\\2))", "(mail=\\zz%s)", "((mail=%s)", ""}) {
    auto status = CheckFilterTemplate(bad);
    ASSERT_FALSE(status.has_value()) << bad;
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(status.error().message().find("ldap_search_filter"), std::string::npos);
  }
  EXPECT_FALSE(CheckFilterTemplate("(mail=%s\0)"s).has_value());
  EXPECT_TRUE(CheckFilterTemplate("(&(objectClass=person)(mail=%s)(!(cn=\\28disabled\\29)))").has_value());
}

}  // namespace
}  // namespace sealpost::directory

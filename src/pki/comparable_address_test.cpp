// SPDX-License-Identifier: Apache-2.0
// Address normalisation for sender and recipient matching (catalogue I4, L4): each case that
// matches has a twin that differs in one thing and must not.
#include "pki/comparable_address.h"

#include <gtest/gtest.h>

namespace sealpost::pki {
namespace {

bool Same(std::string_view a, std::string_view b) {
  auto ca = ComparableAddress(a);
  auto cb = ComparableAddress(b);
  return ca && cb && *ca == *cb;
}

TEST(ComparableAddressTest, I4_ULabelAndALabelDomainsAreOneForm) {
  EXPECT_EQ(ComparableAddress("alice@bücher.example"), "alice@xn--bcher-kva.example");
  EXPECT_EQ(ComparableAddress("alice@xn--bcher-kva.example"), "alice@xn--bcher-kva.example");
  EXPECT_TRUE(Same("alice@bücher.example", "alice@xn--bcher-kva.example"));
  EXPECT_TRUE(Same("alice@xn--bcher-kva.example", "alice@bücher.example"));
  // Twin: the ASCII look-alike is another domain.
  EXPECT_FALSE(Same("alice@bucher.example", "alice@xn--bcher-kva.example"));
  EXPECT_FALSE(Same("alice@bucher.example", "alice@bücher.example"));
}

TEST(ComparableAddressTest, I4_DomainCaseIsFoldedInEveryForm) {
  EXPECT_TRUE(Same("alice@BÜCHER.Example", "alice@xn--bcher-kva.example"));
  EXPECT_TRUE(Same("alice@XN--BCHER-KVA.EXAMPLE", "alice@bücher.example"));
  EXPECT_TRUE(Same("Alice@Example.COM", "alice@example.com"));
  // Decomposed ü (u + U+0308) is the same domain after UTS #46 normalisation.
  EXPECT_TRUE(
      Same("alice@bu\xcc\x88"
           "cher.example",
           "alice@bücher.example"));
  // Twin: case folding does not join different names.
  EXPECT_FALSE(Same("alice@BÜCHER.Example", "alice@xn--bcher-kva.example.org"));
}

TEST(ComparableAddressTest, I4_DifferentIdnDomainDoesNotMatch) {
  EXPECT_FALSE(Same("alice@bücher.example", "alice@büchér.example"));
  EXPECT_FALSE(Same("alice@bücher.example", "alice@xn--bcher-kva.example.evil"));
  // Non-transitional: ß stays ß (xn--fa-hia), it is not "ss".
  EXPECT_EQ(ComparableAddress("x@faß.de"), "x@xn--fa-hia.de");
  EXPECT_FALSE(Same("x@faß.de", "x@fass.de"));
}

TEST(ComparableAddressTest, I4_InvalidIdnaMatchesNothingNotEvenItself) {
  for (const char* bad : {"alice@xn--zzzz-.example",        // not punycode
                          "alice@xn--bcher-kvb.example",    // decodes to a label IDNA rejects
                          "alice@xn--99999999999.example",  // punycode overflow
                          "alice@xn--zzzz-a.example",       // an A-label for plain "zzzz"
                          "alice@xn--.example", "alice@bücher-.example",
                          "alice@-bücher.example",  // leading hyphen
                          "alice@b\xff"
                          "cher.example",                 // not UTF-8
                          "alice@bücher.example\xc3"}) {  // truncated UTF-8
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ComparableAddress(bad).has_value());
    EXPECT_FALSE(Same(bad, bad));
  }
  // Twin: the valid spelling of the same idea converts.
  EXPECT_TRUE(ComparableAddress("alice@xn--bcher-kva.example").has_value());
}

TEST(ComparableAddressTest, I4_LocalPartFoldsAsciiOnlyAndKeepsUtf8Bytes) {
  EXPECT_TRUE(Same("Jörg@bücher.example", "jörg@xn--bcher-kva.example"));
  EXPECT_EQ(ComparableAddress("JÖRG@bücher.example"), "jÖrg@xn--bcher-kva.example");
  // Twins: no Unicode case fold and no normalisation in the local part.
  EXPECT_FALSE(Same("JÖRG@bücher.example", "jörg@bücher.example"));
  EXPECT_FALSE(Same("jo\xcc\x88rg@bücher.example", "jörg@bücher.example"));
  EXPECT_FALSE(ComparableAddress("j\xf6rg@example.org").has_value());  // Latin-1, not UTF-8
}

TEST(ComparableAddressTest, I4_AsciiDomainsKeepTheirOldMeaning) {
  // No IDN in sight: only lower-cased, as before (IDNA's hostname rules are not applied).
  EXPECT_EQ(ComparableAddress("a@ab--cd.Example"), "a@ab--cd.example");
  EXPECT_EQ(ComparableAddress("a@exa_mple.org"), "a@exa_mple.org");
  // Twin: the same reserved label beside an IDN goes through IDNA and fails there.
  EXPECT_FALSE(ComparableAddress("a@ab--cd.bücher.example").has_value());
}

TEST(ComparableAddressTest, NotAnAddressHasNoForm) {
  for (std::string_view bad : {std::string_view(""), std::string_view("alice"), std::string_view("@example.org"),
                               std::string_view("alice@"), std::string_view("alice@exa\0mple.org", 18)}) {
    EXPECT_FALSE(ComparableAddress(bad).has_value()) << bad;
  }
  // A quoted local part may hold '@': the last one splits.
  EXPECT_EQ(ComparableAddress("\"a@b\"@BÜCHER.example"), "\"a@b\"@xn--bcher-kva.example");
}

}  // namespace
}  // namespace sealpost::pki

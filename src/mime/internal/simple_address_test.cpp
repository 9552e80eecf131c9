// SPDX-License-Identifier: Apache-2.0
// The fast From path against GMime: wherever it answers, GMime's parse (with our
// post-processing) must give the same one mailbox.
#include "mime/internal/simple_address.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mime/testing/all_strings.h"

namespace sealpost::mime::internal {
namespace {

// Returns whether the fast path answered; fails the test if GMime disagrees.
bool AgreesWithGMime(const std::string& value) {
  auto fast = ParseSimpleMailbox(value);
  if (!fast) return false;
  auto slow = ParseAddressListWithGMime(value);
  EXPECT_EQ(slow.size(), 1u) << "[" << value << "]";
  if (slow.size() != 1) return true;
  EXPECT_EQ(fast->address, slow[0].address) << "[" << value << "]";
  EXPECT_EQ(fast->display_name, slow[0].display_name) << "[" << value << "]";
  return true;
}

TEST(SimpleMailboxTest, ReadsTheFromFieldsMailUses) {
  auto m = ParseSimpleMailbox(" Alice Example <Alice.Smith@Example.ORG>");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->display_name, "Alice Example");
  EXPECT_EQ(m->address, "alice.smith@example.org");
  m = ParseSimpleMailbox("bob+tag@mail.example-one.net");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->display_name, "");
  EXPECT_EQ(m->address, "bob+tag@mail.example-one.net");
  m = ParseSimpleMailbox("<carol@example.org>");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->address, "carol@example.org");
  for (const char* value : {" Alice Example <Alice.Smith@Example.ORG>", "bob+tag@mail.example-one.net", "<carol@example.org>",
                            "O'Brien <o.brien@example.ie>", "x<y@z>"})
    EXPECT_TRUE(AgreesWithGMime(value)) << value;
}

TEST(SimpleMailboxTest, LeavesEverythingElseToGMime) {
  for (const char* hard : {"", " ", "\"Eve Example\" <eve@example.org>", "=?utf-8?q?Eve?= <eve@example.org>",
                           "Eve <eve@xn--bcher-kva.example>", "Eve <eve@XN--bcher-kva.example>", "a@b, c@d",
                           "Eve (comment) <eve@example.org>", "J. Doe <j@example.org>", "eve@[127.0.0.1]",
                           "Eve  Two <e@x.org>", "Eve\t<e@x.org>", "e@x.org.", ".e@x.org", "e..f@x.org", "e@x..org",
                           "e@x_y.org", "<e@x.org", "e@x.org>", "Eve <<e@x.org>>", "Group: e@x.org;", "manager@bigcorp.example <eve@x.org>",
                           "e\xc3\xa9@x.org", "Eve <e@x.org> trailing", "e@x.org\r\n"}) {
    SCOPED_TRACE(hard);
    EXPECT_FALSE(ParseSimpleMailbox(hard).has_value());
  }
}

TEST(SimpleMailboxTest, AgreesWithGMimeOnEveryShortValue) {
  size_t answered = 0;
  for (const std::string& value : testing::AllStrings("aB@.<> -", 7)) answered += AgreesWithGMime(value);
  for (const std::string& value : testing::AllStrings("a@.<>=?x'", 5)) answered += AgreesWithGMime(value);
  EXPECT_GT(answered, 1000u);  // the comparison ran on real answers, not only on refusals
}

TEST(SimpleMailboxTest, AgreesWithGMimeOnRandomValues) {
  const std::string alphabet = "aZ09@.<> -_+=?!'\"(),;:\\[]\txn\xc3\xa9";
  std::mt19937 rng(20261129);
  size_t answered = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string value;
    const size_t length = rng() % 24;
    for (size_t j = 0; j < length; ++j) value += alphabet[rng() % alphabet.size()];
    // Bias towards the shapes that pass: a name, '<', an address, '>'.
    if (i % 2 == 0) value = "N " + value.substr(0, length / 3) + " <" + value.substr(length / 3) + "@a.b>";
    answered += AgreesWithGMime(value);
  }
  EXPECT_GT(answered, 100u);
}

}  // namespace
}  // namespace sealpost::mime::internal

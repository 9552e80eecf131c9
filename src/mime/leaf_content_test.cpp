// SPDX-License-Identifier: Apache-2.0
#include "mime/leaf_content.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sealpost::mime {
namespace {

TEST(LeafContent, ExtractsTheTextAndListsAttachments) {
  auto content = ExtractContent(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n");
  ASSERT_TRUE(content);
  EXPECT_EQ(content->text_plain, "Hello");
  ASSERT_EQ(content->attachments.size(), 1u);
  EXPECT_EQ(content->attachments[0].filename, "a.pdf");
  EXPECT_EQ(content->attachments[0].size, 3u);
}

// Bulk verification reports ExtractContent's failure without decoding (CheckContentParses);
// the two must agree on every input, ordinary or broken, or a mailbox entry would differ
// from the single-message verdict. (GMime's parser is lenient: on memory it accepts all of
// these; the test pins the agreement, whichever way a future GMime decides.)
TEST(LeafContent, CheckContentParsesAgreesWithExtractContent) {
  const std::vector<std::string> inputs = {
      "",
      "\r\n",
      "Hello, no header fields at all\r\n",
      "Content-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n",
      "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nabc\r\n",
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
      "Content-Type: multipart/mixed\r\n\r\nno boundary\r\n",
      "Content-Type: message/rfc822\r\n\r\n",
      "Content-Transfer-Encoding: base64\r\n\r\n!!!!\r\n",
      std::string("Subject: \0\xff\r\n\r\n\0body", 16),
      ": no field name\r\n\r\nbody\r\n",
      "Content-Type: text/plain\r\n",
  };
  for (const auto& input : inputs) {
    SCOPED_TRACE(input);
    auto extracted = ExtractContent(input);
    Status checked = CheckContentParses(input);
    EXPECT_EQ(static_cast<bool>(extracted), static_cast<bool>(checked));
    if (!extracted && !checked) {
      EXPECT_EQ(extracted.error().message(), checked.error().message());
    }
  }
}

}  // namespace
}  // namespace sealpost::mime

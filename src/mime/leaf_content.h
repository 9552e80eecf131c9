// SPDX-License-Identifier: Apache-2.0
// What a reader shows of a (decrypted, verified) content entity: its text and attachments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sealpost::mime {

struct Attachment {
  std::string filename;
  std::string content_type;
  std::size_t size = 0;  // decoded bytes
};

struct LeafContent {
  std::string text_plain;  // first text/plain body, decoded to UTF-8
  std::string text_html;   // first text/html body, decoded to UTF-8
  std::vector<Attachment> attachments;
};

// Walks the entity with GMime (decoding transfer encodings and charsets).
Result<LeafContent> ExtractContent(std::string_view entity);

// Whether ExtractContent would succeed, without decoding anything: the same parse and the
// same error. For bulk verification, which reports the warning but drops the content
// (decoding text and charsets was a quarter of a 4 KiB message's CPU time).
Status CheckContentParses(std::string_view entity);

}  // namespace sealpost::mime

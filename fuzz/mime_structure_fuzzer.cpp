// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a message through the MIME layer (GMime and our byte-range parser) to the
// S/MIME structure check and the CMS sniffing of a pkcs7-mime body.
// Invariants: the parsed entity is exact byte ranges of the input (header block + body is
// the input, every field's raw bytes lie in the header block), multipart parts are ranges
// of the body, and the structure check and parse give the same answer twice. The fast paths
// for plain syntax agree with GMime wherever they answer (mime/internal/simple_syntax).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "mime/content_type.h"
#include "mime/entity.h"
#include "mime/internal/simple_syntax.h"
#include "mime/leaf_content.h"
#include "mime/structure_check.h"
#include "smime/internal/cms_detect.h"

namespace {

using sealpost::fuzz::Check;

bool Within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

bool SameContentType(const sealpost::mime::ContentType& a, const sealpost::mime::ContentType& b) {
  return a.type == b.type && a.subtype == b.subtype && a.params == b.params;
}

void CheckFastPaths(std::string_view entity, std::string_view content_type) {
  namespace internal = sealpost::mime::internal;
  if (auto fast = internal::ParseSimpleContentType(content_type))
    Check(SameContentType(*fast, internal::ParseContentTypeWithGMime(content_type)),
          "the simple Content-Type parser disagrees with GMime");
  if (internal::IsPlainLeafEntity(entity))
    Check(internal::CheckContentParsesWithGMime(entity).has_value(), "GMime cannot parse an entity vouched for as plain");
}

void Walk(std::string_view bytes, int depth) {
  auto entity = sealpost::mime::ParseEntity(bytes);
  if (!entity) return;
  Check(entity->raw.data() == bytes.data() && entity->raw.size() == bytes.size(), "the entity is not the input");
  Check(entity->header_block.data() == bytes.data() &&
            entity->header_block.size() + entity->body.size() == bytes.size() &&
            entity->body.data() == bytes.data() + entity->header_block.size(),
        "header block and body do not re-assemble the input byte for byte");
  for (const auto& field : entity->headers) {
    Check(Within(field.raw, entity->header_block), "a header field's raw bytes lie outside the header block");
    Check(field.raw.size() <= sealpost::mime::kMaxHeaderLine + 2 || field.raw.find('\n') != std::string_view::npos,
          "an over-long header line was accepted");
  }
  Check(entity->headers.size() <= sealpost::mime::kMaxHeaderFields, "more header fields than the cap were accepted");
  if (depth >= 8) return;  // the engine's own depth cap is tested by CheckStructure
  const auto* ct_field = entity->Find("Content-Type");
  CheckFastPaths(bytes, ct_field ? std::string_view(ct_field->value) : std::string_view());
  auto ct = sealpost::mime::ParseContentType(ct_field ? ct_field->value : "");
  Check(!ct.type.empty() && !ct.subtype.empty(), "a content type without type or subtype");
  if (ct.type == "multipart") {
    auto parts = sealpost::mime::SplitMultipart(entity->body, ct.Param("boundary"));
    if (!parts) return;
    for (auto part : parts->parts) {
      Check(Within(part, entity->body), "a multipart part lies outside the body");
      Walk(part, depth + 1);
    }
  } else if (ct.Is("application", "pkcs7-mime") || ct.Is("application", "pkcs7-signature")) {
    auto der = sealpost::smime::internal::DecodeTransferEncoding(*entity);
    if (der) (void)sealpost::smime::internal::SniffCmsKind(*der);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sealpost::fuzz::AsView(data, size);
  sealpost::Status first = sealpost::mime::CheckStructure(input);
  sealpost::Status second = sealpost::mime::CheckStructure(input);
  Check(first.has_value() == second.has_value(), "the structure check is not deterministic");
  if (!first)
    Check(first.error().code() == sealpost::ErrorCode::kMalformed || first.error().code() == sealpost::ErrorCode::kLimit,
          "the structure check failed with an error that is not malformed/limit");
  Walk(input, 0);
  if (sealpost::smime::internal::LooksLikeBareCms(input)) {
    auto der = sealpost::smime::internal::DecodeBareCms(input);
    if (der) (void)sealpost::smime::internal::SniffCmsKind(*der);
  } else {
    auto cms = sealpost::smime::internal::ExtractCmsBody(input);
    (void)cms;
  }
  auto content = sealpost::mime::ExtractContent(input);  // GMime's own parse and decode
  (void)content;
  return 0;
}

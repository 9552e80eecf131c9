// SPDX-License-Identifier: Apache-2.0
// Body and attachment extraction with GMime's tree (display only; never used for crypto).
#include "mime/leaf_content.h"

#include "mime/entity.h"
#include "mime/internal/gobject_ptr.h"
#include "mime/internal/simple_syntax.h"

namespace sealpost::mime {
namespace {

using internal::GMime;
using internal::IsA;

using internal::GObjectPtr;

std::size_t DecodedSize(GMimePart* part) {
  GMimeDataWrapper* content = GMime().g_mime_part_get_content(part);
  if (!content) return 0;
  auto null_stream = GObjectPtr<GMimeStream>::Adopt(GMime().g_mime_stream_null_new());
  gssize n = GMime().g_mime_data_wrapper_write_to_stream(content, null_stream.get());
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void Walk(GMimeObject* obj, LeafContent& out, int depth) {
  if (!obj || depth > 64) return;
  GMimeContentType* ct = GMime().g_mime_object_get_content_type(obj);
  const char* type = ct ? GMime().g_mime_content_type_get_media_type(ct) : "text";
  const char* subtype = ct ? GMime().g_mime_content_type_get_media_subtype(ct) : "plain";
  std::string media = std::string(type ? type : "") + "/" + (subtype ? subtype : "");
  if (IsA(obj, GMime().g_mime_multipart_get_type())) {
    GMimeMultipart* mp = reinterpret_cast<GMimeMultipart*>(obj);
    int n = GMime().g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) Walk(GMime().g_mime_multipart_get_part(mp, i), out, depth + 1);
    return;
  }
  if (IsA(obj, GMime().g_mime_message_part_get_type())) {
    out.attachments.push_back({"(attached message)", media, 0});
    return;
  }
  if (!IsA(obj, GMime().g_mime_part_get_type())) return;
  GMimePart* part = reinterpret_cast<GMimePart*>(obj);
  const char* disposition = GMime().g_mime_object_get_disposition(obj);
  bool is_attachment = disposition && GMime().g_ascii_strcasecmp(disposition, "attachment") == 0;
  if (IsA(obj, GMime().g_mime_text_part_get_type()) && !is_attachment) {
    bool plain = GMime().g_ascii_strcasecmp(subtype ? subtype : "", "plain") == 0;
    bool html = GMime().g_ascii_strcasecmp(subtype ? subtype : "", "html") == 0;
    std::string& target = plain ? out.text_plain : out.text_html;
    if ((plain || html) && target.empty()) {
      char* text = GMime().g_mime_text_part_get_text(reinterpret_cast<GMimeTextPart*>(obj));
      if (text) {
        target = text;
        GMime().g_free(text);
      }
      return;
    }
  }
  const char* filename = GMime().g_mime_part_get_filename(part);
  out.attachments.push_back({filename ? filename : "", media, DecodedSize(part)});
}

Result<GObjectPtr<GMimeObject>> ParseContent(std::string_view entity) {
  // Content without header fields is text/plain (RFC 2045 §5.2); GMime wants headers.
  std::string with_headers;
  auto parsed = ParseEntity(entity);
  if (parsed && parsed->headers.empty()) {
    with_headers = "Content-Type: text/plain\r\n\r\n" + std::string(entity);
    entity = with_headers;
  }
  auto stream = internal::MemoryStream(entity);
  auto parser = GObjectPtr<GMimeParser>::Adopt(GMime().g_mime_parser_new_with_stream(stream.get()));
  auto root = GObjectPtr<GMimeObject>::Adopt(GMime().g_mime_parser_construct_part(parser.get(), nullptr));
  if (!root) return Error(ErrorCode::kMalformed, "the message content cannot be parsed as MIME");
  return root;
}

}  // namespace

Result<LeafContent> ExtractContent(std::string_view entity) {
  ASSIGN_OR_RETURN(GObjectPtr<GMimeObject> root, ParseContent(entity));
  LeafContent out;
  Walk(root.get(), out, 0);
  return out;
}

Status CheckContentParses(std::string_view entity) {
  if (internal::IsPlainLeafEntity(entity)) return Ok();  // GMime builds a leaf of any body
  return internal::CheckContentParsesWithGMime(entity);
}

Status internal::CheckContentParsesWithGMime(std::string_view entity) {
  ASSIGN_OR_RETURN(GObjectPtr<GMimeObject> root, ParseContent(entity));
  return Ok();
}

}  // namespace sealpost::mime

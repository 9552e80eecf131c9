// SPDX-License-Identifier: Apache-2.0
// Content-Type parsing: plain values directly, the rest through GMime (RFC 2231
// continuations and charsets, RFC 2047 words, quoting and comments).
#include "mime/content_type.h"

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "mime/entity.h"
#include "mime/internal/gobject_ptr.h"
#include "mime/internal/simple_syntax.h"

namespace sealpost::mime {
namespace {

using internal::GMime;
using internal::IsA;
std::string Lower(const char* s) { return AsciiLower(s ? s : ""); }
}  // namespace

bool ContentType::Is(std::string_view t, std::string_view s) const {
  return EqualsIgnoreCase(type, t) && (s == "*" || EqualsIgnoreCase(subtype, s));
}

std::string ContentType::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

ContentType ParseContentType(std::string_view value) {
  if (auto simple = internal::ParseSimpleContentType(value)) return *std::move(simple);
  return internal::ParseContentTypeWithGMime(value);
}

ContentType internal::ParseContentTypeWithGMime(std::string_view value) {
  internal::EnsureGMime();
  ContentType ct;
  if (value.empty()) return ct;
  std::string text(value);
  auto parsed = internal::GObjectPtr<GMimeContentType>::Adopt(GMime().g_mime_content_type_parse(nullptr, text.c_str()));
  if (!parsed) return ct;
  ct.type = Lower(GMime().g_mime_content_type_get_media_type(parsed.get()));
  ct.subtype = Lower(GMime().g_mime_content_type_get_media_subtype(parsed.get()));
  // GMime accepts "/x" or "x/" with an empty half; that is not a media type (RFC 2045 §5.2
  // makes an invalid value text/plain).
  if (ct.type.empty() || ct.subtype.empty()) return ContentType{};
  GMimeParamList* list = GMime().g_mime_content_type_get_parameters(parsed.get());
  int n = list ? GMime().g_mime_param_list_length(list) : 0;
  for (int i = 0; i < n; ++i) {
    GMimeParam* p = GMime().g_mime_param_list_get_parameter_at(list, i);
    std::string name = Lower(GMime().g_mime_param_get_name(p));
    if (!ct.params.count(name)) ct.params[name] = GMime().g_mime_param_get_value(p) ? GMime().g_mime_param_get_value(p) : "";
  }
  return ct;
}

}  // namespace sealpost::mime

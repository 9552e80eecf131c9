// SPDX-License-Identifier: Apache-2.0
// Recursive MIME structure check over byte ranges (no copies).
#include "mime/structure_check.h"

#include <string>

#include "mime/content_type.h"
#include "mime/entity.h"

namespace sealpost::mime {
namespace {

Status Check(std::string_view bytes, int depth, int max_depth) {
  if (depth > max_depth)
    return Error(ErrorCode::kLimit, "the message nests MIME parts deeper than " + std::to_string(max_depth) + " levels");
  ASSIGN_OR_RETURN(Entity e, ParseEntity(bytes));
  const HeaderField* ct_field = e.Find("Content-Type");
  ContentType ct = ParseContentType(ct_field ? ct_field->value : "");
  if (ct.type != "multipart") return Ok();
  auto parts = SplitMultipart(e.body, ct.Param("boundary"));
  if (!parts) return std::move(parts).error();
  for (std::string_view part : parts->parts) RETURN_IF_ERROR(Check(part, depth + 1, max_depth));
  return Ok();
}

}  // namespace

Status CheckStructure(std::string_view entity, int max_depth) { return Check(entity, 0, max_depth); }

}  // namespace sealpost::mime

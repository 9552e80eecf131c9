// SPDX-License-Identifier: Apache-2.0
// The verdict as JSON (docs/verdict.schema.json): field names are a public contract.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "smime/report.h"

namespace sealpost::smime {

struct JsonOptions {
  bool include_content = false;  // "body" and "attachments" (read)
  int exit_code = 0;
};

// One JSON object, pretty-printed, ending in a newline.
std::string ReportToJson(const Report& report, const JsonOptions& options);
// The same object as a value, for embedding (verify --maildir).
nlohmann::json ReportToJsonValue(const Report& report, const JsonOptions& options);
// Dumps any verdict JSON the way ReportToJson does (invalid UTF-8 replaced).
std::string DumpJson(const nlohmann::json& value);

}  // namespace sealpost::smime

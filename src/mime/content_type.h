// SPDX-License-Identifier: Apache-2.0
// ContentType: a parsed Content-Type value (RFC 2045 §5, RFC 2231 parameters).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sealpost::mime {

struct ContentType {
  std::string type = "text";       // lower-case
  std::string subtype = "plain";   // lower-case
  std::map<std::string, std::string> params;  // names lower-case, values decoded

  bool Is(std::string_view t, std::string_view s) const;
  std::string Param(const std::string& name) const;  // "" when absent
  std::string MediaType() const { return type + "/" + subtype; }
};

// Parses a Content-Type header value; a missing or unparsable value gives text/plain
// (RFC 2045 §5.2).
ContentType ParseContentType(std::string_view value);

}  // namespace sealpost::mime

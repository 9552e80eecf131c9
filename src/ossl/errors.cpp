// SPDX-License-Identifier: Apache-2.0
// OpenSSL error queue draining: every failure site drains so errors never leak across calls.
#include "ossl/errors.h"

#include <openssl/err.h>

namespace sealpost::ossl {

std::string DrainErrors() {
  std::string out;
  const char* file = nullptr;
  const char* func = nullptr;
  const char* data = nullptr;
  int line = 0;
  int flags = 0;
  unsigned long code;
  while ((code = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    if (data && (flags & ERR_TXT_STRING) && *data) {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out;
}

Error MakeError(ErrorCode code, std::string message) {
  return Error(code, std::move(message), DrainErrors());
}

}  // namespace sealpost::ossl

// SPDX-License-Identifier: Apache-2.0
// Statement: one prepared SQLite statement with typed binds and column reads.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "sqlite/sqlite_handles.h"

namespace sealpost::sqlite {

// Binds copy their argument (SQLITE_TRANSIENT), so callers may pass temporaries. Only
// ciphertext and public metadata are ever bound: plaintext secrets never reach SQLite.
// Not thread-safe; lives for one call on one connection, or is Reset between calls.
class Statement final {
 public:
  // kMalformed if the schema lacks what `sql` names (a damaged or foreign vault).
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql, const std::string& path);

  Status BindText(int index, std::string_view text);
  Status BindBlob(int index, std::string_view blob);
  Status BindInt(int index, std::int64_t value);

  // true: a row is ready; false: the statement is done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();
  // Ready to run again with new binds (for statements kept prepared between calls).
  void Reset();

  // Column reads return nullopt when the stored type differs (damaged or hostile rows).
  std::optional<std::string> Text(int column) const;
  std::optional<std::string> Blob(int column) const;
  std::optional<std::int64_t> Int(int column) const;

 private:
  Statement(sqlite3* db, StmtPtr stmt, std::string path) : db_(db), stmt_(std::move(stmt)), path_(std::move(path)) {}
  Status CheckBind(int rc);

  sqlite3* db_;
  StmtPtr stmt_;
  std::string path_;
};

}  // namespace sealpost::sqlite

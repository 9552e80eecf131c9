// SPDX-License-Identifier: Apache-2.0
// Prepared statements with type-checked column reads.
#include "sqlite/statement.h"

#include <climits>

namespace sealpost::sqlite {

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) {
    // A missing table or column means the file is not the vault we wrote.
    if ((rc & 0xff) == SQLITE_ERROR)
      return Error(ErrorCode::kMalformed,
                   "the vault " + path + " is damaged: its tables are not the ones Sealpost wrote", sqlite3_errmsg(db));
    return SqliteError(db, rc, path, "reading");
  }
  return Statement(db, std::move(stmt), path);
}

Status Statement::CheckBind(int rc) {
  if (rc != SQLITE_OK) return SqliteError(db_, rc, path_, "preparing a query on");
  return Ok();
}

Status Statement::BindText(int index, std::string_view text) {
  if (text.size() > INT_MAX) return Error(ErrorCode::kLimit, "value too large for the vault");
  return CheckBind(sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
}

Status Statement::BindBlob(int index, std::string_view blob) {
  if (blob.size() > INT_MAX) return Error(ErrorCode::kLimit, "value too large for the vault");
  // A zero-length blob with a null pointer would bind NULL; keep it a blob.
  static const char kEmpty = 0;
  const char* data = blob.empty() ? &kEmpty : blob.data();
  return CheckBind(sqlite3_bind_blob(stmt_.get(), index, data, static_cast<int>(blob.size()), SQLITE_TRANSIENT));
}

Status Statement::BindInt(int index, std::int64_t value) {
  return CheckBind(sqlite3_bind_int64(stmt_.get(), index, value));
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, path_, sqlite3_stmt_readonly(stmt_.get()) ? "reading" : "writing");
}

Status Statement::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::optional<std::string> Statement::Text(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) != SQLITE_TEXT) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return std::string(text ? text : "", static_cast<size_t>(size));
}

std::optional<std::string> Statement::Blob(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) != SQLITE_BLOB) return std::nullopt;
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return std::string(data ? data : "", static_cast<size_t>(size));
}

std::optional<std::int64_t> Statement::Int(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) != SQLITE_INTEGER) return std::nullopt;
  return sqlite3_column_int64(stmt_.get(), column);
}

}  // namespace sealpost::sqlite

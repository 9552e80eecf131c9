// SPDX-License-Identifier: Apache-2.0
// Write transactions that leave the old state or the new one, never a mix.
#include "sqlite/transaction.h"

#include "sqlite/sqlite_handles.h"

namespace sealpost::sqlite {

Status Exec(sqlite3* db, const char* sql, const std::string& path, const char* what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, path, what);
  return Ok();
}

Result<Transaction> Transaction::Begin(sqlite3* db, const std::string& path) {
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE", path, "locking"));
  return Transaction(db, path);
}

Status Transaction::Commit() {
  sqlite3* db = db_;
  db_ = nullptr;
  int rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Ok();
  // COMMIT can fail with the transaction still open (e.g. SQLITE_BUSY); end it.
  if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return SqliteError(db, rc, path_, "committing to");
}

Transaction::~Transaction() {
  if (db_ && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace sealpost::sqlite

// SPDX-License-Identifier: Apache-2.0
// Transaction: BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/result.h"

namespace sealpost::sqlite {

// IMMEDIATE takes the write lock up front, so a concurrent writer waits on busy_timeout
// instead of failing half-way with SQLITE_BUSY on lock upgrade. Move-only.
class Transaction final {
 public:
  static Result<Transaction> Begin(sqlite3* db, const std::string& path);
  Transaction(Transaction&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  Transaction(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;  // null once committed or rolled back
  std::string path_;
};

// Runs `sql` (one or more statements without results).
Status Exec(sqlite3* db, const char* sql, const std::string& path, const char* what);

}  // namespace sealpost::sqlite

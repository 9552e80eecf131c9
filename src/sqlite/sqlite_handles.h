// SPDX-License-Identifier: Apache-2.0
// RAII for SQLite connections and statements, and SQLite result codes mapped to Errors.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sealpost::sqlite {

struct SqliteCloser {
  // sqlite3_close_v2 defers the close if a statement is still alive instead of failing.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbPtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// An Error for result code `rc` on the database at `path` while doing `what` ("reading",
// "writing"). Corruption is kMalformed, locks and disk trouble are kIo, the rest kInternal.
// SQLite's own message goes into detail(); it never carries bound values.
Error SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what);

}  // namespace sealpost::sqlite

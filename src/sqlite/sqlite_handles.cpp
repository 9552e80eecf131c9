// SPDX-License-Identifier: Apache-2.0
// Mapping SQLite result codes onto Sealpost's coarse error domains.
#include "sqlite/sqlite_handles.h"

namespace sealpost::sqlite {

Error SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string doing = std::string(what) + " the vault " + path;
  switch (rc & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error(ErrorCode::kMalformed, doing + " failed: the file is damaged (" + detail + ")", detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kIo, doing + " failed: another process holds it locked; try again", detail);
    case SQLITE_READONLY:
      return Error(ErrorCode::kIo, doing + " failed: the file or its directory is read-only", detail);
    case SQLITE_FULL:
      return Error(ErrorCode::kIo, doing + " failed: the disk is full", detail);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Error(ErrorCode::kIo, doing + " failed: " + detail, detail);
    default:
      return Error(ErrorCode::kInternal, doing + " failed: SQLite said " + detail, detail);
  }
}

}  // namespace sealpost::sqlite

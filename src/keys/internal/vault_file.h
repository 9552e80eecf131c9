// SPDX-License-Identifier: Apache-2.0
// Laying the vault file down on disk: private directories, no-clobber publish, header check.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/result.h"

namespace sealpost::keys::internal {

// kInvalidArgument if `path`, or a leftover `path`-wal / `path`-journal that SQLite would
// replay into a new file, exists.
Status CheckNothingAt(const std::string& path);

// Creates the missing directories above `path` with mode 0700. Existing ones are left as
// they are: tightening someone's home directory is not ours to do.
Status CreatePrivateParent(const std::string& path);

// Creates an empty 0600 file next to `path` and returns its name.
Result<std::string> MakePrivateTempFile(const std::string& path);

// Removes `temp` and any SQLite side files it got; ignores what is already gone.
void RemoveTempFiles(const std::string& temp);

// fsyncs the file at `path`.
Status SyncFile(const std::string& path);

// Moves `temp` to `path` unless something appeared there meanwhile (link + unlink, which
// never replaces), then fsyncs the directory so the new name survives a crash.
Status PublishNoClobber(const std::string& temp, const std::string& path);

// Catalogue V8, before an existing vault is opened: kPolicy if `path` is a symbolic link
// (never followed: it may lead to someone else's file) or the file belongs to another user;
// a file readable or writable by others is set back to 0600, and its directory, when ours
// and open to others, to 0700 (ssh's rule, but repaired rather than refused).
Status SecureExistingVaultFile(const std::string& path);

// Checks the 100-byte SQLite header of the file open in `db` (nothing executed yet):
// SQLite's magic and our application_id. kMalformed naming `path` otherwise. Reads through
// SQLite's own descriptor: opening and closing a second one would drop the POSIX locks of
// every other connection of this process to the file.
Status CheckVaultHeader(sqlite3* db, const std::string& path);

}  // namespace sealpost::keys::internal

// SPDX-License-Identifier: Apache-2.0
// File-system steps of creating and recognising a vault, each naming the path on failure.
#include "keys/internal/vault_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <vector>

#include "keys/internal/vault_schema.h"

namespace sealpost::keys::internal {
namespace {

Error IoError(std::string_view what, const std::string& path, int err) {
  return Error(ErrorCode::kIo, std::string(what) + " " + path + ": " + std::strerror(err));
}

bool PathExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string ParentOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("cannot sync", path, err);
  return Ok();
}

}  // namespace

Status CheckNothingAt(const std::string& path) {
  if (PathExists(path))
    return Error(ErrorCode::kInvalidArgument, "something already exists at " + path + "; refusing to overwrite it");
  for (const char* suffix : {"-wal", "-journal"}) {
    if (PathExists(path + suffix))
      return Error(ErrorCode::kInvalidArgument, "a leftover " + path + suffix +
                                                    " exists; SQLite would replay it into the new vault, so "
                                                    "remove it first");
  }
  return Ok();
}

Status CreatePrivateParent(const std::string& path) {
  std::vector<std::string> missing;
  for (std::filesystem::path dir = ParentOf(path); !dir.empty() && !PathExists(dir.string()); dir = dir.parent_path()) {
    missing.push_back(dir.string());
    if (dir == dir.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create the directory", *it, errno);
    // mkdir applies the umask, which can only remove bits; chmod states the mode exactly.
    if (::chmod(it->c_str(), 0700) != 0) return IoError("cannot set permissions on", *it, errno);
  }
  struct stat st {};
  std::string parent = ParentOf(path);
  if (::stat(parent.c_str(), &st) != 0) return IoError("cannot use the directory", parent, errno);
  if (!S_ISDIR(st.st_mode)) return Error(ErrorCode::kIo, "cannot create a vault in " + parent + ": not a directory");
  return Ok();
}

Result<std::string> MakePrivateTempFile(const std::string& path) {
  std::string temp = path + ".tmp-XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600 regardless of the umask
  if (fd < 0) return IoError("cannot create a temporary file next to", path, errno);
  // Closed before SQLite opens it: SQLite's locks must be the only ones on the file.
  ::close(fd);
  return temp;
}

void RemoveTempFiles(const std::string& temp) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((temp + suffix).c_str());
}

Status SyncFile(const std::string& path) { return SyncPath(path, O_RDONLY); }

Status PublishNoClobber(const std::string& temp, const std::string& path) {
  if (::link(temp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST)
      return Error(ErrorCode::kInvalidArgument, "something appeared at " + path + "; refusing to overwrite it");
    return IoError("cannot create", path, errno);
  }
  ::unlink(temp.c_str());
  return SyncPath(ParentOf(path), O_RDONLY | O_DIRECTORY);
}

Status CheckVaultHeader(sqlite3* db, const std::string& path) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file || !file->pMethods)
    return Error(ErrorCode::kInternal, "cannot inspect the vault file " + path);
  sqlite3_int64 size = 0;
  if (file->pMethods->xFileSize(file, &size) != SQLITE_OK) return Error(ErrorCode::kIo, "cannot read " + path);
  std::string prefix = path + " is not a Sealpost vault";
  if (size == 0) return Error(ErrorCode::kMalformed, prefix + " (the file is empty)");
  // Page 1 starts with a 100-byte header (https://sqlite.org/fileformat2.html#the_database_header).
  unsigned char header[100] = {};
  static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
  if (size < static_cast<sqlite3_int64>(sizeof header) ||
      file->pMethods->xRead(file, header, sizeof header, 0) != SQLITE_OK ||
      std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return Error(ErrorCode::kMalformed, prefix + " (it is not an SQLite database)");
  // Offset 68: the application ID, a 4-byte big-endian integer.
  std::uint32_t id = (std::uint32_t{header[68]} << 24) | (std::uint32_t{header[69]} << 16) |
                     (std::uint32_t{header[70]} << 8) | std::uint32_t{header[71]};
  if (id != static_cast<std::uint32_t>(kApplicationId))
    return Error(ErrorCode::kMalformed, prefix + " (it is an SQLite database of another application)");
  return Ok();
}

Status SecureExistingVaultFile(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return IoError("cannot inspect", path, errno);
  if (S_ISLNK(st.st_mode))
    return Error(ErrorCode::kPolicy, path + " is a symbolic link; a vault is only opened at its real place");
  if (st.st_uid != ::geteuid())
    return Error(ErrorCode::kPolicy, path + " belongs to another user; refusing to use it as your vault");
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0600) != 0) return IoError("cannot make private", path, errno);
  const std::string parent = std::filesystem::path(path).parent_path().string();
  struct stat dir {};
  if (!parent.empty() && ::stat(parent.c_str(), &dir) == 0 && dir.st_uid == ::geteuid() && (dir.st_mode & 077) != 0 &&
      ::chmod(parent.c_str(), 0700) != 0)
    return IoError("cannot make private", parent, errno);
  return Ok();
}

}  // namespace sealpost::keys::internal

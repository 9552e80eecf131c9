// SPDX-License-Identifier: Apache-2.0
// Atomic file output and whole-file input with clear errors.
#include "core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

namespace sealpost {
namespace {

Error IoError(std::string_view what, const std::string& path, int err) {
  ErrorCode code = (err == ENOENT) ? ErrorCode::kNotFound : ErrorCode::kIo;
  return Error(code, std::string(what) + " " + path + ": " + std::strerror(err));
}

class FdCloser final {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { if (fd_ >= 0) ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int get() const { return fd_; }
  int release() { int fd = fd_; fd_ = -1; return fd; }
 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, std::string("write failed: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

Error TooLargeInput(const std::string& path, std::size_t max_bytes) {
  return Error(ErrorCode::kLimit, (path == "-" ? std::string("standard input") : path) + " is larger than " +
                                      std::to_string(max_bytes >> 20) + " MiB, the most Sealpost reads");
}

// The rest of ReadFile once `fd` is open; `path` gives the name for errors.
template <typename PathFn>
Result<std::string> ReadOpenFile(int fd, const PathFn& path, std::size_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return IoError("cannot stat", path(), errno);
  if (S_ISDIR(st.st_mode)) return Error(ErrorCode::kIo, "cannot read " + path() + ": it is a directory");
  if (st.st_size > 0 && static_cast<std::uint64_t>(st.st_size) > max_bytes) return TooLargeInput(path(), max_bytes);
  // The size stat gives is read straight into the result (no second copy of a 10 MiB
  // message); whatever follows it, or a file whose size stat does not tell, in steps.
  std::string data(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path(), errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  // A regular file read to the size stat gave is done: the usual end-of-file read costs a
  // system call per message in a bulk run. A file that grows meanwhile is read as it was
  // when opened.
  if (S_ISREG(st.st_mode) && st.st_size > 0 && got == static_cast<size_t>(st.st_size)) return data;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path(), errno);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) return TooLargeInput(path(), max_bytes);
  }
  return data;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  if (path == "-") {
    std::string data;
    char buffer[1 << 16];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      data.append(buffer, static_cast<size_t>(std::cin.gcount()));
      if (data.size() > max_bytes) return TooLargeInput(path, max_bytes);
    }
    return data;
  }
  FdCloser fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("cannot open", path, errno);
  return ReadOpenFile(fd.get(), [&] { return path; }, max_bytes);
}

Directory::~Directory() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Directory> Directory::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open the folder", path, errno);
  return Directory(path, fd);
}

Result<std::string> ReadFileAt(const Directory& dir, const std::string& name, std::size_t max_bytes) {
  auto path = [&] {  // built only for an error
    return !dir.path().empty() && dir.path().back() == '/' ? dir.path() + name : dir.path() + "/" + name;
  };
  FdCloser fd(::openat(dir.fd(), name.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("cannot open", path(), errno);
  return ReadOpenFile(fd.get(), path, max_bytes);
}

Status WriteFileAtomically(const std::string& path, std::string_view data, unsigned mode) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout.flush();
    if (!std::cout) return Error(ErrorCode::kIo, "cannot write to standard output");
    return Ok();
  }
  std::string temp = path + ".tmp-XXXXXX";
  FdCloser fd(::mkstemp(temp.data()));
  if (fd.get() < 0) return IoError("cannot create a temporary file next to", path, errno);
  auto discard = [&](Error error) {
    ::unlink(temp.c_str());
    return error;
  };
  if (::fchmod(fd.get(), mode) != 0) return discard(IoError("cannot set permissions on", temp, errno));
  if (auto st = WriteAll(fd.get(), data); !st) return discard(std::move(st).error().WithContext(path));
  if (::fsync(fd.get()) != 0) return discard(IoError("cannot sync", path, errno));
  if (::close(fd.release()) != 0) return discard(IoError("cannot close", path, errno));
  if (::rename(temp.c_str(), path.c_str()) != 0) return discard(IoError("cannot rename into", path, errno));
  return Ok();
}

}  // namespace sealpost

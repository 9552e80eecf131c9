// SPDX-License-Identifier: Apache-2.0
// Reading inputs and writing outputs atomically (temp file, fsync, rename): a failure
// never leaves a half-written file behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost {

// Reads a whole file ("-" = stdin). Fails with kNotFound / kIo naming the path, and with
// kLimit when it is larger than `max_bytes` (checked before and while reading, so a huge
// input is never read whole).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = SIZE_MAX);

// An open directory, for reading many files in it by name (ReadFileAt) without the kernel
// walking the directory's whole path again for each. Move-only; closes on destruction.
class Directory final {
 public:
  // kNotFound / kIo naming the path.
  static Result<Directory> Open(const std::string& path);
  Directory(Directory&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }
  Directory& operator=(Directory&&) = delete;
  Directory(const Directory&) = delete;
  ~Directory();
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  Directory(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

// ReadFile for `name` relative to `dir`; errors name dir.path()/name.
Result<std::string> ReadFileAt(const Directory& dir, const std::string& name, std::size_t max_bytes = SIZE_MAX);

// Writes `data` to `path` via a temp file in the same directory + fsync + rename, with
// permissions `mode`. "-" writes to stdout. On failure nothing is left at `path`.
Status WriteFileAtomically(const std::string& path, std::string_view data, unsigned mode = 0644);

}  // namespace sealpost

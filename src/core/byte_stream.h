// SPDX-License-Identifier: Apache-2.0
// Byte streams: how big messages flow through the engine without being held in memory.
// A source is read in chunks until it says "end"; a sink takes chunks and is finished once.
// Files come in two kinds: a plain reader, and an atomic writer whose output appears at its
// path only on Commit() (temp file, fsync, rename) and is removed otherwise, so a failed
// operation (a forged GCM tag, a full disk) never leaves plaintext or half a file behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`; 0 means the end. Errors: kIo, kMalformed
  // (a decoding source that meets bad input), kLimit.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Flushes whatever a transforming sink still holds (base64's last quantum...).
  virtual Status Finish() { return Ok(); }
};

// A view of memory as a source (the data must outlive it).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  std::string_view data_;
};

// Appends to a string (for small outputs: a signature, a CMS header).
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status Write(std::string_view bytes) override {
    out_.append(bytes);
    return Ok();
  }

 private:
  std::string& out_;
};

// Reads a file, or a byte range of it, through a 256 KiB buffer.
class FileSource final : public ByteSource {
 public:
  static Result<FileSource> Open(const std::string& path);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  ~FileSource() override;

  Result<size_t> Read(char* buffer, size_t capacity) override;
  // Restricts reading to [offset, offset + length) of the file.
  Status Seek(uint64_t offset, uint64_t length);
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  FileSource(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size), left_(size) {}
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t left_ = 0;      // of the range, not yet read from the file
  std::string buffer_;     // read ahead from the file, not yet handed out
  size_t buffer_pos_ = 0;
};

// Writes a file atomically: bytes go to a temp file beside `path` (mode `mode`, created
// 0600 first), Commit() fsyncs and renames it into place; destruction without Commit()
// deletes it. Writes are buffered (1 MiB).
class AtomicFileSink final : public ByteSink {
 public:
  static Result<AtomicFileSink> Create(const std::string& path, unsigned mode);
  AtomicFileSink(AtomicFileSink&& other) noexcept;
  AtomicFileSink& operator=(AtomicFileSink&&) = delete;
  ~AtomicFileSink() override;

  Status Write(std::string_view bytes) override;
  Status Commit();

 private:
  AtomicFileSink(int fd, std::string path, std::string temp, unsigned mode)
      : fd_(fd), path_(std::move(path)), temp_(std::move(temp)), mode_(mode) {}
  Status FlushBuffer();
  Status WriteThrough(std::string_view bytes);
  int fd_ = -1;
  std::string path_;
  std::string temp_;
  unsigned mode_ = 0600;
  std::string buffer_;
  uint64_t written_ = 0;          // bytes handed to the kernel
  uint64_t writeback_from_ = 0;   // where the next early writeback starts
};

// An anonymous scratch file (O_TMPFILE in $TMPDIR, else unlinked at once): written, then
// read back from its start. Nothing of it survives the process.
class ScratchFile final : public ByteSink {
 public:
  static Result<ScratchFile> Create();
  ScratchFile(ScratchFile&& other) noexcept;
  ScratchFile& operator=(ScratchFile&&) = delete;
  ~ScratchFile() override;

  Status Write(std::string_view bytes) override;
  // Flushes and returns a source over everything written (valid while this object lives).
  Result<FileSource> Reader();
  uint64_t size() const { return written_; }
  // A path that opens it again while it lives (/proc/self/fd/N); call Reader() first.
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  explicit ScratchFile(int fd) : fd_(fd) {}
  Status FlushBuffer();
  int fd_ = -1;
  uint64_t written_ = 0;
  std::string buffer_;
};

// Copies a source to a sink in `chunk`-sized pieces.
Status Pump(ByteSource& source, ByteSink& sink, size_t chunk = 1 << 18);

}  // namespace sealpost

// SPDX-License-Identifier: Apache-2.0
// File-backed sources and sinks over plain POSIX calls (pread keeps a FileSource cheap to
// copy positions around and lets a ScratchFile be read back without reopening).
#include "core/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace sealpost {
namespace {

constexpr size_t kWriteBuffer = 1 << 18;  // write(2) batches; a writer thread keeps the disk busy
constexpr uint64_t kEarlyWriteback = 8 << 20;  // AtomicFileSink starts writeback every 8 MiB
constexpr size_t kDirectIo = 1 << 16;  // reads and writes this big bypass the buffers

Error IoError(std::string_view what, const std::string& path, int err) {
  ErrorCode code = (err == ENOENT) ? ErrorCode::kNotFound : ErrorCode::kIo;
  return Error(code, std::string(what) + " " + path + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", what, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

}  // namespace

Result<size_t> MemorySource::Read(char* buffer, size_t capacity) {
  size_t n = std::min(capacity, data_.size());
  std::memcpy(buffer, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

Result<FileSource> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IoError("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kIo, "cannot read " + path + ": not a regular file");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return FileSource(fd, path, static_cast<uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_),
      left_(other.left_),
      buffer_(std::move(other.buffer_)),
      buffer_pos_(other.buffer_pos_) {}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSource::Seek(uint64_t offset, uint64_t length) {
  if (offset > size_ || length > size_ - offset) return Error(ErrorCode::kInvalidArgument, "byte range outside " + path_);
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) return IoError("cannot seek in", path_, errno);
  left_ = length;
  buffer_.clear();
  buffer_pos_ = 0;
  return Ok();
}

Result<size_t> FileSource::Read(char* buffer, size_t capacity) {
  // Small reads (OpenSSL asks for 4 KiB at a time) are served from a 256 KiB read-ahead;
  // big ones go straight into the caller's buffer, without a copy through it.
  constexpr size_t kReadAhead = 1 << 18;
  if (buffer_pos_ == buffer_.size() && capacity < kDirectIo && left_ > 0) {
    buffer_.resize(static_cast<size_t>(std::min<uint64_t>(kReadAhead, left_)));
    size_t filled = 0;
    while (filled < buffer_.size()) {
      ssize_t n = ::read(fd_, buffer_.data() + filled, buffer_.size() - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot read", path_, errno);
      }
      if (n == 0) return Error(ErrorCode::kIo, "cannot read " + path_ + ": the file got shorter while being read");
      filled += static_cast<size_t>(n);
    }
    left_ -= filled;
    buffer_pos_ = 0;
  }
  if (buffer_pos_ < buffer_.size()) {
    size_t n = std::min(capacity, buffer_.size() - buffer_pos_);
    std::memcpy(buffer, buffer_.data() + buffer_pos_, n);
    buffer_pos_ += n;
    return n;
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, left_));
  while (want > 0) {
    ssize_t n = ::read(fd_, buffer, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path_, errno);
    }
    if (n == 0) return Error(ErrorCode::kIo, "cannot read " + path_ + ": the file got shorter while being read");
    left_ -= static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
  return size_t{0};
}

Result<AtomicFileSink> AtomicFileSink::Create(const std::string& path, unsigned mode) {
  std::string temp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return IoError("cannot create a temporary file next to", path, errno);
  // mkstemp makes it 0600: plaintext is never readable by others while it is written.
  return AtomicFileSink(fd, path, std::move(temp), mode);
}

AtomicFileSink::AtomicFileSink(AtomicFileSink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      mode_(other.mode_),
      buffer_(std::move(other.buffer_)),
      written_(other.written_),
      writeback_from_(other.writeback_from_) {}

AtomicFileSink::~AtomicFileSink() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

Status AtomicFileSink::WriteThrough(std::string_view bytes) {
  RETURN_IF_ERROR(WriteAll(fd_, bytes, path_));
  written_ += bytes.size();
  // Starts writing big outputs back to disk as they grow (without waiting), so that the
  // fsync in Commit finds little left to do: the disk works while we compute. A hint
  // only; Commit's fsync is what guarantees the bytes.
  if (written_ - writeback_from_ >= kEarlyWriteback) {
    ::sync_file_range(fd_, static_cast<off_t>(writeback_from_), static_cast<off_t>(written_ - writeback_from_),
                      SYNC_FILE_RANGE_WRITE);
    writeback_from_ = written_;
  }
  return Ok();
}

Status AtomicFileSink::FlushBuffer() {
  Status st = WriteThrough(buffer_);
  buffer_.clear();
  return st;
}

Status AtomicFileSink::Write(std::string_view bytes) {
  if (fd_ < 0) return Error(ErrorCode::kInternal, "write after commit");
  if (buffer_.size() + bytes.size() > kWriteBuffer || bytes.size() >= kDirectIo) {
    RETURN_IF_ERROR(FlushBuffer());
    if (bytes.size() >= kDirectIo) return WriteThrough(bytes);  // a batch already, not copied
  }
  if (buffer_.capacity() < kWriteBuffer) buffer_.reserve(kWriteBuffer);
  buffer_.append(bytes);
  return Ok();
}

Status AtomicFileSink::Commit() {
  if (fd_ < 0) return Error(ErrorCode::kInternal, "commit twice");
  RETURN_IF_ERROR(FlushBuffer());
  if (::fchmod(fd_, mode_) != 0) return IoError("cannot set permissions on", temp_, errno);
  if (::fsync(fd_) != 0) return IoError("cannot sync", path_, errno);
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    ::unlink(temp_.c_str());
    return IoError("cannot close", path_, errno);
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_.c_str());
    return IoError("cannot rename into", path_, err);
  }
  return Ok();
}

Result<ScratchFile> ScratchFile::Create() {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpdir = (dir && *dir) ? dir : "/tmp";
  int fd = ::open(tmpdir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    // Filesystems without O_TMPFILE: a named file, unlinked at once.
    std::string name = tmpdir + "/sealpost-scratch-XXXXXX";
    fd = ::mkstemp(name.data());
    if (fd < 0) return IoError("cannot create a scratch file in", tmpdir, errno);
    ::unlink(name.c_str());
  }
  return ScratchFile(fd);
}

ScratchFile::ScratchFile(ScratchFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), written_(other.written_), buffer_(std::move(other.buffer_)) {}

ScratchFile::~ScratchFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status ScratchFile::FlushBuffer() {
  Status st = WriteAll(fd_, buffer_, "a scratch file");
  buffer_.clear();
  return st;
}

Status ScratchFile::Write(std::string_view bytes) {
  written_ += bytes.size();
  if (buffer_.size() + bytes.size() > kWriteBuffer) {
    RETURN_IF_ERROR(FlushBuffer());
    if (bytes.size() >= kWriteBuffer) return WriteAll(fd_, bytes, "a scratch file");
  }
  if (buffer_.capacity() < kWriteBuffer) buffer_.reserve(kWriteBuffer);
  buffer_.append(bytes);
  return Ok();
}

Result<FileSource> ScratchFile::Reader() {
  RETURN_IF_ERROR(FlushBuffer());
  // A second descriptor on the same open file via /proc, so reading has its own offset.
  std::string self = "/proc/self/fd/" + std::to_string(fd_);
  ASSIGN_OR_RETURN(FileSource source, FileSource::Open(self));
  RETURN_IF_ERROR(source.Seek(0, written_));
  return source;
}

Status Pump(ByteSource& source, ByteSink& sink, size_t chunk) {
  std::unique_ptr<char[]> buffer(new char[chunk]);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, source.Read(buffer.get(), chunk));
    if (n == 0) return Ok();
    RETURN_IF_ERROR(sink.Write(std::string_view(buffer.get(), n)));
  }
}

}  // namespace sealpost

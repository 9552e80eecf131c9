// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/part_digest.h"

#include <cstdio>
#include <cstdlib>

namespace sealpost::smime::internal {
namespace {

// The scan's chunk plus three waiting to be hashed: 1 MiB at the scan's 256 KiB, whatever
// the part's size; the scan waits for the hash beyond that.
constexpr size_t kMaxChunks = 4;

}  // namespace

ThreadedPartDigest::DigestSink::DigestSink(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) {
  ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), md, nullptr) == 1;
}

Status ThreadedPartDigest::DigestSink::Write(std::string_view bytes) {
  ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
  if (!ok_) return Error(ErrorCode::kInternal, "cannot compute the signed part's digest");
  return Ok();
}

Result<std::string> ThreadedPartDigest::DigestSink::Value() {
  unsigned char value[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), value, &length) != 1)
    return Error(ErrorCode::kInternal, "cannot compute the signed part's digest");
  return std::string(reinterpret_cast<const char*>(value), length);
}

ThreadedPartDigest::ThreadedPartDigest(const EVP_MD* md) : digest_(md) {
  worker_ = std::thread([this] { Work(); });
}

ThreadedPartDigest::~ThreadedPartDigest() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();  // a failed scan: what is left is not wanted
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

char* ThreadedPartDigest::NextChunk(size_t size) {
  Submit();
  std::unique_lock lock(mutex_);
  if (chunk_capacity_ == 0) chunk_capacity_ = size;  // the scan asks for one size throughout
  if (size > chunk_capacity_) {
    std::fprintf(stderr, "sealpost: internal error: the scan changed its chunk size\n");
    std::abort();
  }
  // Back-pressure: the scan waits while the hash is behind by all the other chunks.
  changed_.wait(lock, [&] { return !free_.empty() || owned_.size() < kMaxChunks; });
  char* chunk = nullptr;
  if (!free_.empty()) {
    chunk = free_.back();
    free_.pop_back();
  } else {
    owned_.push_back(std::make_unique<char[]>(chunk_capacity_));
    chunk = owned_.back().get();
  }
  current_.chunk = chunk;
  current_.chunk_size = chunk_capacity_;
  return chunk;
}

void ThreadedPartDigest::FirstPartBytes(const char* data, size_t n, bool crlf_only) {
  if (n == 0) return;
  Segment segment;
  segment.length = n;
  segment.crlf_only = crlf_only;
  const char* chunk = current_.chunk;
  if (chunk && data >= chunk && data + n <= chunk + current_.chunk_size) {
    segment.offset = static_cast<size_t>(data - chunk);
  } else {
    segment.in_copy = true;  // carried bytes: the scan's own buffer, which it will change
    segment.offset = current_.copy.size();
    current_.copy.append(data, n);
  }
  current_.segments.push_back(segment);
}

void ThreadedPartDigest::FirstPartEnd() {
  ended_ = true;
  // The job keeps the chunk, which the scan may go on reading: both only read it, and the
  // scan gets no buffer back before it asks for its next chunk.
  Submit();
}

void ThreadedPartDigest::Submit() {
  Job job = std::move(current_);
  current_ = Job{};
  if (!job.chunk && job.segments.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (job.segments.empty()) {
      free_.push_back(job.chunk);
    } else {
      queue_.push_back(std::move(job));
    }
  }
  changed_.notify_all();
}

void ThreadedPartDigest::Work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything queued is hashed
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    for (const Segment& segment : job.segments) {
      if (!hashed_) break;
      const std::string_view bytes((segment.in_copy ? job.copy.data() : job.chunk) + segment.offset, segment.length);
      hashed_ = segment.crlf_only ? canonical_.WriteCanonical(bytes) : canonical_.Write(bytes);
    }
    if (job.chunk) {
      std::lock_guard lock(mutex_);
      free_.push_back(job.chunk);
    }
    changed_.notify_all();
  }
}

Result<std::string> ThreadedPartDigest::Finish() {
  if (!ended_) return Error(ErrorCode::kInternal, "the signed part was not read to its end");
  {
    std::lock_guard lock(mutex_);
    closing_ = true;  // the worker drains the queue, then stops
  }
  changed_.notify_all();
  worker_.join();
  RETURN_IF_ERROR(hashed_);
  return digest_.Value();
}

}  // namespace sealpost::smime::internal

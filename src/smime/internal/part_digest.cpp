// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/part_digest.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sealpost::smime::internal {
namespace {

// The scan's chunk plus three waiting to be hashed: 1 MiB at the scan's 256 KiB, whatever
// the part's size; the scan waits for the hash beyond that.
constexpr size_t kMaxChunks = 4;

// Appends `data` to `out` with a CR before every LF that lacks one (RFC 8551 §3.1.1);
// `previous_cr` tells whether the byte before `data` was a CR.
void AppendCanonical(const char* data, size_t n, bool previous_cr, std::string& out) {
  size_t start = 0;
  while (start < n) {
    const void* hit = std::memchr(data + start, '\n', n - start);
    if (!hit) {
      out.append(data + start, n - start);
      return;
    }
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - data);
    const bool after_cr = lf > 0 ? data[lf - 1] == '\r' : previous_cr;
    out.append(data + start, lf - start);
    out += after_cr ? "\n" : "\r\n";
    start = lf + 1;
  }
}

}  // namespace

ThreadedPartDigest::ThreadedPartDigest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) {
  digest_ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), md, nullptr) == 1;
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
      const char* data = (segment.in_copy ? job.copy.data() : job.chunk) + segment.offset;
      if (digest_ok_) {
        if (segment.crlf_only) {
          digest_ok_ = EVP_DigestUpdate(ctx_.get(), data, segment.length) == 1;
        } else {
          canonical_.clear();
          AppendCanonical(data, segment.length, previous_cr_, canonical_);
          digest_ok_ = EVP_DigestUpdate(ctx_.get(), canonical_.data(), canonical_.size()) == 1;
        }
      }
      previous_cr_ = data[segment.length - 1] == '\r';
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
  unsigned char value[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!digest_ok_ || EVP_DigestFinal_ex(ctx_.get(), value, &length) != 1)
    return Error(ErrorCode::kInternal, "cannot compute the signed part's digest");
  return std::string(reinterpret_cast<const char*>(value), length);
}

}  // namespace sealpost::smime::internal

// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/part_digest.h"

#include <cstring>

namespace sealpost::smime::internal {
namespace {

// Jobs of 256 KiB, at most four alive: about 1 MB whatever the part's size.
constexpr size_t kJobBytes = 1 << 18;
constexpr size_t kMaxBuffers = 4;

// Appends `data` to `out` with a CR before every LF that lacks one (RFC 8551 §3.1.1),
// `previous_cr` carrying the last byte across calls.
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

void ThreadedPartDigest::FirstPartBytes(const char* data, size_t n, bool crlf_only) {
  while (n > 0) {
    if (!pending_.bytes.empty() && pending_.crlf_only != crlf_only) Flush();
    if (pending_.bytes.empty()) {
      std::unique_lock lock(mutex_);
      // Back-pressure: the scan waits while the hash is four jobs behind.
      changed_.wait(lock, [&] { return !free_.empty() || buffers_ < kMaxBuffers; });
      if (!free_.empty()) {
        pending_.bytes = std::move(free_.back());
        free_.pop_back();
      } else {
        ++buffers_;
        pending_.bytes.reserve(kJobBytes);
      }
      pending_.crlf_only = crlf_only;
    }
    const size_t take = std::min(n, kJobBytes - pending_.bytes.size());
    pending_.bytes.append(data, take);
    data += take;
    n -= take;
    if (pending_.bytes.size() >= kJobBytes) Flush();
  }
}

void ThreadedPartDigest::Flush() {
  if (pending_.bytes.empty()) return;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending_));
  }
  pending_ = Job{};
  changed_.notify_all();
}

void ThreadedPartDigest::FirstPartEnd() {
  Flush();
  ended_ = true;
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
    const std::string& raw = job.bytes;
    if (digest_ok_) {
      if (job.crlf_only) {
        digest_ok_ = EVP_DigestUpdate(ctx_.get(), raw.data(), raw.size()) == 1;
      } else {
        canonical_.clear();
        AppendCanonical(raw.data(), raw.size(), previous_cr_, canonical_);
        digest_ok_ = EVP_DigestUpdate(ctx_.get(), canonical_.data(), canonical_.size()) == 1;
      }
    }
    previous_cr_ = raw.back() == '\r';
    job.bytes.clear();
    {
      std::lock_guard lock(mutex_);
      free_.push_back(std::move(job.bytes));
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

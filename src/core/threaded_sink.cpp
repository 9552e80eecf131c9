// SPDX-License-Identifier: Apache-2.0
#include "core/threaded_sink.h"

#include <algorithm>

namespace sealpost {

ThreadedSink::ThreadedSink(ByteSink& next, size_t chunk, size_t chunks)
    : next_(next), chunk_size_(std::max<size_t>(chunk, 1)), max_in_flight_(std::max<size_t>(chunks, 2) - 1) {
  filling_.reserve(chunk_size_);
  worker_ = std::thread([this] { Work(); });
}

ThreadedSink::~ThreadedSink() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  worker_.join();
}

Status ThreadedSink::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t n = std::min(bytes.size(), chunk_size_ - filling_.size());
    filling_.append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (filling_.size() == chunk_size_) RETURN_IF_ERROR(Submit());
  }
  std::lock_guard lock(mutex_);
  if (error_) return *error_;
  return Ok();
}

Status ThreadedSink::Submit() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return chunks_in_flight_ < max_in_flight_ || error_.has_value(); });
  if (error_) return *error_;
  ++chunks_in_flight_;
  queue_.push_back(std::move(filling_));
  filling_ = std::string();
  if (!spare_.empty()) {
    filling_ = std::move(spare_.back());
    spare_.pop_back();
  }
  filling_.clear();
  filling_.reserve(chunk_size_);
  lock.unlock();
  changed_.notify_all();
  return Ok();
}

Status ThreadedSink::Drain() {
  if (!filling_.empty()) RETURN_IF_ERROR(Submit());
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return chunks_in_flight_ == 0 || error_.has_value(); });
  if (error_) return *error_;
  return Ok();
}

Status ThreadedSink::Finish() {
  RETURN_IF_ERROR(Drain());
  // The thread is idle and waits on the mutex: `next` is the caller's alone until more is
  // submitted.
  return next_.Finish();
}

void ThreadedSink::Work() {
  for (;;) {
    std::string chunk;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (closing_) return;
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    Status written = next_.Write(chunk);
    {
      std::lock_guard lock(mutex_);
      --chunks_in_flight_;
      if (!written && !error_) error_ = written.error();
      if (error_) {
        chunks_in_flight_ -= queue_.size();  // nothing more is written after a failure
        queue_.clear();
      }
      spare_.push_back(std::move(chunk));
    }
    changed_.notify_all();
  }
}

}  // namespace sealpost

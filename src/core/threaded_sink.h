// SPDX-License-Identifier: Apache-2.0
// ThreadedSink: a sink whose writes are carried out by a second thread, so that the work
// behind it (base64 encoding, write syscalls and early writeback) runs beside the caller's
// (reading, ciphers, hashing) instead of after it. Big sign, encrypt and decrypt runs were
// one busy core: about 0.38 s of CPU in 0.43 s for a 200 MiB encryption.
//
// Memory is bounded: the caller fills one chunk while at most `chunks - 1` wait or are being
// written; past that it waits. Errors from `next` are sticky and reach the caller at its
// next Write or at Finish.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/byte_stream.h"

namespace sealpost {

class ThreadedSink final : public ByteSink {
 public:
  static constexpr size_t kDefaultChunk = 128 * 1024;
  static constexpr size_t kDefaultChunks = 4;

  explicit ThreadedSink(ByteSink& next, size_t chunk = kDefaultChunk, size_t chunks = kDefaultChunks);
  ThreadedSink(const ThreadedSink&) = delete;
  ThreadedSink& operator=(const ThreadedSink&) = delete;
  // Stops the thread; whatever was not yet written is dropped (the operation failed).
  ~ThreadedSink() override;

  Status Write(std::string_view bytes) override;
  // Waits until everything is written, then finishes `next` on the caller's thread.
  Status Finish() override;

 private:
  Status Submit();  // hands the filling chunk to the thread
  Status Drain();   // waits until the thread has written everything submitted
  void Work();

  ByteSink& next_;
  const size_t chunk_size_;
  std::string filling_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;   // full chunks, oldest first
  std::vector<std::string> spare_;  // written chunks, kept for reuse
  size_t chunks_in_flight_ = 0;     // queued or being written
  const size_t max_in_flight_;
  bool closing_ = false;
  std::optional<Error> error_;
  std::thread worker_;
};

}  // namespace sealpost

// SPDX-License-Identifier: Apache-2.0
// OpenSSL BIOs over our ByteSource/ByteSink, so CMS streams through them without the engine
// holding whole messages. The adapter keeps the first error the stream reported (a bad
// base64 byte, a full disk), because OpenSSL only sees "-1".
#pragma once

#include <optional>

#include "core/byte_stream.h"
#include "core/error.h"
#include "ossl/handles.h"

namespace sealpost::ossl {

class StreamBio final {
 public:
  // A read-only BIO over `source` / a write-only BIO into `sink`; both must outlive this.
  static StreamBio Reading(ByteSource& source);
  static StreamBio Writing(ByteSink& sink);
  StreamBio(StreamBio&&) = default;
  StreamBio& operator=(StreamBio&&) = default;

  BIO* get() const { return bio_.get(); }
  // Gives up ownership (for OpenSSL calls that take the BIO into a chain they free).
  BioPtr release() { return std::move(bio_); }
  // What the stream reported, if it failed.
  const std::optional<Error>& error() const { return state_->error; }

  struct State {
    ByteSource* source = nullptr;
    ByteSink* sink = nullptr;
    std::optional<Error> error;
  };

 private:
  StreamBio() = default;
  std::unique_ptr<State> state_;
  BioPtr bio_;
};

}  // namespace sealpost::ossl

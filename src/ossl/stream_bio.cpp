// SPDX-License-Identifier: Apache-2.0
#include "ossl/stream_bio.h"

#include <algorithm>
#include <climits>
#include <mutex>

namespace sealpost::ossl {
namespace {

using State = StreamBio::State;

int ReadCallback(BIO* bio, char* buffer, int size) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!state || !state->source || size <= 0) return 0;
  auto n = state->source->Read(buffer, static_cast<size_t>(size));
  if (!n) {
    if (!state->error) state->error = n.error();
    return -1;
  }
  return static_cast<int>(*n);
}

int WriteCallback(BIO* bio, const char* data, int size) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!state || !state->sink || size < 0) return -1;
  if (auto st = state->sink->Write(std::string_view(data, static_cast<size_t>(size))); !st) {
    if (!state->error) state->error = st.error();
    return -1;
  }
  return size;
}

long ControlCallback(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/) {
  // CMS pushes and flushes through the chain; a stream has nothing to flush or reset.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int CreateCallback(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// The method table lives for the process: OpenSSL keeps pointers to it in every BIO.
const BIO_METHOD* Method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sealpost stream");
    BIO_meth_set_read(m, ReadCallback);
    BIO_meth_set_write(m, WriteCallback);
    BIO_meth_set_ctrl(m, ControlCallback);
    BIO_meth_set_create(m, CreateCallback);
    return m;
  }();
  return method;
}

}  // namespace

StreamBio StreamBio::Reading(ByteSource& source) {
  StreamBio s;
  s.state_ = std::make_unique<State>();
  s.state_->source = &source;
  s.bio_.reset(BIO_new(Method()));
  BIO_set_data(s.bio_.get(), s.state_.get());
  return s;
}

StreamBio StreamBio::Writing(ByteSink& sink) {
  StreamBio s;
  s.state_ = std::make_unique<State>();
  s.state_->sink = &sink;
  s.bio_.reset(BIO_new(Method()));
  BIO_set_data(s.bio_.get(), s.state_.get());
  return s;
}

}  // namespace sealpost::ossl

// SPDX-License-Identifier: Apache-2.0
// GMime initialisation and memory streams.
#include "mime/internal/gobject_ptr.h"

#include <mutex>
#include <string_view>

namespace sealpost::mime::internal {

void EnsureGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

GObjectPtr<GMimeStream> MemoryStream(std::string_view bytes) {
  EnsureGMime();
  return GObjectPtr<GMimeStream>::Adopt(
      g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
}

}  // namespace sealpost::mime::internal

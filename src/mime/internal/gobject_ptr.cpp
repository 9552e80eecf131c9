// SPDX-License-Identifier: Apache-2.0
// GMime initialisation and memory streams.
#include "mime/internal/gobject_ptr.h"

#include <string_view>

namespace sealpost::mime::internal {

void EnsureGMime() { (void)GMime(); }

GObjectPtr<GMimeStream> MemoryStream(std::string_view bytes) {
  EnsureGMime();
  return GObjectPtr<GMimeStream>::Adopt(
      GMime().g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
}

}  // namespace sealpost::mime::internal

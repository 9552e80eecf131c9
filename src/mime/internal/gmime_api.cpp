// SPDX-License-Identifier: Apache-2.0
#include "mime/internal/gmime_api.h"

#include "core/shared_library.h"

namespace sealpost::mime::internal {
namespace {

Result<GMimeApi> Load() {
  // SEALPOST_GMIME_SONAME comes from the build (the soname of the GMime it compiled
  // against); GLib and GObject symbols are found through its dependencies.
  ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::Open(SEALPOST_GMIME_SONAME));
  GMimeApi api;
  SEALPOST_GMIME_FUNCTIONS(SEALPOST_BIND_FUNCTION)
  api.g_mime_init();
  return api;
}

}  // namespace

const GMimeApi& GMime() {
  auto api = LoadOnce(&Load, "MIME parsing (GMime)");
  if (!api) AbortUnloaded("GMime", api.error());
  return **api;
}

}  // namespace sealpost::mime::internal

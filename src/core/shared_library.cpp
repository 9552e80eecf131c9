// SPDX-License-Identifier: Apache-2.0
#include "core/shared_library.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace sealpost {
namespace {

std::string LastDlError() {
  const char* text = dlerror();
  return text ? text : "unknown dynamic loader error";
}

}  // namespace

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname) {
  dlerror();
  // RTLD_NOW: a missing symbol shows here, once, not as a crash in the middle of a lookup.
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return Error(ErrorCode::kUnsupported, "cannot load " + soname + " (is it installed?)", LastDlError());
  return SharedLibrary(handle, soname);
}

Result<void*> SharedLibrary::Symbol(const char* name) const {
  dlerror();
  void* address = dlsym(handle_, name);
  if (!address) return Error(ErrorCode::kUnsupported, soname_ + " has no " + name, LastDlError());
  return address;
}

void AbortUnloaded(const char* library, const Error& error) {
  std::fprintf(stderr, "sealpost: internal error: %s called before it was loaded: %s\n", library, error.message().c_str());
  std::abort();
}

}  // namespace sealpost

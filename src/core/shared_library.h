// SPDX-License-Identifier: Apache-2.0
// Loading a shared library when a command first needs it rather than at start-up.
//
// libldap and libcurl bring about 25 more libraries (GnuTLS, Kerberos, libssh2, ...): 3.7 MB
// of resident pages and a millisecond of relocation in every process, while most commands
// (sign, verify, encrypt, decrypt without a directory or revocation check) never call them.
// GMime likewise (14 libraries, 1.3 ms), which a bulk verification of plain mail never calls.
#pragma once

#include <string>

#include "core/result.h"

namespace sealpost {

class SharedLibrary {
 public:
  // dlopen by soname (e.g. "libldap-2.5.so.0"); kUnsupported with dlerror's text if absent.
  static Result<SharedLibrary> Open(const std::string& soname);

  // The address of `name`, searched in the library and the libraries it depends on.
  Result<void*> Symbol(const char* name) const;

  // Binds a function pointer of the right type, as declared by the library's own header.
  template <typename Function>
  Status Bind(Function*& function, const char* name) const {
    ASSIGN_OR_RETURN(void* address, Symbol(name));
    function = reinterpret_cast<Function*>(address);
    return Ok();
  }

  // Libraries are kept for the life of the process, never dlclose'd: libldap and GnuTLS
  // register process-wide state (atexit handlers, TLS keys) that unloading would leave
  // dangling, and every caller caches the bound pointers.
  SharedLibrary(SharedLibrary&&) noexcept = default;
  SharedLibrary& operator=(SharedLibrary&&) noexcept = default;

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* handle_ = nullptr;
  std::string soname_;
};

// Binds one function of a SEALPOST_*_FUNCTIONS(X) list: expanded as
// SEALPOST_..._FUNCTIONS(SEALPOST_BIND_FUNCTION) inside a loader that has a SharedLibrary
// `library` and the table `api` in scope, and returns Result or Status.
#define SEALPOST_BIND_FUNCTION(name) RETURN_IF_ERROR(library.Bind(api.name, #name));

// A table of a library's functions (a struct of typed pointers), loaded by `load` once per
// process (thread-safe); every later call returns the first answer. `feature` names what
// needs the library in the error ("LDAP").
template <typename Api>
Result<const Api*> LoadOnce(Result<Api> (*load)(), const char* feature) {
  static const Result<Api> loaded = load();
  if (!loaded) {
    return Error(loaded.error().code(), std::string(feature) + " is not available: " + loaded.error().message(),
                 loaded.error().detail());
  }
  return &*loaded;
}

// Aborts with a message: a call through a table that failed to load would otherwise be a
// crash through a null pointer, with no explanation.
[[noreturn]] void AbortUnloaded(const char* library, const Error& error);

}  // namespace sealpost

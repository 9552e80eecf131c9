// SPDX-License-Identifier: Apache-2.0
#include "directory/internal/ldap_api.h"

#include <cstdio>
#include <cstdlib>

#include "core/shared_library.h"

namespace sealpost::directory::internal {
namespace {

Result<LdapApi> Load() {
  // SEALPOST_LDAP_SONAME comes from the build (the soname of the libldap it compiled against).
  ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::Open(SEALPOST_LDAP_SONAME));
  LdapApi api;
#define SEALPOST_LDAP_BIND(name) RETURN_IF_ERROR(library.Bind(api.name, #name));
  SEALPOST_LDAP_FUNCTIONS(SEALPOST_LDAP_BIND)
#undef SEALPOST_LDAP_BIND
  return api;
}

}  // namespace

Result<const LdapApi*> LoadLdapApi() {
  static const Result<LdapApi> loaded = Load();
  if (!loaded) return Error(loaded.error().code(), "LDAP is not available: " + loaded.error().message(),
                            loaded.error().detail());
  return &*loaded;
}

const LdapApi& Ldap() {
  auto api = LoadLdapApi();
  if (!api) {
    std::fprintf(stderr, "sealpost: internal error: libldap called before it was loaded: %s\n",
                 api.error().message().c_str());
    std::abort();
  }
  return **api;
}

}  // namespace sealpost::directory::internal

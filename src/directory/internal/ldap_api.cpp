// SPDX-License-Identifier: Apache-2.0
#include "directory/internal/ldap_api.h"

#include "core/shared_library.h"

namespace sealpost::directory::internal {
namespace {

Result<LdapApi> Load() {
  // SEALPOST_LDAP_SONAME comes from the build (the soname of the libldap it compiled against).
  ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::Open(SEALPOST_LDAP_SONAME));
  LdapApi api;
  SEALPOST_LDAP_FUNCTIONS(SEALPOST_BIND_FUNCTION)
  return api;
}

}  // namespace

Result<const LdapApi*> LoadLdapApi() { return LoadOnce(&Load, "LDAP"); }

const LdapApi& Ldap() {
  auto api = LoadLdapApi();
  if (!api) AbortUnloaded("libldap", api.error());
  return **api;
}

}  // namespace sealpost::directory::internal

// SPDX-License-Identifier: Apache-2.0
// LdapEndpoint: a validated LdapConfig reduced to what a connection needs to know.
#pragma once

#include <string>

#include "core/result.h"
#include "directory/ldap_config.h"

namespace sealpost::directory::internal {

struct LdapEndpoint {
  std::string url;      // as configured, for ldap_initialize and for messages
  bool ldaps = false;   // TLS from the first byte
  bool tls = false;     // ldaps or StartTLS: the bind password may be sent
  std::string ca_file;  // the configured bundle or the system one; empty when !tls
};

// Validates `config` without touching the network. kInvalidArgument for an unusable value
// (naming the ldap_* key), kPolicy for a bind that would send the password without TLS or
// an empty password (an "unauthenticated" bind, RFC 4513 §5.1.2), kNotFound when the CA
// file or the system store is missing.
Result<LdapEndpoint> CheckLdapConfig(const LdapConfig& config);

}  // namespace sealpost::directory::internal

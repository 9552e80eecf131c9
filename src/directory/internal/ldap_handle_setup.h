// SPDX-License-Identifier: Apache-2.0
// Creating an LDAP* with every option Sealpost relies on set on the handle itself.
#pragma once

#include <sys/time.h>

#include <cstdint>

#include "core/result.h"
#include "directory/internal/ldap_endpoint.h"
#include "directory/internal/ldap_handles.h"
#include "directory/internal/ldap_socket_watchdog.h"
#include "directory/ldap_config.h"

namespace sealpost::directory::internal {

// kVerify for every real connection. kFetchOnly lets the handshake complete whatever the
// certificate, and is only for ldap_tls_diagnosis, which sends nothing but the handshake.
enum class LdapTlsCheck { kVerify, kFetchOnly };

// A new, unconnected handle for `endpoint`: LDAPv3, network and operation timeouts,
// referrals off, size/time limits, no alias dereferencing, `watchdog` told of every socket,
// TLS (when used) demanding a certificate that chains to endpoint.ca_file and names the
// host, and single LDAP messages capped near config.max_total_bytes. Options are set on the
// handle so that /etc/ldap/ldap.conf and ~/.ldaprc (libldap's defaults) cannot weaken them.
// kInvalidArgument when the CA bundle cannot be loaded, kInternal when libldap refuses.
Result<LdapPtr> NewLdapHandle(const LdapConfig& config, const LdapEndpoint& endpoint, LdapSocketWatchdog& watchdog,
                              LdapTlsCheck check = LdapTlsCheck::kVerify);

timeval ToTimeval(std::int64_t ms);

}  // namespace sealpost::directory::internal

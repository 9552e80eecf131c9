// SPDX-License-Identifier: Apache-2.0
// Turning one SearchResultEntry into an LdapEntry, within the configured byte caps.
#pragma once

#include <cstddef>

#include "core/result.h"
#include "directory/internal/ldap_handles.h"
#include "directory/ldap_config.h"
#include "directory/ldap_entry.h"
#include "pki/certificate_cache.h"

namespace sealpost::directory::internal {

// The attributes a lookup asks for (a null-terminated list for ldap_search_ext).
// userCertificate needs ;binary on OpenLDAP, AD answers without it; asking for both is safe.
extern char* kCertificateAttributes[];

// Reads the DN and certificate attributes of `entry`. Unparsable values become
// `problems`; a value over config.max_attribute_bytes, or `total_bytes` (the running sum
// for this lookup, updated here) going over config.max_total_bytes, fails with kLimit.
// userCertificate values are parsed through `certificates`.
Result<LdapEntry> ReadEntry(LDAP* ld, LDAPMessage* entry, const LdapConfig& config, std::size_t& total_bytes,
                            pki::CertificateCache& certificates);

}  // namespace sealpost::directory::internal

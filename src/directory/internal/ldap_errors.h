// SPDX-License-Identifier: Apache-2.0
// libldap result codes mapped to Sealpost's error domains, with libldap's own words as detail.
#pragma once

#include <string>

#include "core/error.h"
#include "directory/internal/ldap_endpoint.h"
#include "directory/internal/ldap_handles.h"

namespace sealpost::directory::internal {

// What was being done when libldap failed; it decides the wording and sometimes the code.
enum class LdapStep { kConnect, kStartTls, kBind, kSearch };

// An Error for result code `rc` from `step` against `endpoint`. Unreachable servers,
// timeouts and TLS failures are kNetwork ("the directory ldap://… cannot be reached: …"),
// wrong credentials kBadPassword, refusals kPolicy, server-side caps kLimit, a missing base
// DN or rejected filter kInvalidArgument. Reads the handle's diagnostic message when `ld`
// is non-null. `tls_reason` (from DiagnoseTlsFailure) replaces libldap's words for a TLS
// failure when it is not empty.
Error LdapError(LDAP* ld, int rc, LdapStep step, const LdapEndpoint& endpoint, const std::string& tls_reason = {});

// Whether `rc` on a connecting step with this diagnostic means TLS failed after TCP
// connected (libldap leaves a diagnostic only then; a refused connection has none).
bool IsTlsFailure(int rc, LdapStep step, const LdapEndpoint& endpoint, const std::string& diagnostic);

// libldap's diagnostic message on `ld` (empty if none).
std::string DiagnosticMessage(LDAP* ld);

}  // namespace sealpost::directory::internal

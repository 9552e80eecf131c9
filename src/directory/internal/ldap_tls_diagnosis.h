// SPDX-License-Identifier: Apache-2.0
// Explaining a failed TLS connection in words, which libldap (with GnuTLS) does not do.
#pragma once

#include <string>

#include "directory/internal/ldap_endpoint.h"
#include "directory/ldap_config.h"

namespace sealpost::directory::internal {

// After a TLS failure: connects once more with certificate checks off, sending nothing but
// the TLS handshake (after the StartTLS request, for ldap:// with StartTLS), takes the
// server's certificate and checks it with OpenSSL against endpoint.ca_file and the host
// name. Returns a one-line reason such as "the server certificate (CN=…) does not name
// localhost", or empty when it finds none (the handshake itself failed, for instance).
// Bounded by config.timeout_ms; never fails otherwise.
std::string DiagnoseTlsFailure(const LdapConfig& config, const LdapEndpoint& endpoint);

}  // namespace sealpost::directory::internal

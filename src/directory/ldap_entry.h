// SPDX-License-Identifier: Apache-2.0
// LdapEntry: one directory entry that matched an address, and the certificates it carries.
#pragma once

#include <string>
#include <vector>

#include "pki/certificate.h"

namespace sealpost::directory {

// Certificates are returned as published, unjudged: expiry, purpose, address match, path
// and revocation are the caller's checks (catalogue L12).
struct LdapEntry {
  std::string dn;
  // End-entity certificates from userCertificate[;binary] and userSMIMECertificate.
  std::vector<pki::Certificate> certificates;
  // CA certificates found in userSMIMECertificate bundles: untrusted path helpers only,
  // never trust anchors (catalogue L15).
  std::vector<pki::Certificate> chain;
  // Values that could not be used, e.g. "unparsable certificate in userCertificate".
  std::vector<std::string> problems;
};

}  // namespace sealpost::directory

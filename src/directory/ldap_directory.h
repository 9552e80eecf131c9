// SPDX-License-Identifier: Apache-2.0
// LdapDirectory: recipient certificates from an LDAP directory (Active Directory, OpenLDAP).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "directory/ldap_config.h"
#include "directory/ldap_entry.h"

namespace sealpost::directory {

namespace internal {
class LdapConnectionPool;
}  // namespace internal

// Looks addresses up with the configured filter and returns the matching entries with
// their certificates, unjudged. An empty list means the directory answered "nothing";
// every failure to get an answer is an Error, never an empty list.
//
// Thread-safe: Lookup and LookupMany may be called concurrently; connections (one LDAP*
// each, used by one thread at a time) are opened lazily and kept, up to pool_size.
// Move-only.
class LdapDirectory final {
 public:
  // Validates `config` without connecting: kInvalidArgument for an unusable value, kPolicy
  // for a bind without TLS or with an empty password, kNotFound for a missing CA file.
  static Result<LdapDirectory> Create(LdapConfig config);

  LdapDirectory(LdapDirectory&& other) noexcept;
  LdapDirectory& operator=(LdapDirectory&& other) noexcept;
  ~LdapDirectory();

  // Entries for one address: the certificates in userCertificate;binary, userCertificate
  // and userSMIMECertificate (PKCS#7 bundles). Errors:
  //  - kNetwork: "the directory ldap://… cannot be reached: …" (down, refused, timed out,
  //    TLS verification or StartTLS failed);
  //  - kBadPassword: the directory refused the bind DN/password;
  //  - kPolicy: the directory refused the bind or search, or StartTLS;
  //  - kLimit: more than max_entries entries, a value over max_attribute_bytes, more than
  //    max_total_bytes in all, or a server-side time/size limit;
  //  - kInvalidArgument: an empty or over-long address, one with control characters
  //    (NUL, CR, LF, ...: never sent), or a base DN/filter the server rejects.
  Result<std::vector<LdapEntry>> Lookup(const std::string& address);

  // Lookup for each address, concurrently on up to pool_size connections; one result per
  // address, in input order. Once a connection cannot be opened, the addresses not yet
  // started fail with that error instead of each waiting out its own timeout.
  std::vector<Result<std::vector<LdapEntry>>> LookupMany(const std::vector<std::string>& addresses);

  // The filter Lookup sends for `address` (the template with every %s escaped).
  std::string FilterFor(const std::string& address) const;

 private:
  explicit LdapDirectory(std::unique_ptr<internal::LdapConnectionPool> pool);

  std::unique_ptr<internal::LdapConnectionPool> pool_;
};

}  // namespace sealpost::directory

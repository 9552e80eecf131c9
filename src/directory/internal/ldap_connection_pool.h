// SPDX-License-Identifier: Apache-2.0
// LdapConnectionPool: idle LdapConnections kept between lookups, up to pool_size of them.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "directory/internal/ldap_connection.h"
#include "directory/internal/ldap_endpoint.h"
#include "directory/ldap_config.h"

namespace sealpost::directory::internal {

// Owns the config and endpoint every connection refers to. Thread-safe; a connection is
// handed to one thread at a time and never used by two at once.
class LdapConnectionPool final {
 public:
  static constexpr std::size_t kCachedCertificates = 4096;

  LdapConnectionPool(LdapConfig config, LdapEndpoint endpoint)
      : config_(std::move(config)), endpoint_(std::move(endpoint)) {}
  LdapConnectionPool(const LdapConnectionPool&) = delete;
  LdapConnectionPool& operator=(const LdapConnectionPool&) = delete;

  // An idle connection, or a newly opened one (errors as LdapConnection::Open).
  Result<std::unique_ptr<LdapConnection>> Acquire();
  // Opens a new connection, bypassing the idle list.
  Result<std::unique_ptr<LdapConnection>> OpenNew();
  // Keeps `connection` for later if it is still reusable and there is room; else closes it.
  void Release(std::unique_ptr<LdapConnection> connection);

  const LdapConfig& config() const { return config_; }
  const LdapEndpoint& endpoint() const { return endpoint_; }

 private:
  const LdapConfig config_;
  const LdapEndpoint endpoint_;
  // Shared by the connections: the same certificates come back on every lookup of a person
  // (and issuers in many bundles), and parsing one costs more than the search. Bounded for
  // a long-lived process.
  pki::CertificateCache certificates_{kCachedCertificates};
  std::mutex mutex_;
  std::vector<std::unique_ptr<LdapConnection>> idle_;  // guarded by mutex_
};

}  // namespace sealpost::directory::internal

// SPDX-License-Identifier: Apache-2.0
// Idle-connection bookkeeping for LdapDirectory.
#include "directory/internal/ldap_connection_pool.h"

namespace sealpost::directory::internal {

Result<std::unique_ptr<LdapConnection>> LdapConnectionPool::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<LdapConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return OpenNew();  // outside the lock: connecting may take up to timeout_ms
}

Result<std::unique_ptr<LdapConnection>> LdapConnectionPool::OpenNew() {
  return LdapConnection::Open(config_, endpoint_, certificates_);
}

void LdapConnectionPool::Release(std::unique_ptr<LdapConnection> connection) {
  if (!connection || !connection->reusable()) return;
  std::lock_guard lock(mutex_);
  if (static_cast<int>(idle_.size()) < config_.pool_size) idle_.push_back(std::move(connection));
}

}  // namespace sealpost::directory::internal

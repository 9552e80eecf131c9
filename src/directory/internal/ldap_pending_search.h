// SPDX-License-Identifier: Apache-2.0
// PendingSearch: the answer to one search, gathered from its messages within the caps.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.h"
#include "directory/internal/ldap_endpoint.h"
#include "directory/internal/ldap_handles.h"
#include "directory/ldap_config.h"
#include "directory/ldap_entry.h"
#include "pki/certificate_cache.h"

namespace sealpost::directory::internal {

// Several searches may be in flight on one connection (RFC 4511 §4.1.1: the message ID
// ties each response to its request), so each keeps its own entries, byte count and
// deadline. `config`, `endpoint` and `certificates` must outlive it.
class PendingSearch final {
 public:
  using Clock = std::chrono::steady_clock;
  using Entries = std::vector<LdapEntry>;

  // What a message did to the search.
  enum class Step {
    kMore,     // keep reading
    kDone,     // the server's final result is in: see outcome()
    kAbandon,  // a cap was hit (or the answer was unreadable): abandon the search and
               // do not trust the connection with another (see outcome())
  };

  PendingSearch(const LdapConfig& config, const LdapEndpoint& endpoint, pki::CertificateCache& certificates,
                std::size_t index, int msgid, Clock::time_point deadline)
      : config_(&config), endpoint_(&endpoint), certificates_(&certificates), index_(index), msgid_(msgid), deadline_(deadline) {}

  std::size_t index() const { return index_; }  // position of the filter in the batch
  int msgid() const { return msgid_; }
  Clock::time_point deadline() const { return deadline_; }

  // Takes one message of this search (entry, continuation reference or final result).
  Step Take(LDAP* ld, LDAPMessage* message);

  // After kDone or kAbandon: the entries, or why there are none. Never a partial list.
  Result<Entries> TakeOutcome() { return std::move(*outcome_); }

 private:
  Step Finish(Result<Entries> outcome, Step step);

  const LdapConfig* config_;  // pointers, not references: searches are moved in a vector
  const LdapEndpoint* endpoint_;
  pki::CertificateCache* certificates_;
  std::size_t index_;
  int msgid_;
  Clock::time_point deadline_;
  Entries entries_;
  std::size_t total_bytes_ = 0;
  int references_ = 0;
  std::optional<Result<Entries>> outcome_;
};

}  // namespace sealpost::directory::internal

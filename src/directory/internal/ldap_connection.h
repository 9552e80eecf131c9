// SPDX-License-Identifier: Apache-2.0
// LdapConnection: one LDAP* that is connected, secured (TLS when configured) and bound.
// Not copyable; used by one thread at a time (libldap handles are not shared concurrently).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "directory/internal/ldap_endpoint.h"
#include "directory/internal/ldap_handles.h"
#include "directory/internal/ldap_socket_watchdog.h"
#include "directory/ldap_config.h"
#include "directory/ldap_entry.h"
#include "pki/certificate_cache.h"

namespace sealpost::directory::internal {

class LdapConnection final {
 public:
  // Connects to `endpoint`, runs StartTLS if configured, and binds when not anonymous.
  // kNetwork when unreachable, timed out or TLS fails; kBadPassword, kPolicy otherwise (see
  // ldap_errors.h). `config`, `endpoint` and `certificates` (where the certificates in
  // answers are parsed) must outlive the connection.
  static Result<std::unique_ptr<LdapConnection>> Open(const LdapConfig& config, const LdapEndpoint& endpoint,
                                                      pki::CertificateCache& certificates);
  ~LdapConnection();  // unbinds (sends UnbindRequest) with SIGPIPE blocked
  LdapConnection(const LdapConnection&) = delete;
  LdapConnection& operator=(const LdapConnection&) = delete;

  // What became of a batch of searches (SearchMany).
  struct Batch {
    // One per filter, in order; empty when the connection failed before its answer came.
    std::vector<std::optional<Result<std::vector<LdapEntry>>>> results;
    // Whether each filter had been sent when the connection failed.
    std::vector<bool> sent;
    // Why some results are empty; unset when every result is in.
    std::optional<Error> failure;
    // The failure was one message over max_total_bytes: one of the searches in flight drew
    // it, which one is unknown (the others may well be fine).
    bool message_too_big = false;
  };

  // Subtree searches under the base DN, one per filter (already escaped), asking only for
  // the certificate attributes, with up to `in_flight` outstanding at once on this
  // connection. Each is bounded by the config: at most max_entries entries (server
  // sizelimit and a client count), the byte caps (one LDAP message may not exceed
  // max_total_bytes either), and timeout_ms from when it was sent. kLimit when a cap is
  // hit; never a partial list.
  Batch SearchMany(const std::vector<std::string>& filters, std::size_t in_flight);

  // SearchMany for one filter; a connection failure is its result.
  Result<std::vector<LdapEntry>> Search(const std::string& filter);

  // False after anything that may have left the connection closed or mid-answer. libldap
  // silently reconnects a closed handle on the next operation, without StartTLS or bind,
  // so such a handle must be dropped, never reused.
  bool reusable() const { return reusable_; }
  // Whether this connection has answered a search before (an idle one the server may have
  // closed meanwhile).
  bool reused() const { return searches_ > 0; }
  // Whether the last failure was the connection going away (closed or reset by the server),
  // as opposed to a timeout or an error answer.
  bool lost() const { return lost_; }

 private:
  LdapConnection(std::unique_ptr<LdapSocketWatchdog> watchdog, LdapPtr ld, const LdapConfig& config,
                 const LdapEndpoint& endpoint, pki::CertificateCache& certificates)
      : watchdog_(std::move(watchdog)), ld_(std::move(ld)), config_(config), endpoint_(endpoint),
        certificates_(certificates) {}

  Status CheckStillSecure();
  Error Fail(Error error);  // marks the connection unusable and returns `error`
  Error TimedOut(std::string_view what) const;
  // Ends `batch` with the connection unusable: `error` explains every missing result.
  Batch& FailBatch(Batch& batch, Error error);

  std::unique_ptr<LdapSocketWatchdog> watchdog_;  // before ld_: libldap calls it until unbind
  LdapPtr ld_;
  const LdapConfig& config_;
  const LdapEndpoint& endpoint_;
  pki::CertificateCache& certificates_;
  bool reusable_ = true;
  bool lost_ = false;
  int searches_ = 0;
};

}  // namespace sealpost::directory::internal

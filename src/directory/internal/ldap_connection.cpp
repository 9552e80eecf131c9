// SPDX-License-Identifier: Apache-2.0
// One libldap connection: options, StartTLS, simple bind, and a bounded asynchronous search.
#include "directory/internal/ldap_connection.h"

#include <cerrno>
#include <chrono>

#include "directory/internal/ldap_entry_reader.h"
#include "directory/internal/ldap_errors.h"
#include "directory/internal/ldap_handle_setup.h"
#include "directory/internal/ldap_sigpipe_guard.h"
#include "directory/internal/ldap_tls_diagnosis.h"

namespace sealpost::directory::internal {
namespace {

using Clock = std::chrono::steady_clock;

// How long after a search's deadline the watchdog shuts a socket that is stuck in a read.
constexpr std::chrono::milliseconds kWatchdogGrace{250};

}  // namespace

Result<std::unique_ptr<LdapConnection>> LdapConnection::Open(const LdapConfig& config, const LdapEndpoint& endpoint) {
  LdapSigpipeGuard no_sigpipe;
  auto watchdog = std::make_unique<LdapSocketWatchdog>();
  ASSIGN_OR_RETURN(LdapPtr ld, NewLdapHandle(config, endpoint, *watchdog));
  std::unique_ptr<LdapConnection> connection(new LdapConnection(std::move(watchdog), std::move(ld), config, endpoint));
  LDAP* handle = connection->ld_.get();
  // Connecting, StartTLS and the bind together get one timeout_ms.
  LdapDeadlineScope deadline(*connection->watchdog_, Clock::now() + std::chrono::milliseconds(config.timeout_ms));
  auto failed = [&](int rc, LdapStep step) {
    if (deadline.Disarm()) return connection->TimedOut("connecting");
    std::string tls_reason;
    if (IsTlsFailure(rc, step, endpoint, DiagnosticMessage(handle))) tls_reason = DiagnoseTlsFailure(config, endpoint);
    return LdapError(handle, rc, step, endpoint, tls_reason);
  };

  // Connect now (ldaps: including the TLS handshake) so that failures are reported as
  // connection failures, not as failures of whatever operation came first.
  int rc = ldap_connect(handle);
  if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kConnect);
  if (config.starttls) {
    rc = ldap_start_tls_s(handle, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kStartTls);
  }
  if (!config.access_anonymously) {
    // Checked again here, not only in Create: the password goes out only over TLS.
    if (!endpoint.tls) return Error(ErrorCode::kPolicy, "refusing to bind to " + endpoint.url + " without TLS");
    RETURN_IF_ERROR(connection->CheckStillSecure());
    berval credentials{};
    credentials.bv_len = config.bind_password.size();
    // libldap only reads the credentials; the cast is for its C signature.
    credentials.bv_val = const_cast<char*>(config.bind_password.view().data());
    rc = ldap_sasl_bind_s(handle, config.bind_dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kBind);
  }
  if (deadline.Disarm()) return connection->TimedOut("connecting");
  return connection;
}

Status LdapConnection::CheckStillSecure() {
  ber_socket_t fd = -1;
  if (ldap_get_option(ld_.get(), LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0) {
    lost_ = true;
    return Fail(Error(ErrorCode::kNetwork, "the directory " + endpoint_.url + " cannot be reached: connection closed"));
  }
  if (endpoint_.tls && !ldap_tls_inplace(ld_.get())) {
    return Fail(Error(ErrorCode::kPolicy,
                      "TLS is not in place on the connection to " + endpoint_.url + "; nothing is sent in clear"));
  }
  return Ok();
}

Error LdapConnection::TimedOut(std::string_view what) const {
  return Error(ErrorCode::kNetwork, "the directory " + endpoint_.url + " cannot be reached: no answer within " +
                                        std::to_string(config_.timeout_ms) + " ms while " + std::string(what));
}

Error LdapConnection::Fail(Error error) {
  reusable_ = false;
  return error;
}

LdapConnection::~LdapConnection() {
  LdapSigpipeGuard no_sigpipe;
  ld_.reset();  // here, inside the guard, rather than after the body
}

Result<std::vector<LdapEntry>> LdapConnection::Search(const std::string& filter) {
  LdapSigpipeGuard no_sigpipe;
  RETURN_IF_ERROR(CheckStillSecure());
  ++searches_;
  LDAP* ld = ld_.get();
  timeval server_limit = ToTimeval(config_.timeout_ms);
  int msgid = 0;
  int rc = ldap_search_ext(ld, config_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), kCertificateAttributes, 0,
                           nullptr, nullptr, &server_limit, config_.max_entries, &msgid);
  if (rc != LDAP_SUCCESS) return Fail(LdapError(ld, rc, LdapStep::kSearch, endpoint_));

  // Abandons the search (RFC 4511 §4.11) and drops the connection: unread messages of
  // an abandoned search could still be in flight.
  auto give_up = [&](Error error) {
    ldap_abandon_ext(ld, msgid, nullptr, nullptr);
    return Fail(std::move(error));
  };
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  // The loop below enforces the deadline between messages; the watchdog, a little later,
  // ends a read that blocks inside one.
  LdapDeadlineScope watchdog(*watchdog_, deadline + kWatchdogGrace);
  std::vector<LdapEntry> entries;
  std::size_t total_bytes = 0;
  int references = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return give_up(TimedOut("searching"));
    timeval wait = ToTimeval(left);
    LDAPMessage* raw = nullptr;
    errno = 0;
    rc = ldap_result(ld, msgid, LDAP_MSG_ONE, &wait, &raw);
    const int saved_errno = errno;
    LdapMessagePtr message(raw);
    if (rc == 0) continue;  // the deadline check above decides
    if (rc == -1) {
      if (watchdog.Disarm()) return Fail(TimedOut("searching"));
      if (saved_errno == ERANGE) {
        return Fail(Error(ErrorCode::kLimit, "the directory " + endpoint_.url + " sent a message over the limit of " +
                                                 std::to_string(config_.max_total_bytes) + " bytes"));
      }
      int ld_rc = LDAP_SERVER_DOWN;
      ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &ld_rc);
      lost_ = ld_rc == LDAP_SERVER_DOWN;
      return Fail(LdapError(ld, ld_rc, LdapStep::kSearch, endpoint_));
    }
    switch (rc) {
      case LDAP_RES_SEARCH_ENTRY: {
        // The server was asked for at most max_entries; this also holds one that ignores it.
        if (static_cast<int>(entries.size()) >= config_.max_entries) {
          return give_up(
              Error(ErrorCode::kLimit, "more than " + std::to_string(config_.max_entries) +
                                           " directory entries match; narrow ldap_search_filter or ldap_base_dn"));
        }
        auto entry = ReadEntry(ld, message.get(), config_, total_bytes);
        if (!entry) return give_up(std::move(entry).error());
        entries.push_back(std::move(entry).value());
        break;
      }
      case LDAP_RES_SEARCH_REFERENCE:
        // RFC 4511 §4.5.3 continuation references are not followed (catalogue L11; AD sends
        // them for its DNS and configuration partitions). They count toward the entry cap
        // so that an endless stream of them is bounded too.
        if (++references > config_.max_entries) {
          return give_up(Error(ErrorCode::kLimit, "the directory " + endpoint_.url + " sent more than " +
                                                      std::to_string(config_.max_entries) + " referrals"));
        }
        break;
      case LDAP_RES_SEARCH_RESULT: {
        int result = LDAP_OTHER;
        rc = ldap_parse_result(ld, message.get(), &result, nullptr, nullptr, nullptr, nullptr, 0);
        if (rc != LDAP_SUCCESS) return Fail(LdapError(ld, rc, LdapStep::kSearch, endpoint_));
        if (result == LDAP_SIZELIMIT_EXCEEDED) {
          return Error(ErrorCode::kLimit, "more than " + std::to_string(config_.max_entries) +
                                              " directory entries match; narrow ldap_search_filter or ldap_base_dn");
        }
        if (result != LDAP_SUCCESS) return LdapError(ld, result, LdapStep::kSearch, endpoint_);
        return entries;
      }
      default:
        break;  // intermediate responses and the like belong to nothing we asked
    }
  }
}

}  // namespace sealpost::directory::internal

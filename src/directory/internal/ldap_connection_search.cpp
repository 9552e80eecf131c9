// SPDX-License-Identifier: Apache-2.0
// Searches on one connection: several in flight at once, each bounded by its caps and deadline.
#include <algorithm>
#include <cerrno>
#include <chrono>

#include "directory/internal/ldap_connection.h"
#include "directory/internal/ldap_entry_reader.h"
#include "directory/internal/ldap_errors.h"
#include "directory/internal/ldap_handle_setup.h"
#include "directory/internal/ldap_pending_search.h"
#include "directory/internal/ldap_sigpipe_guard.h"

namespace sealpost::directory::internal {
namespace {

using Clock = std::chrono::steady_clock;

// How long after a search's deadline the watchdog shuts a socket that is stuck in a read.
constexpr std::chrono::milliseconds kWatchdogGrace{250};

}  // namespace

LdapConnection::Batch LdapConnection::SearchMany(const std::vector<std::string>& filters, std::size_t in_flight) {
  LdapSigpipeGuard no_sigpipe;
  Batch batch;
  batch.results.resize(filters.size());
  batch.sent.assign(filters.size(), false);
  if (filters.empty()) return batch;
  if (auto secure = CheckStillSecure(); !secure) {
    batch.failure = std::move(secure).error();
    return batch;
  }
  in_flight = std::max<std::size_t>(in_flight, 1);
  LDAP* ld = ld_.get();
  const auto timeout = std::chrono::milliseconds(config_.timeout_ms);
  std::vector<PendingSearch> pending;  // at most in_flight: linear scans are cheap
  pending.reserve(in_flight);
  std::size_t next = 0;

  // Puts a search's outcome into the batch and drops it. An abandoned search's late
  // answers may still be on the wire: libldap discards them, but the connection is not
  // trusted with another batch.
  auto finish = [&](std::vector<PendingSearch>::iterator search, Result<std::vector<LdapEntry>> outcome,
                    bool abandon) {
    if (abandon) {
      Ldap().ldap_abandon_ext(ld, search->msgid(), nullptr, nullptr);  // RFC 4511 §4.11
      reusable_ = false;
    }
    batch.results[search->index()] = std::move(outcome);
    pending.erase(search);
  };

  // The loop below enforces each search's deadline between messages; the watchdog, a
  // little after the earliest deadline, ends a read that blocks inside one message.
  LdapDeadlineScope watchdog(*watchdog_, Clock::now() + timeout + kWatchdogGrace);
  for (;;) {
    while (next < filters.size() && pending.size() < in_flight) {
      timeval server_limit = ToTimeval(config_.timeout_ms);
      int msgid = 0;
      const int rc = Ldap().ldap_search_ext(ld, config_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filters[next].c_str(),
                                     kCertificateAttributes, 0, nullptr, nullptr, &server_limit, config_.max_entries,
                                     &msgid);
      if (rc != LDAP_SUCCESS) {
        lost_ = rc == LDAP_SERVER_DOWN;
        return FailBatch(batch, LdapError(ld, rc, LdapStep::kSearch, endpoint_));
      }
      ++searches_;
      batch.sent[next] = true;
      pending.emplace_back(config_, endpoint_, certificates_, next, msgid, Clock::now() + timeout);
      ++next;
    }
    if (pending.empty()) return batch;

    const auto first = std::min_element(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
      return a.deadline() < b.deadline();
    });
    watchdog.MoveTo(first->deadline() + kWatchdogGrace);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(first->deadline() - Clock::now()).count();
    if (left <= 0) {
      finish(first, TimedOut("searching"), /*abandon=*/true);  // the others keep their time
      continue;
    }
    timeval wait = ToTimeval(left);
    LDAPMessage* raw = nullptr;
    errno = 0;
    const int rc = Ldap().ldap_result(ld, LDAP_RES_ANY, LDAP_MSG_ONE, &wait, &raw);
    const int saved_errno = errno;
    LdapMessagePtr message(raw);
    if (rc == 0) continue;  // the deadline check above decides
    if (rc == -1) {
      if (watchdog.Disarm()) return FailBatch(batch, TimedOut("searching"));
      if (saved_errno == ERANGE) {
        batch.message_too_big = true;
        return FailBatch(batch, Error(ErrorCode::kLimit, "the directory " + endpoint_.url +
                                                             " sent a message over the limit of " +
                                                             std::to_string(config_.max_total_bytes) + " bytes"));
      }
      int ld_rc = LDAP_SERVER_DOWN;
      Ldap().ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &ld_rc);
      lost_ = ld_rc == LDAP_SERVER_DOWN;
      return FailBatch(batch, LdapError(ld, ld_rc, LdapStep::kSearch, endpoint_));
    }
    const int msgid = Ldap().ldap_msgid(message.get());
    const auto search =
        std::find_if(pending.begin(), pending.end(), [msgid](const auto& s) { return s.msgid() == msgid; });
    if (search == pending.end()) {
      // Message ID 0 is an unsolicited notification (RFC 4511 §4.4): the server is going away.
      if (msgid == 0) {
        lost_ = true;
        return FailBatch(batch, Error(ErrorCode::kNetwork,
                                      "the directory " + endpoint_.url + " cannot be reached: it ended the session"));
      }
      continue;  // a late answer to a search given up on
    }
    switch (search->Take(ld, message.get())) {
      case PendingSearch::Step::kMore:
        break;
      case PendingSearch::Step::kDone:
        finish(search, search->TakeOutcome(), /*abandon=*/false);
        break;
      case PendingSearch::Step::kAbandon:
        finish(search, search->TakeOutcome(), /*abandon=*/true);
        break;
    }
  }
}

Result<std::vector<LdapEntry>> LdapConnection::Search(const std::string& filter) {
  Batch batch = SearchMany({filter}, 1);
  if (batch.results.front()) return std::move(*batch.results.front());
  return std::move(*batch.failure);
}

}  // namespace sealpost::directory::internal

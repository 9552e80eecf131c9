// SPDX-License-Identifier: Apache-2.0
// LdapSocketWatchdog: enforces a deadline on blocking libldap calls by shutting the socket.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "directory/internal/ldap_handles.h"

namespace sealpost::directory::internal {

// libldap's timeouts do not cover everything: with GnuTLS, an ldaps:// handshake against a
// server that accepts and then says nothing blocks (or spins) forever, and a reply that
// trickles in byte by byte keeps a blocking read() going. While armed, this watchdog shuts
// the connection's socket down (shutdown(2), so the blocked call returns with an error)
// once the deadline passes. It learns the socket through LDAP_OPT_CONNECT_CB and keeps a
// dup() of it, so the descriptor number it shuts cannot have been reused meanwhile.
//
// One thread per instance, idle unless armed. Not copyable or movable (libldap keeps a
// pointer to callbacks()); must outlive the LDAP* it is installed on.
class LdapSocketWatchdog final {
 public:
  using Clock = std::chrono::steady_clock;

  LdapSocketWatchdog();
  ~LdapSocketWatchdog();
  LdapSocketWatchdog(const LdapSocketWatchdog&) = delete;
  LdapSocketWatchdog& operator=(const LdapSocketWatchdog&) = delete;

  // For ldap_set_option(ld, LDAP_OPT_CONNECT_CB, watchdog.callbacks()).
  ldap_conncb* callbacks() { return &callbacks_; }

  void Arm(Clock::time_point deadline);
  // Moves the deadline of an armed watchdog that has not fired (a no-op otherwise, so a
  // firing is never forgotten).
  void Move(Clock::time_point deadline);
  // Disarms; true if the deadline passed while armed (the socket has been shut down).
  bool Disarm();

 private:
  static int OnConnect(LDAP* ld, Sockbuf* sb, LDAPURLDesc* server, sockaddr* address, ldap_conncb* self);
  static void OnClose(LDAP* ld, Sockbuf* sb, ldap_conncb* self);
  void Run(std::stop_token stop);
  void CloseDuplicateLocked();

  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::optional<Clock::time_point> deadline_;  // guarded by mutex_
  bool fired_ = false;                         // guarded by mutex_
  int socket_ = -1;                            // our dup() of libldap's socket; guarded by mutex_
  ldap_conncb callbacks_{};
  std::jthread thread_;  // last: it starts after the members it uses exist
};

// Arms `watchdog` for the lifetime of the scope.
class LdapDeadlineScope final {
 public:
  LdapDeadlineScope(LdapSocketWatchdog& watchdog, LdapSocketWatchdog::Clock::time_point deadline)
      : watchdog_(watchdog) {
    watchdog_.Arm(deadline);
  }
  ~LdapDeadlineScope() { Disarm(); }
  LdapDeadlineScope(const LdapDeadlineScope&) = delete;
  LdapDeadlineScope& operator=(const LdapDeadlineScope&) = delete;

  void MoveTo(LdapSocketWatchdog::Clock::time_point deadline) {
    if (armed_) watchdog_.Move(deadline);
  }

  // Disarms early; true if the deadline had passed.
  bool Disarm() {
    if (!armed_) return fired_;
    armed_ = false;
    fired_ = watchdog_.Disarm();
    return fired_;
  }

 private:
  LdapSocketWatchdog& watchdog_;
  bool armed_ = true;
  bool fired_ = false;
};

}  // namespace sealpost::directory::internal

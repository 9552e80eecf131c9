// SPDX-License-Identifier: Apache-2.0
// The deadline thread behind LdapSocketWatchdog.
#include "directory/internal/ldap_socket_watchdog.h"

#include <sys/socket.h>
#include <unistd.h>

namespace sealpost::directory::internal {

LdapSocketWatchdog::LdapSocketWatchdog() {
  callbacks_.lc_add = &LdapSocketWatchdog::OnConnect;
  callbacks_.lc_del = &LdapSocketWatchdog::OnClose;
  callbacks_.lc_arg = this;
  thread_ = std::jthread([this](std::stop_token stop) { Run(std::move(stop)); });
}

LdapSocketWatchdog::~LdapSocketWatchdog() {
  thread_.request_stop();
  thread_.join();
  std::lock_guard lock(mutex_);
  CloseDuplicateLocked();
}

void LdapSocketWatchdog::Arm(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  deadline_ = deadline;
  fired_ = false;
  changed_.notify_all();
}

void LdapSocketWatchdog::Move(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  if (!deadline_) return;  // disarmed, or fired (which reset it)
  deadline_ = deadline;
  changed_.notify_all();
}

bool LdapSocketWatchdog::Disarm() {
  std::lock_guard lock(mutex_);
  deadline_.reset();
  changed_.notify_all();
  return fired_;
}

// A C callback from inside libldap: no exceptions can escape (nothing here throws).
int LdapSocketWatchdog::OnConnect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* self) {
  auto* watchdog = static_cast<LdapSocketWatchdog*>(self->lc_arg);
  ber_socket_t fd = -1;
  Ldap().ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd);
  std::lock_guard lock(watchdog->mutex_);
  watchdog->CloseDuplicateLocked();
  if (fd >= 0) watchdog->socket_ = dup(fd);
  return 0;
}

void LdapSocketWatchdog::OnClose(LDAP*, Sockbuf*, ldap_conncb* self) {
  auto* watchdog = static_cast<LdapSocketWatchdog*>(self->lc_arg);
  std::lock_guard lock(watchdog->mutex_);
  watchdog->CloseDuplicateLocked();
}

void LdapSocketWatchdog::CloseDuplicateLocked() {
  if (socket_ >= 0) close(socket_);
  socket_ = -1;
}

void LdapSocketWatchdog::Run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    if (!deadline_) {
      changed_.wait(lock, stop, [this] { return deadline_.has_value(); });
      continue;
    }
    const Clock::time_point deadline = *deadline_;
    // Wakes early when disarmed or re-armed; then the loop looks again.
    if (changed_.wait_until(lock, stop, deadline, [&] { return deadline_ != deadline; })) continue;
    if (stop.stop_requested() || deadline_ != deadline) continue;
    fired_ = true;
    deadline_.reset();
    if (socket_ >= 0) shutdown(socket_, SHUT_RDWR);
  }
}

}  // namespace sealpost::directory::internal

// SPDX-License-Identifier: Apache-2.0
// Blocking and discarding SIGPIPE around libldap calls, per thread.
#include "directory/internal/ldap_sigpipe_guard.h"

#include <pthread.h>

#include <ctime>

namespace sealpost::directory::internal {
namespace {

sigset_t PipeOnly() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool PipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

LdapSigpipeGuard::LdapSigpipeGuard() {
  const sigset_t pipe = PipeOnly();
  sigemptyset(&old_mask_);
  was_pending_ = PipePending();  // not ours: left for whoever has it blocked
  blocked_ = pthread_sigmask(SIG_BLOCK, &pipe, &old_mask_) == 0;
}

LdapSigpipeGuard::~LdapSigpipeGuard() {
  if (!blocked_) return;
  if (!was_pending_ && PipePending()) {
    const sigset_t pipe = PipeOnly();
    const timespec no_wait{};
    sigtimedwait(&pipe, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace sealpost::directory::internal

// SPDX-License-Identifier: Apache-2.0
// LdapSigpipeGuard: keeps a write to a connection the server closed from killing the process.
#pragma once

#include <signal.h>

namespace sealpost::directory::internal {

// libldap writes with write(2) (through GnuTLS, too), so a request sent on a connection the
// server has closed raises SIGPIPE, whose default action ends the process. A library may
// not change the process's signal dispositions; instead this blocks SIGPIPE in the calling
// thread for the scope, and on exit discards a SIGPIPE the scope raised (the write itself
// fails with EPIPE, which libldap reports as LDAP_SERVER_DOWN). Nests.
class LdapSigpipeGuard final {
 public:
  LdapSigpipeGuard();
  ~LdapSigpipeGuard();
  LdapSigpipeGuard(const LdapSigpipeGuard&) = delete;
  LdapSigpipeGuard& operator=(const LdapSigpipeGuard&) = delete;

 private:
  sigset_t old_mask_;
  bool blocked_ = false;
  bool was_pending_ = false;
};

}  // namespace sealpost::directory::internal

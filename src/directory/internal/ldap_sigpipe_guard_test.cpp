// SPDX-License-Identifier: Apache-2.0
// A write to a closed connection under the guard fails with EPIPE and leaves no signal.
#include "directory/internal/ldap_sigpipe_guard.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sealpost::directory::internal {
namespace {

TEST(LdapSigpipeGuardTest, WriteToAClosedPeerDoesNotKillTheProcess) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  close(fds[1]);
  {
    LdapSigpipeGuard guard;
    EXPECT_EQ(write(fds[0], "x", 1), -1);  // EPIPE, and a SIGPIPE that the guard swallows
  }
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
  close(fds[0]);
}

}  // namespace
}  // namespace sealpost::directory::internal

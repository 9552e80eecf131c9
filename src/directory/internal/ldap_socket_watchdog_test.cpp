// SPDX-License-Identifier: Apache-2.0
// The watchdog ends a blocked read at its deadline, and stays quiet when disarmed in time.
#include "directory/internal/ldap_socket_watchdog.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace sealpost::directory::internal {
namespace {

using Clock = LdapSocketWatchdog::Clock;
using std::chrono::milliseconds;

// A connected socket pair whose first end libldap "opened" (as LDAP_OPT_CONNECT_CB tells).
class WatchedPair final {
 public:
  explicit WatchedPair(LdapSocketWatchdog& watchdog) {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    EXPECT_TRUE(LoadLdapApi());
    sb_ = Ldap().ber_sockbuf_alloc();
    Ldap().ber_sockbuf_ctrl(sb_, LBER_SB_OPT_SET_FD, &fds_[0]);
    ldap_conncb* callbacks = watchdog.callbacks();
    callbacks->lc_add(nullptr, sb_, nullptr, nullptr, callbacks);
  }
  ~WatchedPair() {
    Ldap().ber_sockbuf_free(sb_);  // no I/O layer pushed, so the descriptor stays ours to close
    close(fds_[0]);
    close(fds_[1]);
  }
  WatchedPair(const WatchedPair&) = delete;
  WatchedPair& operator=(const WatchedPair&) = delete;

  int client() const { return fds_[0]; }
  int server() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
  Sockbuf* sb_ = nullptr;
};

TEST(LdapSocketWatchdogTest, BlockedReadEndsAtTheDeadline) {
  LdapSocketWatchdog watchdog;
  WatchedPair pair(watchdog);
  const auto start = Clock::now();
  LdapDeadlineScope deadline(watchdog, start + milliseconds(100));
  char byte = 0;
  EXPECT_EQ(read(pair.client(), &byte, 1), 0);  // shut down: end of file, not a hang
  EXPECT_GE(Clock::now() - start, milliseconds(90));
  EXPECT_TRUE(deadline.Disarm());
}

TEST(LdapSocketWatchdogTest, DisarmedInTimeLeavesTheSocketAlone) {
  LdapSocketWatchdog watchdog;
  WatchedPair pair(watchdog);
  {
    LdapDeadlineScope deadline(watchdog, Clock::now() + milliseconds(50));
    EXPECT_FALSE(deadline.Disarm());
  }
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_EQ(write(pair.server(), "x", 1), 1);
  char byte = 0;
  EXPECT_EQ(read(pair.client(), &byte, 1), 1);
}

TEST(LdapSocketWatchdogTest, ReArmingMovesTheDeadline) {
  LdapSocketWatchdog watchdog;
  WatchedPair pair(watchdog);
  watchdog.Arm(Clock::now() + milliseconds(30));
  watchdog.Arm(Clock::now() + milliseconds(10000));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(watchdog.Disarm());
}

TEST(LdapSocketWatchdogTest, MovingTheDeadlineLaterKeepsTheSocketOpen) {
  LdapSocketWatchdog watchdog;
  WatchedPair pair(watchdog);
  LdapDeadlineScope deadline(watchdog, Clock::now() + milliseconds(30));
  deadline.MoveTo(Clock::now() + milliseconds(10000));
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_EQ(write(pair.server(), "x", 1), 1);
  char byte = 0;
  EXPECT_EQ(read(pair.client(), &byte, 1), 1);
  EXPECT_FALSE(deadline.Disarm());
}

TEST(LdapSocketWatchdogTest, MovingAfterFiringDoesNotForgetIt) {
  LdapSocketWatchdog watchdog;
  WatchedPair pair(watchdog);
  LdapDeadlineScope deadline(watchdog, Clock::now() + milliseconds(20));
  char byte = 0;
  EXPECT_EQ(read(pair.client(), &byte, 1), 0);  // fired: shut down
  deadline.MoveTo(Clock::now() + milliseconds(10000));
  EXPECT_TRUE(deadline.Disarm());
}

}  // namespace
}  // namespace sealpost::directory::internal

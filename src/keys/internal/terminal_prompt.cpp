// SPDX-License-Identifier: Apache-2.0
// A no-echo terminal read with termios, the terminal state owned by an RAII guard.
#include "keys/internal/terminal_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "keys/internal/scratch_buffer.h"

namespace sealpost::keys::internal {
namespace {

// Echo off while alive. Signals are not intercepted: a Ctrl-C at the prompt may leave echo
// off (as with getpass); `stty sane` restores it.
class EchoOff final {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::isatty(fd) && ::tcgetattr(fd, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK);
      quiet.c_lflag |= ECHONL;  // the user still sees the Enter key land
      active_ = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Error(ErrorCode::kIo, std::string("cannot write the passphrase prompt: ") + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

}  // namespace

Result<SecretBytes> ReadHiddenLine(int in_fd, int out_fd, std::string_view prompt) {
  EchoOff echo_off(in_fd);
  RETURN_IF_ERROR(WriteAll(out_fd, prompt));
  ScratchBuffer line(kMaxPassphraseSize);
  std::size_t size = 0;
  bool got_newline = false;
  // One byte at a time: nothing after the newline may be consumed from a shared terminal.
  for (;;) {
    char c = 0;
    ssize_t n = ::read(in_fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, std::string("cannot read the passphrase: ") + std::strerror(errno));
    if (n == 0) break;
    if (c == '\n') {
      got_newline = true;
      break;
    }
    if (size == line.size()) return Error(ErrorCode::kLimit, "the passphrase is longer than 4096 bytes");
    line.data()[size++] = static_cast<std::uint8_t>(c);
  }
  if (!got_newline && size == 0) return Error(ErrorCode::kInvalidArgument, "no passphrase was entered");
  if (size > 0 && line.data()[size - 1] == '\r') --size;
  line.Truncate(size);
  return line.ToSecret();
}

}  // namespace sealpost::keys::internal

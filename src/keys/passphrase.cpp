// SPDX-License-Identifier: Apache-2.0
// Passphrase from a file or the terminal; every intermediate buffer is wiped.
#include "keys/passphrase.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "keys/internal/scratch_buffer.h"
#include "keys/internal/terminal_prompt.h"

namespace sealpost::keys {
namespace {

class Fd final {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<Passphrase> ReadPassphraseFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    return Error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot open the passphrase file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return Error(ErrorCode::kIo, "cannot stat the passphrase file " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Error(ErrorCode::kIo, "the passphrase file " + path + " is a directory");
  Passphrase result;
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    result.warning = "the passphrase file " + path + " is accessible by other users; chmod 600 it";

  // Read until the first newline; one spare byte tells "exactly 4096" from "longer".
  internal::ScratchBuffer buffer(internal::kMaxPassphraseSize + 2);
  std::size_t size = 0;
  std::size_t line_end = std::string::npos;
  while (line_end == std::string::npos && size < buffer.size()) {
    ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, "cannot read the passphrase file " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    const void* nl = std::memchr(buffer.data() + size, '\n', static_cast<std::size_t>(n));
    size += static_cast<std::size_t>(n);
    if (nl) line_end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - buffer.data());
  }
  std::size_t length = line_end == std::string::npos ? size : line_end;
  if (length > 0 && buffer.data()[length - 1] == '\r') --length;
  if (length > internal::kMaxPassphraseSize)
    return Error(ErrorCode::kLimit, "the first line of the passphrase file " + path + " is longer than 4096 bytes");
  if (length == 0)
    return Error(ErrorCode::kInvalidArgument,
                 "the passphrase file " + path + " is empty (the passphrase is its first line)");
  buffer.Truncate(length);
  result.secret = buffer.ToSecret();
  return result;
}

Result<SecretBytes> PromptPassphrase(std::string_view prompt, PassphraseUse use) {
  Fd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.get() < 0)
    return Error(ErrorCode::kInvalidArgument, std::string("no terminal to ask for the passphrase on; set ") +
                                                  kPassphraseFileEnv + " to a file holding it");
  ASSIGN_OR_RETURN(SecretBytes first, internal::ReadHiddenLine(tty.get(), tty.get(), prompt));
  if (first.empty()) return Error(ErrorCode::kInvalidArgument, "the passphrase must not be empty");
  if (use == PassphraseUse::kNew) {
    ASSIGN_OR_RETURN(SecretBytes second, internal::ReadHiddenLine(tty.get(), tty.get(), "Repeat it: "));
    if (first.view() != second.view()) return Error(ErrorCode::kInvalidArgument, "the two passphrases differ");
  }
  return first;
}

Result<Passphrase> GetPassphrase(std::string_view prompt, PassphraseUse use, const std::string& file) {
  if (!file.empty()) return ReadPassphraseFile(file);
  if (const char* env = std::getenv(kPassphraseFileEnv); env && *env) return ReadPassphraseFile(env);
  ASSIGN_OR_RETURN(SecretBytes secret, PromptPassphrase(prompt, use));
  return Passphrase{std::move(secret), {}};
}

}  // namespace sealpost::keys

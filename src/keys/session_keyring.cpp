// SPDX-License-Identifier: Apache-2.0
#include "keys/session_keyring.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

// The keyctl(2) ABI (linux/keyctl.h), spelled out so the build needs no libkeyutils.
namespace {
constexpr long kSessionKeyring = -3;  // KEY_SPEC_SESSION_KEYRING
constexpr long kKeyctlGetKeyringId = 0;
constexpr long kKeyctlRevoke = 3;
constexpr long kKeyctlSetPerm = 5;
constexpr long kKeyctlSearch = 10;
constexpr long kKeyctlRead = 11;
constexpr long kKeyctlSetTimeout = 15;
constexpr long kKeyctlInvalidate = 21;
// Possessor: view, read, write, search, setattr. Nobody else, not even the same user's
// processes outside this login session.
constexpr unsigned long kPossessorOnly = 0x01000000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x20000000;
}  // namespace

namespace sealpost::keys {
namespace {

// The login session's keyring, without creating one: a process outside a PAM session (a
// cron job, a container shell) has none, and add_key on KEY_SPEC_SESSION_KEYRING would make
// it a private one that dies with it. The kernel then answers with the user's default
// session keyring, which every such process of the user shares.
long SessionKeyring() { return syscall(SYS_keyctl, kKeyctlGetKeyringId, kSessionKeyring, 0L); }

long FindKey(const std::string& name) {
  const long keyring = SessionKeyring();
  if (keyring < 0) return -1;
  return syscall(SYS_keyctl, kKeyctlSearch, keyring, "user", name.c_str(), 0L);
}

Error KeyringError(const char* what, int err) {
  const bool absent = err == ENOSYS || err == EPERM || err == EACCES || err == EOPNOTSUPP;
  return Error(absent ? ErrorCode::kUnsupported : ErrorCode::kInternal,
               std::string("cannot ") + what + " in the kernel session keyring" +
                   (absent ? " (keyrings are not available here)" : ""),
               std::strerror(err));
}

}  // namespace

Status StoreSessionKey(const std::string& name, const SecretBytes& key, long seconds) {
  if (seconds <= 0) return Error(ErrorCode::kInvalidArgument, "the unlock time must be positive");
  const long keyring = SessionKeyring();
  if (keyring < 0) return KeyringError("find the session keyring", errno);
  const long id = syscall(SYS_add_key, "user", name.c_str(), key.data(), key.size(), keyring);
  if (id < 0) return KeyringError("store the unlock key", errno);
  // Permissions and timeout are set right after creation; should either fail, the key is
  // revoked rather than left readable or without an end.
  if (syscall(SYS_keyctl, kKeyctlSetPerm, id, kPossessorOnly) != 0 ||
      syscall(SYS_keyctl, kKeyctlSetTimeout, id, static_cast<unsigned long>(seconds)) != 0) {
    const int err = errno;
    syscall(SYS_keyctl, kKeyctlRevoke, id);
    return KeyringError("limit the unlock key", err);
  }
  return Ok();
}

std::optional<SecretBytes> LoadSessionKey(const std::string& name) {
  const long id = FindKey(name);
  if (id < 0) return std::nullopt;
  std::vector<unsigned char> buffer(256);
  const long n = syscall(SYS_keyctl, kKeyctlRead, id, buffer.data(), buffer.size());
  if (n <= 0 || static_cast<size_t>(n) > buffer.size()) {
    explicit_bzero(buffer.data(), buffer.size());
    return std::nullopt;
  }
  SecretBytes key(std::string_view(reinterpret_cast<const char*>(buffer.data()), static_cast<size_t>(n)));
  explicit_bzero(buffer.data(), buffer.size());
  return key;
}

Status ForgetSessionKey(const std::string& name) {
  const long id = FindKey(name);
  if (id < 0) return Ok();  // nothing cached (or no keyrings): nothing to forget
  if (syscall(SYS_keyctl, kKeyctlInvalidate, id) != 0 && syscall(SYS_keyctl, kKeyctlRevoke, id) != 0)
    return KeyringError("remove the unlock key", errno);
  return Ok();
}

}  // namespace sealpost::keys

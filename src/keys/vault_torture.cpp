// SPDX-License-Identifier: Apache-2.0
// Test helper for tests/vault/kill_safety.py: writes to a vault until killed, then checks it.
//
//   vault_torture create <vault>                 new vault under passphrase generation 0
//   vault_torture run <vault> <gen> <tag>        Put / PutWithId / ChangePassphrase forever
//   vault_torture check <vault> <gen> <expected> opens with generation gen or gen+1 and
//                                                decrypts every "<id> <seed>" line
//
// `run` prints "open <gen>", then "put <id> <seed>" and "rekeyed <gen>" only after each
// commit, each line in one write() so that a kill never splits it.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "keys/vault.h"

namespace {

using sealpost::SecretBytes;
using sealpost::keys::MinimumKdfParams;
using sealpost::keys::Vault;

SecretBytes PassphraseFor(long generation) { return SecretBytes("torture-passphrase-" + std::to_string(generation)); }

// A few hundred bytes, so items span cells and pages like real keys do.
std::string PayloadFor(const std::string& seed) {
  std::string payload = "-----payload " + seed + "-----";
  while (payload.size() < 300) payload += seed;
  return payload;
}

void Say(const std::string& line) {
  std::string out = line + "\n";
  if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) ::_exit(3);
}

int Fail(const std::string& what, const sealpost::Error& error) {
  std::fprintf(stderr, "vault_torture: %s: %s\n", what.c_str(), error.message().c_str());
  return 2;
}

int Create(const std::string& path) {
  auto vault = Vault::Create(path, PassphraseFor(0), MinimumKdfParams());
  if (!vault) return Fail("create", vault.error());
  return 0;
}

int Run(const std::string& path, long generation, const std::string& tag) {
  auto vault = Vault::Open(path, PassphraseFor(generation), MinimumKdfParams());
  if (!vault) return Fail("open", vault.error());
  Say("open " + std::to_string(generation));
  for (long i = 0;; ++i) {
    std::string seed = tag + "-" + std::to_string(i);
    switch (i % 4) {
      case 0:
      case 1: {
        auto id = vault->Put("torture", seed, SecretBytes(PayloadFor(seed)), "{}");
        if (!id) return Fail("put", id.error());
        Say("put " + *id + " " + seed);
        break;
      }
      case 2: {
        std::string id = "fixed-" + seed;
        auto st = vault->PutWithId(id, "torture", seed, SecretBytes(PayloadFor(seed)), "{}");
        if (!st) return Fail("put-with-id", st.error());
        Say("put " + id + " " + seed);
        break;
      }
      default: {
        auto st = vault->ChangePassphrase(PassphraseFor(generation + 1), MinimumKdfParams());
        if (!st) return Fail("change-passphrase", st.error());
        ++generation;
        Say("rekeyed " + std::to_string(generation));
        break;
      }
    }
  }
}

int Check(const std::string& path, long generation, const std::string& expected_file) {
  auto vault = Vault::Open(path, PassphraseFor(generation), MinimumKdfParams());
  if (!vault && vault.error().code() == sealpost::ErrorCode::kBadPassword) {
    ++generation;
    vault = Vault::Open(path, PassphraseFor(generation), MinimumKdfParams());
  }
  if (!vault) return Fail("open with either passphrase", vault.error());
  Say("open " + std::to_string(generation));
  std::ifstream expected(expected_file);
  std::string id;
  std::string seed;
  long checked = 0;
  while (expected >> id >> seed) {
    auto secret = vault->Get(id);
    if (!secret) return Fail("get " + id, secret.error());
    if (secret->view() != PayloadFor(seed)) {
      std::fprintf(stderr, "vault_torture: item %s holds the wrong secret\n", id.c_str());
      return 1;
    }
    ++checked;
  }
  Say("checked " + std::to_string(checked));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "create" && argc == 3) return Create(argv[2]);
  if (mode == "run" && argc == 5) return Run(argv[2], std::stol(argv[3]), argv[4]);
  if (mode == "check" && argc == 5) return Check(argv[2], std::stol(argv[3]), argv[4]);
  std::fprintf(stderr, "usage: vault_torture create <vault> | run <vault> <gen> <tag> | check <vault> <gen> <file>\n");
  return 64;
}

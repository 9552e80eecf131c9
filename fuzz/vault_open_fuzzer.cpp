// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a vault file (vault.db) opened with the seeds' passphrase, its items listed
// and read, as every command that needs a key does.
// Invariants: a file that fails to open is left byte for byte as it was, with no SQLite
// side files (-wal, -shm, -journal) created; a wrong passphrase never opens it; an item
// either decrypts or fails its integrity check (kIntegrity), never both or neither.
// The harness skips files whose own scrypt parameters ask for more than 32 MiB (the vault
// caps them at 1 GiB by design; the fuzzer would spend its time in scrypt).
#include <sqlite3.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_support.h"
#include "keys/vault.h"

namespace {

using sealpost::fuzz::Check;
namespace fs = std::filesystem;

const fs::path& WorkDir() {
  static const fs::path* dir = [] {
    std::string templ = (fs::temp_directory_path() / "sealpost-fuzz-vault-XXXXXX").string();
    Check(::mkdtemp(templ.data()) != nullptr, "cannot make a temporary directory");
    return new fs::path(templ);
  }();
  return *dir;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The scrypt memory the file asks for (128 * N * r * p), read without writing anything;
// 0 when it cannot be read (then Open refuses the file before any scrypt work).
std::uint64_t AskedKdfMemory(const std::string& path) {
  sqlite3* db = nullptr;
  std::string uri = "file:" + path + "?immutable=1";
  std::uint64_t memory = 0;
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT kdf_n, kdf_r, kdf_p FROM vault_key WHERE id = 1", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      auto n = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0));
      auto r = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 1));
      auto p = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 2));
      memory = (n > (1u << 30) || r > 64 || p > 64) ? UINT64_MAX : 128 * n * r * p;
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return memory;
}

void Cleanup(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    fs::remove(path.string() + suffix, ec);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = sealpost::fuzz::AsView(data, size);
  fs::path path = WorkDir() / "vault.db";
  Cleanup(path);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  if (AskedKdfMemory(path.string()) > (std::uint64_t{32} << 20)) {
    Cleanup(path);
    return 0;
  }

  auto vault = sealpost::keys::Vault::Open(path.string(), sealpost::SecretBytes(sealpost::fuzz::kVaultPassphrase));
  if (!vault) {
    Check(ReadAll(path) == bytes, "a vault that failed to open was changed");
    for (const char* suffix : {"-wal", "-shm", "-journal"})
      Check(!fs::exists(path.string() + suffix), "a vault that failed to open got an SQLite side file");
    Check(!vault.error().message().empty(), "a vault open failed without a message");
    Cleanup(path);
    return 0;
  }
  auto items = vault->List();
  if (items) {
    for (const auto& item : *items) {
      auto secret = vault->Get(item.id);
      if (!secret) {
        auto code = secret.error().code();
        Check(code == sealpost::ErrorCode::kIntegrity || code == sealpost::ErrorCode::kMalformed ||
                  code == sealpost::ErrorCode::kIo || code == sealpost::ErrorCode::kNotFound,
              "a vault item failed with an unexpected error kind");
      }
    }
  }
  auto wrong = sealpost::keys::Vault::Open(path.string(), sealpost::SecretBytes("not the passphrase"));
  Check(!wrong.has_value(), "a vault opened with the wrong passphrase");
  Cleanup(path);
  return 0;
}

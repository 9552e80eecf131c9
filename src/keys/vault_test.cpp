// SPDX-License-Identifier: Apache-2.0
// Vault behaviour: round trips, wrong passphrases, policy floor, hostile files, secrecy at rest.
#include "keys/vault.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sealpost::keys {
namespace {

namespace fs = std::filesystem;

// Reads the file's bytes through a new descriptor. Only called while at most one Vault is
// open on the file: closing a descriptor drops this process's POSIX locks on it.
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Spit(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Runs SQL on a vault file behind the Vault's back, as an attacker or a bad disk would.
void Tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << error;
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sealpost-vault-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/vault.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The weakest parameters this build accepts: fast in SEALPOST_TESTING_WEAK_KDF builds.
  static KdfParams Params() { return MinimumKdfParams(); }
  static SecretBytes Pass(std::string_view text) { return SecretBytes(text); }

  Vault CreateVault(std::string_view passphrase = "correct horse battery staple") {
    auto vault = Vault::Create(path_, Pass(passphrase), Params());
    EXPECT_TRUE(vault.has_value()) << vault.error().message();
    return std::move(vault).value();
  }

  std::string dir_;
  std::string path_;
};

TEST_F(VaultTest, CreateThenOpenRoundTripsItems) {
  std::string key_id;
  std::string pin_id;
  {
    Vault vault = CreateVault();
    EXPECT_EQ(vault.params(), Params());
    auto id = vault.Put("private-key", "Alice signing", SecretBytes("key bytes \x01\x02"), R"({"cert":"ab12"})");
    ASSERT_TRUE(id.has_value()) << id.error().message();
    key_id = *id;
    auto pin = vault.Put("pin", "", SecretBytes(""));
    ASSERT_TRUE(pin.has_value());
    pin_id = *pin;
    EXPECT_NE(key_id, pin_id);
  }
  auto vault = Vault::Open(path_, Pass("correct horse battery staple"), Params());
  ASSERT_TRUE(vault.has_value()) << vault.error().message();
  EXPECT_EQ(vault->params(), Params());
  auto key = vault->Get(key_id);
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_EQ(key->view(), "key bytes \x01\x02");
  auto pin = vault->Get(pin_id);
  ASSERT_TRUE(pin.has_value());
  EXPECT_TRUE(pin->empty());
  auto items = vault->List();
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 2u);
  auto keys = vault->List("private-key");
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].id, key_id);
  EXPECT_EQ((*keys)[0].label, "Alice signing");
  EXPECT_EQ((*keys)[0].metadata_json, R"({"cert":"ab12"})");
  EXPECT_GT((*keys)[0].created, 1600000000);
}

TEST_F(VaultTest, OpenWithWrongPassphraseIsBadPasswordAndChangesNothing) {
  std::string id;
  {
    Vault vault = CreateVault("right");
    id = vault.Put("private-key", "k", SecretBytes("s3cret")).value();
  }
  std::string before = Slurp(path_);
  auto wrong = Vault::Open(path_, Pass("wrong"), Params());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kBadPassword);
  EXPECT_EQ(wrong.error().message(), "wrong passphrase for the vault " + path_);
  EXPECT_EQ(Slurp(path_), before);
  auto right = Vault::Open(path_, Pass("right"), Params());
  ASSERT_TRUE(right.has_value());
  EXPECT_EQ(right->Get(id)->view(), "s3cret");
}

TEST_F(VaultTest, ChangePassphraseMakesOldFailAndNewWork) {
  std::string id;
  {
    Vault vault = CreateVault("old passphrase");
    id = vault.Put("private-key", "k", SecretBytes("s3cret")).value();
    KdfParams stronger{Params().n * 2, Params().r, Params().p};
    ASSERT_TRUE(vault.ChangePassphrase(Pass("new passphrase"), stronger).has_value());
    EXPECT_EQ(vault.params(), stronger);
    EXPECT_EQ(vault.Get(id)->view(), "s3cret");  // the data key did not change
  }
  auto old_pass = Vault::Open(path_, Pass("old passphrase"), Params());
  ASSERT_FALSE(old_pass.has_value());
  EXPECT_EQ(old_pass.error().code(), ErrorCode::kBadPassword);
  auto new_pass = Vault::Open(path_, Pass("new passphrase"), Params());
  ASSERT_TRUE(new_pass.has_value()) << new_pass.error().message();
  EXPECT_EQ(new_pass->params().n, Params().n * 2);
  EXPECT_EQ(new_pass->Get(id)->view(), "s3cret");
}

TEST_F(VaultTest, ChangePassphraseRefusesWeakParamsAndEmptyPassphrase) {
  Vault vault = CreateVault("p");
  KdfParams weak{Params().n / 2, Params().r, Params().p};
  auto st = vault.ChangePassphrase(Pass("q"), weak);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kPolicy);
  st = vault.ChangePassphrase(Pass(""), Params());
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Vault::Open(path_, Pass("p"), Params()).has_value());
}

TEST_F(VaultTest, OpenRefusesStoredParamsBelowTheCallersFloorBeforeTryingThePassphrase) {
  CreateVault("p");
  KdfParams floor{Params().n * 2, Params().r, Params().p};
  for (const char* passphrase : {"p", "not even the right one"}) {
    auto vault = Vault::Open(path_, Pass(passphrase), floor);
    ASSERT_FALSE(vault.has_value());
    EXPECT_EQ(vault.error().code(), ErrorCode::kPolicy);
    EXPECT_EQ(
        vault.error().message().rfind(
            "the vault's key-derivation parameters are below the policy floor; it may have been tampered with", 0),
        0u)
        << vault.error().message();
  }
  KdfParams floor_r{Params().n, Params().r + 1, Params().p};
  EXPECT_EQ(Vault::Open(path_, Pass("p"), floor_r).error().code(), ErrorCode::kPolicy);
}

TEST_F(VaultTest, OpenRefusesADowngradedFileEvenWithAWeakerCallerFloor) {
  CreateVault("p");
  // An attacker lowers N in the file; the build's own minimum still applies.
  Tamper(path_, "UPDATE vault_key SET kdf_n = " + std::to_string(Params().n / 2));
  auto vault = Vault::Open(path_, Pass("p"), KdfParams{2, 1, 1});
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kPolicy);
}

TEST_F(VaultTest, CreateRefusesParamsBelowTheMinimumAndWritesNothing) {
  auto vault = Vault::Create(path_, Pass("p"), KdfParams{Params().n / 2, Params().r, Params().p});
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kPolicy);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(VaultTest, CreateRefusesUnusableParams) {
  for (KdfParams bad : {KdfParams{Params().n + 1, 8, 1}, KdfParams{Params().n, 0, 1}, KdfParams{Params().n, 8, 0},
                        KdfParams{std::uint64_t{1} << 40, 8, 1}}) {
    auto vault = Vault::Create(path_, Pass("p"), bad);
    ASSERT_FALSE(vault.has_value());
    EXPECT_EQ(vault.error().code(), ErrorCode::kInvalidArgument) << ToString(bad);
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(VaultTest, CreateRefusesAnEmptyPassphrase) {
  auto vault = Vault::Create(path_, Pass(""), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(VaultTest, CreateNeverOverwritesAnExistingFile) {
  Spit(path_, "precious\n");
  auto vault = Vault::Create(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Slurp(path_), "precious\n");
}

TEST_F(VaultTest, CreateRefusesWhenAStaleWalWouldBeReplayed) {
  Spit(path_ + "-wal", "left over from a deleted vault");
  auto vault = Vault::Create(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(VaultTest, CreateMakesThe0600FileAndMissingDirectories0700) {
  std::string nested = dir_ + "/profile/keys/vault.db";
  auto vault = Vault::Create(nested, Pass("p"), Params());
  ASSERT_TRUE(vault.has_value()) << vault.error().message();
  ASSERT_TRUE(vault->Put("pin", "x", SecretBytes("1234")).has_value());
  EXPECT_EQ(Mode(nested), 0600u);
  EXPECT_EQ(Mode(dir_ + "/profile"), 0700u);
  EXPECT_EQ(Mode(dir_ + "/profile/keys"), 0700u);
  // SQLite gives its side files the database's mode.
  for (const char* suffix : {"-wal", "-shm"}) {
    if (fs::exists(nested + suffix)) {
      EXPECT_EQ(Mode(nested + suffix), 0600u) << suffix;
    }
  }
  // No temporary files are left beside it.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir_ + "/profile/keys")) {
    std::string name = entry.path().filename().string();
    EXPECT_EQ(name.rfind("vault.db", 0), 0u) << name;
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
    ++entries;
  }
  EXPECT_GE(entries, 1);
}

TEST_F(VaultTest, OpenMissingFileIsNotFoundAndCreatesNothing) {
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(fs::is_empty(dir_));
  EXPECT_FALSE(Vault::Exists(path_));
}

TEST_F(VaultTest, OpenTextOrEmptyFileIsMalformedAndLeavesItUntouched) {
  for (std::string content : {std::string("-----BEGIN CERTIFICATE-----\nnot a vault\n"), std::string(),
                              std::string("SQLite format 3") + std::string(200, '\0')}) {
    Spit(path_, content);
    auto vault = Vault::Open(path_, Pass("p"), Params());
    ASSERT_FALSE(vault.has_value());
    EXPECT_EQ(vault.error().code(), ErrorCode::kMalformed);
    EXPECT_NE(vault.error().message().find("is not a Sealpost vault"), std::string::npos) << vault.error().message();
    EXPECT_EQ(Slurp(path_), content);
    EXPECT_FALSE(fs::exists(path_ + "-wal"));
    EXPECT_FALSE(fs::exists(path_ + "-shm"));
    EXPECT_FALSE(fs::exists(path_ + "-journal"));
  }
}

TEST_F(VaultTest, OpenForeignSqliteDatabaseIsMalformedAndLeavesItUntouched) {
  Tamper(path_,
         "PRAGMA journal_mode=WAL; CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT); "
         "INSERT INTO messages (body) VALUES ('hello');");
  std::string before = Slurp(path_);
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(vault.error().message(),
            path_ + " is not a Sealpost vault (it is an SQLite database of another application)");
  EXPECT_EQ(Slurp(path_), before);
  EXPECT_FALSE(fs::exists(path_ + "-wal"));
  EXPECT_FALSE(fs::exists(path_ + "-shm"));
}

TEST_F(VaultTest, OpenOurApplicationIdWithoutOurTablesIsMalformedAndLeavesItUntouched) {
  for (int version : {0, 1}) {
    fs::remove(path_);
    Tamper(path_, "PRAGMA application_id = 1397771094; PRAGMA user_version = " + std::to_string(version) +
                      "; CREATE TABLE other (x);");
    std::string before = Slurp(path_);
    auto vault = Vault::Open(path_, Pass("p"), Params());
    ASSERT_FALSE(vault.has_value());
    EXPECT_EQ(vault.error().code(), ErrorCode::kMalformed) << vault.error().message();
    EXPECT_EQ(Slurp(path_), before);
  }
}

TEST_F(VaultTest, OpenNewerFormatIsUnsupported) {
  CreateVault("p");
  Tamper(path_, "PRAGMA user_version = 2");
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kUnsupported);
}

TEST_F(VaultTest, DamagedKeyRecordIsMalformed) {
  CreateVault("p");
  Tamper(path_, "UPDATE vault_key SET wrapped_key = x'00'");
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kMalformed);
}

TEST_F(VaultTest, GarbledPagesAreMalformedNotACrash) {
  CreateVault("p");
  std::string bytes = Slurp(path_);
  ASSERT_GE(bytes.size(), 3u * 4096);
  // Page 2 onwards (the tables); page 1 keeps the header that identifies the vault.
  for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 31));
  Spit(path_, bytes);
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kMalformed) << vault.error().message();
}

TEST_F(VaultTest, FlippedCiphertextByteIsAnIntegrityErrorAndOtherItemsStillOpen) {
  std::string damaged_id;
  std::string good_id;
  {
    Vault vault = CreateVault("p");
    damaged_id = vault.Put("private-key", "a", SecretBytes(std::string(3000, 'k'))).value();
    good_id = vault.Put("private-key", "b", SecretBytes("fine")).value();
  }
  // Find the ciphertext in the raw file (checkpointed on close) and flip one bit, as a bad disk would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT ciphertext FROM items WHERE id = ?1", -1, &stmt, nullptr), SQLITE_OK);
  sqlite3_bind_text(stmt, 1, damaged_id.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  std::string ciphertext(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::string bytes = Slurp(path_);
  std::size_t at = bytes.find(ciphertext.substr(0, 64));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 40] ^= 0x01;
  Spit(path_, bytes);

  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_TRUE(vault.has_value()) << vault.error().message();
  auto secret = vault->Get(damaged_id);
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error().code(), ErrorCode::kIntegrity);
  EXPECT_NE(secret.error().message().find(damaged_id), std::string::npos);
  EXPECT_EQ(vault->Get(good_id)->view(), "fine");
}

TEST_F(VaultTest, ItemsAreBoundToTheirIdAndKind) {
  std::string a;
  std::string b;
  {
    Vault vault = CreateVault("p");
    a = vault.Put("private-key", "a", SecretBytes("secret a")).value();
    b = vault.Put("private-key", "b", SecretBytes("secret b")).value();
  }
  // Moving A's ciphertext into B's row, or relabelling A's kind, must not decrypt.
  Tamper(path_, "UPDATE items SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM items WHERE id = '" + a +
                    "') WHERE id = '" + b + "'; UPDATE items SET kind = 'pin' WHERE id = '" + a + "';");
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_TRUE(vault.has_value());
  EXPECT_EQ(vault->Get(a).error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(vault->Get(b).error().code(), ErrorCode::kIntegrity);
}

TEST_F(VaultTest, FilesNeverHoldTheSecretOrThePassphraseInTheClear) {
  const std::string marker = "MARKER-7f3a9c2e51d04b8e";
  const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + marker + "\n-----END PRIVATE KEY-----\n";
  const std::string passphrase = "passphrase-9d8e7f6a5b4c";
  const std::string new_passphrase = "passphrase-1a2b3c4d5e6f";
  auto scan = [&](const char* when) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::string bytes = Slurp(path_ + suffix);
      for (const std::string& needle : {marker, std::string("PRIVATE KEY"), passphrase, new_passphrase})
        EXPECT_EQ(bytes.find(needle), std::string::npos) << when << ": found '" << needle << "' in vault.db" << suffix;
    }
  };
  {
    Vault vault = CreateVault(passphrase);
    std::string id = vault.Put("private-key", "k", SecretBytes(pem)).value();
    ASSERT_TRUE(vault.PutWithId("fingerprint-1", "private-key", "k2", SecretBytes(pem)).has_value());
    ASSERT_TRUE(fs::exists(path_ + "-wal"));
    scan("open, after Put");
    ASSERT_TRUE(vault.ChangePassphrase(SecretBytes(new_passphrase), Params()).has_value());
    ASSERT_TRUE(vault.Remove(id).has_value());
    scan("open, after ChangePassphrase and Remove");
  }
  scan("closed");
}

TEST_F(VaultTest, PutWithIdReplacesTheItem) {
  Vault vault = CreateVault("p");
  ASSERT_TRUE(vault.PutWithId("ab:cd:ef", "private-key", "first", SecretBytes("one"), R"({"v":1})").has_value());
  ASSERT_TRUE(vault.PutWithId("ab:cd:ef", "private-key", "second", SecretBytes("two"), R"({"v":2})").has_value());
  EXPECT_EQ(vault.Get("ab:cd:ef")->view(), "two");
  auto items = vault.List();
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].label, "second");
  EXPECT_EQ((*items)[0].metadata_json, R"({"v":2})");
}

TEST_F(VaultTest, RemoveDeletesAndUnknownIdsAreNotFound) {
  Vault vault = CreateVault("p");
  std::string id = vault.Put("pin", "x", SecretBytes("1234")).value();
  ASSERT_TRUE(vault.Remove(id).has_value());
  EXPECT_EQ(vault.Get(id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(vault.Remove(id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(vault.List()->empty());
}

TEST_F(VaultTest, BadKindsIdsAndSizesAreRefused) {
  Vault vault = CreateVault("p");
  EXPECT_EQ(vault.Put("", "x", SecretBytes("s")).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(vault.Put("Private Key", "x", SecretBytes("s")).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(vault.PutWithId("", "pin", "x", SecretBytes("s")).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(vault.PutWithId("a b", "pin", "x", SecretBytes("s")).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(vault.PutWithId(std::string("a\nb"), "pin", "x", SecretBytes("s")).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(vault.Put("pin", "x", SecretBytes(std::string(1024 * 1024 + 1, 'x'))).error().code(), ErrorCode::kLimit);
  EXPECT_TRUE(vault.List()->empty());
}

TEST_F(VaultTest, TwoVaultsOnOneFileBothReadAndSeeEachOthersWrites) {
  Vault first = CreateVault("p");
  std::string id = first.Put("private-key", "k", SecretBytes("shared")).value();
  auto second = Vault::Open(path_, Pass("p"), Params());
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_EQ(first.Get(id)->view(), "shared");
  EXPECT_EQ(second->Get(id)->view(), "shared");
  std::string other = second->Put("pin", "p", SecretBytes("0000")).value();
  EXPECT_EQ(first.Get(other)->view(), "0000");
  EXPECT_EQ(first.List()->size(), 2u);
  EXPECT_EQ(second->List()->size(), 2u);
}

TEST_F(VaultTest, TwoProcessesUseTheVaultAtOnce) {
  std::string id;
  {
    Vault vault = CreateVault("p");
    id = vault.Put("private-key", "k", SecretBytes("shared")).value();
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child reads while the parent writes; any failure shows in the exit code.
    auto vault = Vault::Open(path_, Pass("p"), Params());
    if (!vault) ::_exit(10);
    for (int i = 0; i < 200; ++i) {
      auto secret = vault->Get(id);
      if (!secret || secret->view() != "shared") ::_exit(11);
      if (!vault->List()) ::_exit(12);
    }
    if (!vault->Put("pin", "from child", SecretBytes("c"))) ::_exit(13);
    ::_exit(0);
  }
  auto vault = Vault::Open(path_, Pass("p"), Params());
  ASSERT_TRUE(vault.has_value());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(vault->Put("pin", "from parent", SecretBytes("x")).has_value());
    ASSERT_EQ(vault->Get(id)->view(), "shared");
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(vault->List("pin")->size(), 101u);
}

TEST_F(VaultTest, MovedVaultKeepsWorking) {
  Vault vault = CreateVault("p");
  std::string id = vault.Put("pin", "x", SecretBytes("1")).value();
  Vault moved = std::move(vault);
  EXPECT_EQ(moved.Get(id)->view(), "1");
  EXPECT_EQ(moved.path(), path_);
}

}  // namespace
}  // namespace sealpost::keys

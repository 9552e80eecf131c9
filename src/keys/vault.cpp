// SPDX-License-Identifier: Apache-2.0
// The vault: SQLite for atomic, crash-safe storage; OpenSSL for every byte of secrecy.
#include "keys/vault.h"

#include <openssl/evp.h>

#include <sqlite3.h>
#include <sys/stat.h>

#include <cassert>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <utility>

#include "keys/internal/crypto.h"
#include "sqlite/sqlite_handles.h"
#include "sqlite/statement.h"
#include "sqlite/transaction.h"
#include "keys/internal/vault_file.h"
#include "keys/internal/vault_schema.h"

namespace sealpost::keys {
namespace {

using sqlite::DbPtr;
using sqlite::Statement;

constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kMaxKindSize = 64;
constexpr std::size_t kMaxIdSize = 256;
constexpr std::size_t kMaxLabelSize = 1024;
constexpr std::size_t kMaxMetadataSize = 64 * 1024;
constexpr std::size_t kMaxSecretSize = 1024 * 1024;
constexpr std::size_t kMaxSaltSize = 64;

// The data key wrapped under a passphrase: what the vault_key row stores.
struct WrappedKey {
  std::string salt;
  std::string nonce;
  std::string sealed;
};

void AppendBigEndian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

// Length-prefixed fields, so that no two (id, kind) pairs share an encoding.
void AppendField(std::string& out, std::string_view field) {
  AppendBigEndian(out, field.size(), 4);
  out.append(field);
}

std::string DataKeyAad(const KdfParams& params, std::string_view salt) {
  std::string aad = internal::kDataKeyAadLabel;
  AppendBigEndian(aad, params.n, 8);
  AppendBigEndian(aad, params.r, 4);
  AppendBigEndian(aad, params.p, 4);
  AppendField(aad, salt);
  return aad;
}

std::string ItemAad(std::string_view id, std::string_view kind) {
  std::string aad = internal::kItemAadLabel;
  AppendField(aad, id);
  AppendField(aad, kind);
  return aad;
}

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The checks shared by Create and ChangePassphrase: what a new wrapping may use.
Status CheckNewWrapping(const SecretBytes& passphrase, const KdfParams& params, std::string_view action) {
  if (passphrase.empty())
    return Error(ErrorCode::kInvalidArgument, "cannot " + std::string(action) + ": the passphrase is empty");
  RETURN_IF_ERROR(ValidateKdfParams(params));
  if (IsBelow(params, MinimumKdfParams()))
    return Error(ErrorCode::kPolicy, "cannot " + std::string(action) + " with " + ToString(params) +
                                         ": below the minimum " + ToString(MinimumKdfParams()));
  return Ok();
}

Result<WrappedKey> WrapDataKey(const SecretBytes& data_key, const SecretBytes& passphrase, const KdfParams& params) {
  WrappedKey wrapped;
  ASSIGN_OR_RETURN(wrapped.salt, internal::RandomBytes(internal::kSaltSize));
  ASSIGN_OR_RETURN(wrapped.nonce, internal::RandomBytes(internal::kNonceSize));
  ASSIGN_OR_RETURN(SecretBytes kek, internal::DeriveKey(passphrase, wrapped.salt, params));
  ASSIGN_OR_RETURN(wrapped.sealed,
                   internal::Seal(kek, wrapped.nonce, DataKeyAad(params, wrapped.salt), data_key.view()));
  return wrapped;
}

Status CheckItemFields(std::string_view kind, std::string_view label, const SecretBytes& secret,
                       std::string_view metadata_json) {
  bool kind_ok = !kind.empty() && kind.size() <= kMaxKindSize;
  for (char c : kind)
    kind_ok = kind_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
  if (!kind_ok)
    return Error(ErrorCode::kInvalidArgument, "a vault item kind is 1-64 characters of a-z, 0-9, '.', '_', '-'");
  if (label.size() > kMaxLabelSize) return Error(ErrorCode::kLimit, "a vault item label is at most 1 KiB");
  if (metadata_json.size() > kMaxMetadataSize) return Error(ErrorCode::kLimit, "vault item metadata is at most 64 KiB");
  if (secret.size() > kMaxSecretSize) return Error(ErrorCode::kLimit, "a vault secret is at most 1 MiB");
  return Ok();
}

Status CheckId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxIdSize;
  for (char c : id) ok = ok && c > ' ' && c <= '~';
  // The id itself may be garbage (control characters), so it is not echoed.
  if (!ok)
    return Error(ErrorCode::kInvalidArgument, "a vault item id is 1-256 printable ASCII characters without spaces");
  return Ok();
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

Result<std::string> NewItemId() {
  ASSIGN_OR_RETURN(std::string raw, internal::RandomBytes(16));
  return Hex(raw);
}

Result<DbPtr> OpenConnection(const std::string& file, const std::string& name) {
  sqlite3* raw = nullptr;
  // No SQLITE_OPEN_CREATE: a missing file is an error here, never a fresh database.
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return sqlite::SqliteError(db.get(), rc, name, "opening");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  // The file may be hostile: no triggers, views or schema-defined functions run, and SQL
  // cannot corrupt it on purpose (SQLITE_DBCONFIG_DEFENSIVE).
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
  return db;
}

// Settings that touch no bytes of the file, so they are safe before the file is known to
// be ours. synchronous=FULL: a committed key survives power loss, not only a crash.
// secure_delete: removed items and replaced key wrappings are zeroed, not left in free pages.
Status ConfigureConnection(sqlite3* db, const std::string& name) {
  return sqlite::Exec(db, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;", name, "configuring");
}

Result<std::int64_t> ReadPragma(sqlite3* db, const char* sql, const std::string& name) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db, sql, name));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  std::optional<std::int64_t> value = row ? stmt.Int(0) : std::nullopt;
  if (!value) return Error(ErrorCode::kMalformed, "the vault " + name + " is damaged: its header cannot be read");
  return *value;
}

Status CheckSchemaVersion(sqlite3* db, const std::string& path) {
  ASSIGN_OR_RETURN(std::int64_t app_id, ReadPragma(db, "PRAGMA application_id", path));
  if (app_id != internal::kApplicationId)
    return Error(ErrorCode::kMalformed,
                 path + " is not a Sealpost vault (it is an SQLite database of another application)");
  ASSIGN_OR_RETURN(std::int64_t version, ReadPragma(db, "PRAGMA user_version", path));
  if (version > internal::kSchemaVersion)
    return Error(ErrorCode::kUnsupported, "the vault " + path + " was written by a newer Sealpost (format " +
                                              std::to_string(version) + "); upgrade Sealpost to open it");
  if (version != internal::kSchemaVersion)
    return Error(ErrorCode::kMalformed, "the vault " + path + " is damaged: unknown format " + std::to_string(version));
  return Ok();
}

struct StoredKey {
  KdfParams params;
  WrappedKey wrapped;
};

Result<StoredKey> ReadStoredKey(sqlite3* db, const std::string& path) {
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db,
                                                      "SELECT kdf, kdf_n, kdf_r, kdf_p, salt, nonce, wrapped_key "
                                                      "FROM vault_key WHERE id = 1",
                                                      path));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  Error damaged(ErrorCode::kMalformed, "the vault " + path + " is damaged: its key record is missing or invalid");
  if (!row) return damaged;
  auto kdf = stmt.Text(0);
  auto n = stmt.Int(1);
  auto r = stmt.Int(2);
  auto p = stmt.Int(3);
  auto salt = stmt.Blob(4);
  auto nonce = stmt.Blob(5);
  auto sealed = stmt.Blob(6);
  if (!kdf || !n || !r || !p || !salt || !nonce || !sealed) return damaged;
  if (*kdf != "scrypt")
    return Error(ErrorCode::kUnsupported, "the vault " + path + " uses the key derivation '" + kdf->substr(0, 32) +
                                              "', which this Sealpost does not know");
  if (*n < 0 || *r < 0 || *r > UINT32_MAX || *p < 0 || *p > UINT32_MAX || salt->size() < internal::kSaltSize ||
      salt->size() > kMaxSaltSize || nonce->size() != internal::kNonceSize ||
      sealed->size() != internal::kKeySize + internal::kTagSize)
    return damaged;
  StoredKey key{{static_cast<std::uint64_t>(*n), static_cast<std::uint32_t>(*r), static_cast<std::uint32_t>(*p)},
                {std::move(*salt), std::move(*nonce), std::move(*sealed)}};
  if (!ValidateKdfParams(key.params))
    return Error(ErrorCode::kMalformed, "the vault " + path + " is damaged: its key-derivation parameters (" +
                                            ToString(key.params) + ") are out of range");
  return key;
}

Status WriteNewVault(sqlite3* db, const std::string& name, const KdfParams& params, const WrappedKey& wrapped) {
  RETURN_IF_ERROR(ConfigureConnection(db, name));
  ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db, name));
  RETURN_IF_ERROR(sqlite::Exec(db, internal::kCreateSchemaSql, name, "creating"));
  std::string header = "PRAGMA application_id=" + std::to_string(internal::kApplicationId) +
                       "; PRAGMA user_version=" + std::to_string(internal::kSchemaVersion) + ";";
  RETURN_IF_ERROR(sqlite::Exec(db, header.c_str(), name, "creating"));
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db,
                                      "INSERT INTO vault_key (id, kdf, kdf_n, kdf_r, kdf_p, salt, nonce, wrapped_key) "
                                      "VALUES (1, 'scrypt', ?1, ?2, ?3, ?4, ?5, ?6)",
                                      name));
  RETURN_IF_ERROR(insert.BindInt(1, static_cast<std::int64_t>(params.n)));
  RETURN_IF_ERROR(insert.BindInt(2, params.r));
  RETURN_IF_ERROR(insert.BindInt(3, params.p));
  RETURN_IF_ERROR(insert.BindBlob(4, wrapped.salt));
  RETURN_IF_ERROR(insert.BindBlob(5, wrapped.nonce));
  RETURN_IF_ERROR(insert.BindBlob(6, wrapped.sealed));
  RETURN_IF_ERROR(insert.Run());
  RETURN_IF_ERROR(txn.Commit());
  // WAL: readers never block the writer, and a commit is one append to the -wal file, so a
  // killed writer leaves the last committed state. The mode is stored in the file header.
  ASSIGN_OR_RETURN(Statement wal, Statement::Prepare(db, "PRAGMA journal_mode=WAL", name));
  ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.Text(0) != "wal")
    return Error(ErrorCode::kIo, "cannot switch the new vault " + name + " to WAL mode");
  return Ok();
}

}  // namespace

void Vault::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Vault::Vault(std::string path, DbHandle db, SecretBytes data_key, KdfParams params)
    : path_(std::move(path)), db_(std::move(db)), data_key_(std::move(data_key)), params_(params) {}
Vault::Vault(Vault&& other) noexcept = default;
Vault& Vault::operator=(Vault&& other) noexcept = default;
Vault::~Vault() = default;

bool Vault::Exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

Result<Vault> Vault::Create(const std::string& path, const SecretBytes& passphrase, KdfParams params) {
  if (path.empty()) return Error(ErrorCode::kInvalidArgument, "no vault path given");
  RETURN_IF_ERROR(CheckNewWrapping(passphrase, params, "create a vault"));
  RETURN_IF_ERROR(internal::CheckNothingAt(path));
  RETURN_IF_ERROR(internal::CreatePrivateParent(path));
  ASSIGN_OR_RETURN(SecretBytes data_key, internal::RandomKey());
  ASSIGN_OR_RETURN(WrappedKey wrapped, WrapDataKey(data_key, passphrase, params));

  // Built complete under a temporary name, then linked into place: a crash leaves either
  // no vault or a whole one, and a vault is never half-initialised at `path`.
  ASSIGN_OR_RETURN(std::string temp, internal::MakePrivateTempFile(path));
  struct TempCleanup {
    ~TempCleanup() { internal::RemoveTempFiles(temp); }
    const std::string& temp;
  } cleanup{temp};
  {
    ASSIGN_OR_RETURN(DbPtr db, OpenConnection(temp, path));
    RETURN_IF_ERROR(WriteNewVault(db.get(), path, params, wrapped));
    // The last connection closing checkpoints the WAL into the file and removes it.
    int rc = sqlite3_close(db.get());
    if (rc != SQLITE_OK) return sqlite::SqliteError(db.get(), rc, path, "closing");
    (void)db.release();
  }
  RETURN_IF_ERROR(internal::SyncFile(temp));
  RETURN_IF_ERROR(internal::PublishNoClobber(temp, path));

  ASSIGN_OR_RETURN(DbPtr db, OpenConnection(path, path));
  RETURN_IF_ERROR(ConfigureConnection(db.get(), path));
  return Vault(path, DbHandle(db.release()), std::move(data_key), params);
}

namespace {

struct ExistingVault {
  DbPtr db;
  StoredKey stored;
};

// Opens an existing vault file and reads its key record, refusing parameters below the
// floor, all before any key derivation.
Result<ExistingVault> OpenExisting(const std::string& path, KdfParams floor) {
  if (path.empty()) return Error(ErrorCode::kInvalidArgument, "no vault path given");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error(ErrorCode::kNotFound, "no vault at " + path);
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::kMalformed, path + " is not a Sealpost vault (not a regular file)");
  RETURN_IF_ERROR(internal::SecureExistingVaultFile(path));

  // Nothing is executed before the header says the file is ours, so a foreign or damaged
  // file is never written, journalled or given -wal/-shm companions.
  ASSIGN_OR_RETURN(DbPtr db, OpenConnection(path, path));
  RETURN_IF_ERROR(internal::CheckVaultHeader(db.get(), path));
  RETURN_IF_ERROR(ConfigureConnection(db.get(), path));
  RETURN_IF_ERROR(CheckSchemaVersion(db.get(), path));
  ASSIGN_OR_RETURN(StoredKey stored, ReadStoredKey(db.get(), path));

  // Before any scrypt work: a downgraded file must not make us test passphrases cheaply.
  KdfParams effective_floor = Stricter(floor, MinimumKdfParams());
  if (IsBelow(stored.params, effective_floor))
    return Error(ErrorCode::kPolicy,
                 "the vault's key-derivation parameters are below the policy floor; it may have been tampered with (" +
                     path + " has " + ToString(stored.params) + ", the floor is " + ToString(effective_floor) + ")");
  return ExistingVault{std::move(db), std::move(stored)};
}

// The data key, unwrapped with `kek`; `wrong` is the message when the KEK does not fit.
Result<SecretBytes> UnwrapDataKey(const SecretBytes& kek, const StoredKey& stored, const std::string& wrong) {
  auto data_key = internal::Unseal(kek, stored.wrapped.nonce, DataKeyAad(stored.params, stored.wrapped.salt),
                                   stored.wrapped.sealed);
  if (!data_key && data_key.error().code() == ErrorCode::kIntegrity) return Error(ErrorCode::kBadPassword, wrong);
  return data_key;
}

}  // namespace

Result<Vault> Vault::Open(const std::string& path, const SecretBytes& passphrase, KdfParams floor) {
  ASSIGN_OR_RETURN(ExistingVault vault, OpenExisting(path, floor));
  ASSIGN_OR_RETURN(SecretBytes kek, internal::DeriveKey(passphrase, vault.stored.wrapped.salt, vault.stored.params));
  ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapDataKey(kek, vault.stored, "wrong passphrase for the vault " + path));
  return Vault(path, DbHandle(vault.db.release()), std::move(data_key), vault.stored.params);
}

Result<SecretBytes> Vault::DeriveUnlockKey(const std::string& path, const SecretBytes& passphrase, KdfParams floor) {
  ASSIGN_OR_RETURN(ExistingVault vault, OpenExisting(path, floor));
  ASSIGN_OR_RETURN(SecretBytes kek, internal::DeriveKey(passphrase, vault.stored.wrapped.salt, vault.stored.params));
  // Checked before it is handed out: a wrong passphrase is never cached.
  ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapDataKey(kek, vault.stored, "wrong passphrase for the vault " + path));
  return kek;
}

namespace {

// The unlock key's name for the vault at `path` whose key record carries `salt`.
Result<std::string> UnlockKeyNameFor(const std::string& path, const std::string& salt) {
  std::error_code ec;
  const std::string real = std::filesystem::canonical(path, ec).string();
  if (ec) return Error(ErrorCode::kIo, "cannot resolve " + path + ": " + ec.message());
  std::string input = real;
  input.push_back('\0');
  input += salt;
  unsigned char digest[32];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    return Error(ErrorCode::kInternal, "cannot hash the vault's name");
  return "sealpost:vault:" + Hex(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

}  // namespace

Result<Vault> Vault::OpenWithUnlockKey(const std::string& path, const SecretBytes& unlock_key, KdfParams floor) {
  ASSIGN_OR_RETURN(ExistingVault vault, OpenExisting(path, floor));
  ASSIGN_OR_RETURN(SecretBytes data_key,
                   UnwrapDataKey(unlock_key, vault.stored, "the cached unlock key does not open the vault " + path));
  return Vault(path, DbHandle(vault.db.release()), std::move(data_key), vault.stored.params);
}

Result<std::string> Vault::UnlockKeyName(const std::string& path) {
  ASSIGN_OR_RETURN(ExistingVault vault, OpenExisting(path, MinimumKdfParams()));
  return UnlockKeyNameFor(path, vault.stored.wrapped.salt);
}

Result<Vault> Vault::OpenWithCachedUnlockKey(
    const std::string& path, const std::function<std::optional<SecretBytes>(const std::string& name)>& find,
    KdfParams floor) {
  ASSIGN_OR_RETURN(ExistingVault vault, OpenExisting(path, floor));
  ASSIGN_OR_RETURN(std::string name, UnlockKeyNameFor(path, vault.stored.wrapped.salt));
  std::optional<SecretBytes> unlock_key = find(name);
  if (!unlock_key) return Error(ErrorCode::kNotFound, "no unlock key is cached for the vault " + path);
  ASSIGN_OR_RETURN(SecretBytes data_key,
                   UnwrapDataKey(*unlock_key, vault.stored, "the cached unlock key does not open the vault " + path));
  return Vault(path, DbHandle(vault.db.release()), std::move(data_key), vault.stored.params);
}

Result<std::string> Vault::Put(std::string_view kind, std::string_view label, const SecretBytes& secret,
                               std::string_view metadata_json) {
  ASSIGN_OR_RETURN(std::string id, NewItemId());
  RETURN_IF_ERROR(Store(id, kind, label, secret, metadata_json, /*replace=*/false));
  return id;
}

Status Vault::PutWithId(std::string_view id, std::string_view kind, std::string_view label, const SecretBytes& secret,
                        std::string_view metadata_json) {
  RETURN_IF_ERROR(CheckId(id));
  return Store(id, kind, label, secret, metadata_json, /*replace=*/true);
}

Status Vault::Store(std::string_view id, std::string_view kind, std::string_view label, const SecretBytes& secret,
                    std::string_view metadata_json, bool replace) {
  assert(db_);
  RETURN_IF_ERROR(CheckItemFields(kind, label, secret, metadata_json));
  ASSIGN_OR_RETURN(std::string nonce, internal::RandomBytes(internal::kNonceSize));
  ASSIGN_OR_RETURN(std::string sealed, internal::Seal(data_key_, nonce, ItemAad(id, kind), secret.view()));
  // One statement, so one atomic commit; an upsert replaces the row in place.
  std::string sql =
      "INSERT INTO items (id, kind, label, metadata_json, created, nonce, ciphertext) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  if (replace)
    sql +=
        " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, label = excluded.label, "
        "metadata_json = excluded.metadata_json, created = excluded.created, nonce = excluded.nonce, "
        "ciphertext = excluded.ciphertext";
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_.get(), sql, path_));
  RETURN_IF_ERROR(stmt.BindText(1, id));
  RETURN_IF_ERROR(stmt.BindText(2, kind));
  RETURN_IF_ERROR(stmt.BindText(3, label));
  RETURN_IF_ERROR(stmt.BindText(4, metadata_json));
  RETURN_IF_ERROR(stmt.BindInt(5, NowSeconds()));
  RETURN_IF_ERROR(stmt.BindBlob(6, nonce));
  RETURN_IF_ERROR(stmt.BindBlob(7, sealed));
  return stmt.Run();
}

Result<SecretBytes> Vault::Get(std::string_view id) const {
  assert(db_);
  ASSIGN_OR_RETURN(Statement stmt,
                   Statement::Prepare(db_.get(), "SELECT kind, nonce, ciphertext FROM items WHERE id = ?1", path_));
  RETURN_IF_ERROR(stmt.BindText(1, id));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Error(ErrorCode::kNotFound, "no item " + std::string(id) + " in the vault " + path_);
  auto kind = stmt.Text(0);
  auto nonce = stmt.Blob(1);
  auto sealed = stmt.Blob(2);
  Error damaged(ErrorCode::kIntegrity, "the vault item " + std::string(id) + " in " + path_ +
                                           " failed its integrity check; the vault is damaged or was tampered with");
  if (!kind || !nonce || !sealed || nonce->size() != internal::kNonceSize) return damaged;
  auto secret = internal::Unseal(data_key_, *nonce, ItemAad(id, *kind), *sealed);
  if (!secret && secret.error().code() == ErrorCode::kIntegrity) return damaged;
  return secret;
}

Result<std::vector<VaultItem>> Vault::List(std::string_view kind) const {
  assert(db_);
  std::string sql = "SELECT id, kind, label, metadata_json, created FROM items";
  if (!kind.empty()) sql += " WHERE kind = ?1";
  sql += " ORDER BY created, id";
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_.get(), sql, path_));
  if (!kind.empty()) RETURN_IF_ERROR(stmt.BindText(1, kind));
  std::vector<VaultItem> items;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    auto id = stmt.Text(0);
    auto item_kind = stmt.Text(1);
    auto label = stmt.Text(2);
    auto metadata = stmt.Text(3);
    auto created = stmt.Int(4);
    // STRICT tables make this unreachable unless the file was edited behind our back.
    if (!id || !item_kind || !label || !metadata || !created)
      return Error(ErrorCode::kMalformed, "the vault " + path_ + " is damaged: an item row has the wrong types");
    items.push_back({std::move(*id), std::move(*item_kind), std::move(*label), std::move(*metadata), *created});
  }
  return items;
}

Status Vault::Remove(std::string_view id) {
  assert(db_);
  ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_.get(), "DELETE FROM items WHERE id = ?1", path_));
  RETURN_IF_ERROR(stmt.BindText(1, id));
  RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_.get()) == 0)
    return Error(ErrorCode::kNotFound, "no item " + std::string(id) + " in the vault " + path_);
  return Ok();
}

Status Vault::ChangePassphrase(const SecretBytes& new_passphrase, KdfParams params) {
  assert(db_);
  RETURN_IF_ERROR(CheckNewWrapping(new_passphrase, params, "change the vault passphrase"));
  // scrypt runs before the write lock is taken, so other processes are not held up by it.
  ASSIGN_OR_RETURN(WrappedKey wrapped, WrapDataKey(data_key_, new_passphrase, params));
  {
    ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db_.get(), path_));
    ASSIGN_OR_RETURN(Statement update, Statement::Prepare(db_.get(),
                                                          "UPDATE vault_key SET kdf = 'scrypt', kdf_n = ?1, "
                                                          "kdf_r = ?2, kdf_p = ?3, salt = ?4, nonce = ?5, "
                                                          "wrapped_key = ?6 WHERE id = 1",
                                                          path_));
    RETURN_IF_ERROR(update.BindInt(1, static_cast<std::int64_t>(params.n)));
    RETURN_IF_ERROR(update.BindInt(2, params.r));
    RETURN_IF_ERROR(update.BindInt(3, params.p));
    RETURN_IF_ERROR(update.BindBlob(4, wrapped.salt));
    RETURN_IF_ERROR(update.BindBlob(5, wrapped.nonce));
    RETURN_IF_ERROR(update.BindBlob(6, wrapped.sealed));
    RETURN_IF_ERROR(update.Run());
    if (sqlite3_changes(db_.get()) != 1)
      return Error(ErrorCode::kMalformed, "the vault " + path_ + " is damaged: its key record is missing");
    RETURN_IF_ERROR(txn.Commit());
  }
  params_ = params;
  // Best effort: move the commit into the main file and empty the -wal, so the wrapping
  // under the old passphrase does not linger there. Busy readers may keep it until later.
  sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return Ok();
}

}  // namespace sealpost::keys

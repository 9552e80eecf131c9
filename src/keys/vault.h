// SPDX-License-Identifier: Apache-2.0
// Vault: the profile's SQLite file of secrets, each encrypted at rest with AES-256-GCM.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secret_bytes.h"
#include "keys/kdf_params.h"
#include "keys/vault_item.h"

struct sqlite3;

namespace sealpost::keys {

// Key hierarchy: passphrase --scrypt(params, salt)--> KEK --AES-256-GCM--> random 32-byte
// data key --AES-256-GCM, fresh 12-byte nonce, AAD = (id, kind)--> each item. Only
// ciphertext, nonces, salt and public metadata reach the file.
//
// Move-only; a moved-from Vault may only be destroyed or assigned to. One Vault must not
// be used from two threads at once; separate Vaults (threads or processes) on the same
// file may, and writers wait for each other (busy timeout 5 s).
class Vault final {
 public:
  // True if something exists at `path` (it may still not be a vault).
  static bool Exists(const std::string& path);

  // Creates a new vault. Missing parent directories are created with mode 0700; the file
  // gets 0600 and is complete before it appears at `path`. Fails with kInvalidArgument if
  // anything exists at `path` (never overwrites) or the passphrase is empty, kPolicy if
  // `params` are below MinimumKdfParams(), kIo on file-system errors.
  static Result<Vault> Create(const std::string& path, const SecretBytes& passphrase,
                              KdfParams params = DefaultKdfParams());

  // Opens and unlocks an existing vault. `floor` is raised to at least MinimumKdfParams().
  // kNotFound: no file; kMalformed: not a Sealpost vault or damaged (the file is left
  // untouched); kPolicy: stored parameters below the floor (checked before any work);
  // kBadPassword: "wrong passphrase for the vault <path>"; kUnsupported: newer schema.
  static Result<Vault> Open(const std::string& path, const SecretBytes& passphrase,
                            KdfParams floor = MinimumKdfParams());

  // The vault's unlock key: what the passphrase derives (scrypt), checked against this
  // vault, to be cached for a while (keys/session_keyring.h). Errors as Open.
  static Result<SecretBytes> DeriveUnlockKey(const std::string& path, const SecretBytes& passphrase,
                                             KdfParams floor = MinimumKdfParams());
  // Opens with a cached unlock key instead of the passphrase: no scrypt. kBadPassword when
  // the key no longer opens the vault.
  static Result<Vault> OpenWithUnlockKey(const std::string& path, const SecretBytes& unlock_key,
                                         KdfParams floor = MinimumKdfParams());
  // The name an unlock key of this vault is cached under: bound to the file's real path and
  // its current salt, so another vault, or this one after a passphrase change, never
  // finds a key that is not its own.
  static Result<std::string> UnlockKeyName(const std::string& path);
  // OpenWithUnlockKey with the key `find` returns for this vault's UnlockKeyName, reading
  // the vault file once for both; kNotFound when `find` has none.
  static Result<Vault> OpenWithCachedUnlockKey(
      const std::string& path, const std::function<std::optional<SecretBytes>(const std::string& name)>& find,
      KdfParams floor = MinimumKdfParams());

  Vault(Vault&& other) noexcept;
  Vault& operator=(Vault&& other) noexcept;
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;
  ~Vault();

  // Stores `secret` under a new random id and returns the id. `kind`: 1-64 characters of
  // [a-z0-9._-]; `label` up to 1 KiB; `metadata_json` up to 64 KiB; secret up to 1 MiB.
  Result<std::string> Put(std::string_view kind, std::string_view label, const SecretBytes& secret,
                          std::string_view metadata_json = "{}");

  // Stores `secret` under the caller's `id` (1-256 printable ASCII characters, e.g. a
  // certificate fingerprint), atomically replacing any item with that id.
  Status PutWithId(std::string_view id, std::string_view kind, std::string_view label, const SecretBytes& secret,
                   std::string_view metadata_json = "{}");

  // The decrypted secret. kNotFound: no such id; kIntegrity: the stored ciphertext does
  // not authenticate (damaged or tampered file), and nothing is released.
  Result<SecretBytes> Get(std::string_view id) const;

  // Items (without secrets) of `kind`, or of every kind if empty, oldest first.
  Result<std::vector<VaultItem>> List(std::string_view kind = {}) const;

  // Deletes the item (its bytes are zeroed in the file: secure_delete). kNotFound if absent.
  Status Remove(std::string_view id);

  // Re-wraps the data key under `new_passphrase` with a fresh salt and `params`, in one
  // transaction: after a crash the vault opens with the old passphrase or the new one.
  // Items are not re-encrypted. Same argument checks as Create.
  Status ChangePassphrase(const SecretBytes& new_passphrase, KdfParams params = DefaultKdfParams());

  const std::string& path() const { return path_; }
  KdfParams params() const { return params_; }

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

  Vault(std::string path, DbHandle db, SecretBytes data_key, KdfParams params);
  Status Store(std::string_view id, std::string_view kind, std::string_view label, const SecretBytes& secret,
               std::string_view metadata_json, bool replace);

  std::string path_;
  DbHandle db_;
  SecretBytes data_key_;
  KdfParams params_;
};

}  // namespace sealpost::keys

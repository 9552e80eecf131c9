// SPDX-License-Identifier: Apache-2.0
// The vault's on-disk format: SQLite header markers, tables and AAD labels (version 1).
#pragma once

#include <cstdint>

namespace sealpost::keys::internal {

// PRAGMA application_id: "SPKV" (Sealpost Key Vault). Other Sealpost databases need their
// own id so that one is never mistaken for another.
inline constexpr std::int32_t kApplicationId = 0x53504B56;
// PRAGMA user_version. Bump with a migration; Open refuses newer versions.
inline constexpr std::int64_t kSchemaVersion = 1;

// One row holding the wrapped data key; CHECK keeps it one. STRICT rejects wrong types.
inline constexpr const char* kCreateSchemaSql = R"sql(
CREATE TABLE vault_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kdf TEXT NOT NULL,
  kdf_n INTEGER NOT NULL,
  kdf_r INTEGER NOT NULL,
  kdf_p INTEGER NOT NULL,
  salt BLOB NOT NULL,
  nonce BLOB NOT NULL,
  wrapped_key BLOB NOT NULL
) STRICT;
CREATE TABLE items (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  created INTEGER NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL
) STRICT;
CREATE INDEX items_by_kind ON items (kind, created);
)sql";

// Domain-separation labels at the start of each AAD.
inline constexpr const char* kDataKeyAadLabel = "sealpost-vault-v1/data-key";
inline constexpr const char* kItemAadLabel = "sealpost-vault-v1/item";

}  // namespace sealpost::keys::internal

// SPDX-License-Identifier: Apache-2.0
// VaultItem: what the vault says about a stored secret without decrypting it.
#pragma once

#include <cstdint>
#include <string>

namespace sealpost::keys {

struct VaultItem {
  std::string id;             // random hex from Put, or the caller's id from PutWithId
  std::string kind;           // e.g. "private-key", "pkcs11-pin"; part of the item's AAD
  std::string label;          // for people; not secret, not authenticated
  std::string metadata_json;  // the caller's JSON text, stored verbatim; not secret
  std::int64_t created = 0;   // Unix seconds of the last Put/PutWithId
};

}  // namespace sealpost::keys

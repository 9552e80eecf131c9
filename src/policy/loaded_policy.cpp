// SPDX-License-Identifier: Apache-2.0
// Lookups on the loaded policy and the "may the user change this key" rule.
#include "policy/loaded_policy.h"

namespace sealpost::policy {

std::string_view OriginName(Origin origin) {
  switch (origin) {
    case Origin::kDefault:
      return "default";
    case Origin::kProfile:
      return "profile";
    case Origin::kAdministrator:
      return "administrator";
  }
  return "unknown";
}

const PolicyEntry* LoadedPolicy::Find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

Status LoadedPolicy::CheckUserMayChange(std::string_view key) const {
  const PolicyEntry* entry = Find(key);
  if (entry == nullptr || !admin_path_) return Ok();
  if (entry->locked) {
    return Error(ErrorCode::kPolicy, "'" + entry->key + "' is locked by the administrator's policy " + *admin_path_ +
                                         "; ask your administrator to change it");
  }
  if (entry->origin == Origin::kAdministrator) {
    return Error(ErrorCode::kPolicy, "'" + entry->key + "' is set by the administrator's policy " + entry->source_path +
                                         ":" + std::to_string(entry->source_line) +
                                         ", which overrides the profile; ask your administrator to change it");
  }
  return Ok();
}

}  // namespace sealpost::policy

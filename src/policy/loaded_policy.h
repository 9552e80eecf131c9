// SPDX-License-Identifier: Apache-2.0
// LoadedPolicy: the effective policy plus, for every key, where its value came from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy.h"
#include "policy/policy_schema.h"

namespace sealpost::policy {

// Where a key's effective value came from.
enum class Origin { kDefault, kProfile, kAdministrator };

// "default", "profile", "administrator" (stable: `policy show --json` prints it).
std::string_view OriginName(Origin origin);

// One row of `policy show`.
struct PolicyEntry {
  std::string key;
  PolicyValue value;
  std::string value_text;  // FormatPolicyValue(value)
  Origin origin = Origin::kDefault;
  // Listed in the administrator's `locked`: the user can't change it.
  bool locked = false;
  std::string source_path;  // the file the value came from; empty for kDefault
  int source_line = 0;      // its line in that file; 0 for kDefault
};

// The result of LoadPolicy. A plain value: copyable, immutable after construction.
class LoadedPolicy final {
 public:
  // `entries` has one entry per PolicySchema() key, in schema order, describing `policy`.
  LoadedPolicy(Policy policy, std::vector<PolicyEntry> entries, std::string profile_path,
               std::optional<std::string> admin_path)
      : policy_(std::move(policy)),
        entries_(std::move(entries)),
        profile_path_(std::move(profile_path)),
        admin_path_(std::move(admin_path)) {}

  const Policy& policy() const { return policy_; }
  // Every key in schema order, for `policy show`.
  const std::vector<PolicyEntry>& Entries() const { return entries_; }
  // The entry for `key`, or nullptr for an unknown key.
  const PolicyEntry* Find(std::string_view key) const;

  // Ok when the user may change `key` (in the profile's policy.toml or its settings).
  // kPolicy naming the administrator's file when that file locks the key or sets it (a
  // value it sets overrides the profile, so a profile value would silently do nothing).
  // Keys that are not policy keys are never locked.
  Status CheckUserMayChange(std::string_view key) const;

  const std::string& profile_path() const { return profile_path_; }
  // The administrator's file that was applied, if any.
  const std::optional<std::string>& admin_path() const { return admin_path_; }

 private:
  Policy policy_;
  std::vector<PolicyEntry> entries_;
  std::string profile_path_;
  std::optional<std::string> admin_path_;
};

}  // namespace sealpost::policy

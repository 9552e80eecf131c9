// SPDX-License-Identifier: Apache-2.0
// Merging defaults, the profile's policy.toml and the administrator's file; writing `policy set`.
#include "policy/policy_loader.h"

#include <sys/stat.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "core/file_io.h"
#include "policy/internal/policy_file.h"

namespace sealpost::policy {
namespace {

using internal::PolicyFile;
using internal::PolicyFileEntry;
using internal::PolicyFileKind;

void Apply(const PolicyFileEntry& entry, Origin origin, const std::string& path, Policy& policy, PolicyEntry& row) {
  // Cannot fail: ParsePolicyFile already ran the same check on the same value.
  [[maybe_unused]] Status st = entry.spec->set(entry.value, policy);
  assert(st.has_value());
  row.value = entry.value;
  row.origin = origin;
  row.source_path = path;
  row.source_line = entry.line;
}

std::string RenderProfileFile(const std::map<std::string, PolicyValue>& values) {
  std::string text =
      "# Sealpost profile policy, written by `sealpost policy set`.\n"
      "# The administrator's policy file overrides any key it sets or locks.\n";
  for (const auto& spec : PolicySchema()) {  // schema order keeps diffs of this file small
    auto it = values.find(spec.name);
    if (it != values.end()) text += spec.name + " = " + FormatPolicyValueAsToml(it->second) + "\n";
  }
  return text;
}

}  // namespace

std::optional<std::string> ResolveAdminPolicyPath(const std::optional<std::string>& flag) {
  return ResolveAdminPolicyPath(flag, std::getenv("SEALPOST_POLICY"), std::string(kSystemPolicyPath));
}

std::optional<std::string> ResolveAdminPolicyPath(const std::optional<std::string>& flag, const char* env_value,
                                                  const std::string& system_path) {
  if (flag) return flag;
  if (env_value != nullptr && *env_value != '\0') return std::string(env_value);
  // Only "does not exist" means no policy; any other failure (e.g. EACCES) is returned so
  // that loading reports it rather than running without the administrator's rules.
  struct stat st {};
  if (::stat(system_path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) return std::nullopt;
  return system_path;
}

Result<LoadedPolicy> LoadPolicy(const std::string& profile_policy_path, const std::optional<std::string>& admin_path) {
  PolicyFile admin;
  if (admin_path) {
    ASSIGN_OR_RETURN(admin, internal::ReadPolicyFile(*admin_path, PolicyFileKind::kAdministrator));
  }
  PolicyFile profile;
  if (!profile_policy_path.empty()) {
    ASSIGN_OR_RETURN(profile, internal::ReadPolicyFile(profile_policy_path, PolicyFileKind::kProfile));
  }

  Policy policy = DefaultPolicy();
  std::map<std::string, PolicyEntry> rows;
  for (const auto& spec : PolicySchema()) rows[spec.name] = PolicyEntry{.key = spec.name, .value = spec.get(policy)};
  for (const auto& lock : admin.locked) rows[lock.spec->name].locked = true;

  // Precedence lives here and only here: profile first, then the administrator on top.
  for (const auto& entry : profile.entries) {
    PolicyEntry& row = rows[entry.spec->name];
    // A locked key the administrator leaves unset stays at its default.
    if (!row.locked) Apply(entry, Origin::kProfile, profile_policy_path, policy, row);
  }
  for (const auto& entry : admin.entries) {
    Apply(entry, Origin::kAdministrator, *admin_path, policy, rows[entry.spec->name]);
  }

  std::vector<PolicyEntry> entries;
  for (const auto& spec : PolicySchema()) {
    PolicyEntry& row = rows[spec.name];
    row.value_text = FormatPolicyValue(row.value);
    entries.push_back(std::move(row));
  }
  return LoadedPolicy(std::move(policy), std::move(entries), profile_policy_path, admin_path);
}

Status SetProfilePolicy(std::span<const std::string> assignments, const LoadedPolicy& current) {
  const std::string& path = current.profile_path();
  if (path.empty()) return Error(ErrorCode::kInvalidArgument, "no profile policy file to write");
  if (assignments.empty()) return Error(ErrorCode::kInvalidArgument, "policy set needs at least one KEY=VALUE");

  // Check everything before touching the file: all or nothing.
  std::map<std::string, PolicyValue> changes;
  Policy scratch = current.policy();
  for (const std::string& assignment : assignments) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Error(ErrorCode::kInvalidArgument, "expected KEY=VALUE, got '" + assignment + "'");
    }
    std::string key = assignment.substr(0, equals);
    const PolicyKeySpec* spec = FindPolicyKey(key);
    if (spec == nullptr) return UnknownPolicyKeyError(key);
    RETURN_IF_ERROR(current.CheckUserMayChange(key));
    ASSIGN_OR_RETURN(PolicyValue value, ParsePolicyText(*spec, std::string_view(assignment).substr(equals + 1)));
    RETURN_IF_ERROR(spec->set(value, scratch));
    changes[key] = std::move(value);
  }

  // Re-read the file rather than trusting `current`, so that keys it sets are kept exactly.
  ASSIGN_OR_RETURN(PolicyFile existing, internal::ReadPolicyFile(path, PolicyFileKind::kProfile));
  std::map<std::string, PolicyValue> values;
  for (auto& entry : existing.entries) values[entry.spec->name] = std::move(entry.value);
  for (auto& [key, value] : changes) values[key] = std::move(value);
  return WriteFileAtomically(path, RenderProfileFile(values), 0644);
}

}  // namespace sealpost::policy

// SPDX-License-Identifier: Apache-2.0
// Loading the effective policy (defaults < profile's policy.toml < administrator's file) and
// `policy set`, which writes the profile's file.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "policy/loaded_policy.h"

namespace sealpost::policy {

// Where an administrator's policy lives when neither --policy nor $SEALPOST_POLICY names one.
inline constexpr std::string_view kSystemPolicyPath = "/etc/sealpost/policy.toml";

// The administrator's policy file: `flag` (--policy FILE), else $SEALPOST_POLICY when set
// and non-empty, else kSystemPolicyPath if it exists, else none. A named file is returned
// even if missing, so that LoadPolicy reports it instead of silently running without it.
// Reads the environment; not thread-safe against setenv.
std::optional<std::string> ResolveAdminPolicyPath(const std::optional<std::string>& flag);

// The same with the environment value and system path passed in (tests; null = unset).
std::optional<std::string> ResolveAdminPolicyPath(const std::optional<std::string>& flag, const char* env_value,
                                                  const std::string& system_path);

// Loads the effective policy. Each key takes the first of: the administrator's value; the
// default when the administrator locks it; the profile's value; the default. A missing
// `profile_policy_path` means defaults; a missing `admin_path` is kNotFound. Unknown keys
// and bad values fail with "file:line: ..." (kInvalidArgument; kMalformed when not TOML).
Result<LoadedPolicy> LoadPolicy(const std::string& profile_policy_path, const std::optional<std::string>& admin_path);

// `policy set KEY=VALUE...`: checks every assignment, then rewrites the profile's policy.toml
// (current.profile_path()) atomically with mode 0644, keeping the keys it already sets.
// All or nothing. Fails with kInvalidArgument (not KEY=VALUE, unknown key, bad value),
// kPolicy naming the administrator's file (a key it locks or sets), or the file's errors.
Status SetProfilePolicy(std::span<const std::string> assignments, const LoadedPolicy& current);

}  // namespace sealpost::policy

// SPDX-License-Identifier: Apache-2.0
// Reading one policy.toml (profile or administrator) into checked values; the only toml11 user.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy_schema.h"

namespace sealpost::policy::internal {

enum class PolicyFileKind { kProfile, kAdministrator };

// A key the file sets, with a value PolicyKeySpec::set accepted.
struct PolicyFileEntry {
  const PolicyKeySpec* spec = nullptr;  // points into PolicySchema(), which lives forever
  PolicyValue value;
  int line = 0;
};

// A key named in the administrator's `locked` array.
struct PolicyFileLock {
  const PolicyKeySpec* spec = nullptr;
  int line = 0;
};

struct PolicyFile {
  std::vector<PolicyFileEntry> entries;  // in file order
  std::vector<PolicyFileLock> locked;    // always empty for a profile
};

// Parses TOML `text` read from `path` and checks it against the schema. Top-level keys only;
// `locked = ["key", ...]` only in an administrator's file. Every failure names "path:line":
// kMalformed when the text is not TOML, kInvalidArgument for an unknown key, a value of the
// wrong type or out of range, or `locked` in a profile. Error::detail() holds toml11's
// excerpt of the offending line. Never throws.
Result<PolicyFile> ParsePolicyFile(std::string_view text, const std::string& path, PolicyFileKind kind);

// Reads `path` and parses it. A missing profile file is an empty PolicyFile (defaults);
// a missing administrator's file is kNotFound, since someone named it explicitly.
Result<PolicyFile> ReadPolicyFile(const std::string& path, PolicyFileKind kind);

}  // namespace sealpost::policy::internal

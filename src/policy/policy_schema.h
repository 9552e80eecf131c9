// SPDX-License-Identifier: Apache-2.0
// The table of policy keys: the one place a key's name, type, allowed values and field are defined.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "policy/policy.h"

namespace sealpost::policy {

// A key's value as read from TOML or the command line; enums are their names.
using PolicyValue = std::variant<bool, std::int64_t, std::string>;

enum class PolicyValueType { kBool, kInteger, kEnum, kString };

struct PolicyKeySpec {
  std::string name;  // snake_case, as written in policy.toml
  PolicyValueType type = PolicyValueType::kString;
  std::vector<std::string> choices;  // kEnum: the allowed names
  std::int64_t min = 0;              // kInteger: inclusive range
  std::int64_t max = 0;
  std::string description;  // one line, for `policy show` and errors
  // Reads the key's field.
  std::function<PolicyValue(const Policy&)> get;
  // Checks `value` (type, choices, range, key-specific rules) and stores it in the key's
  // field. Fails with kInvalidArgument naming the key and the value; then `policy` is unchanged.
  std::function<Status(const PolicyValue&, Policy&)> set;
};

// Every key, in the order `policy show` lists them. Built once; thread-safe to read.
std::span<const PolicyKeySpec> PolicySchema();

// The key named `name`, or nullptr.
const PolicyKeySpec* FindPolicyKey(std::string_view name);

// kInvalidArgument "unknown policy key 'x'", with a "did you mean" when a key is close.
Error UnknownPolicyKeyError(std::string_view name);

// What the key accepts, for messages: "true or false", "one of off, soft-fail, hard-fail", ...
std::string ExpectedValueText(const PolicyKeySpec& spec);

// Parses command-line text (`policy set KEY=VALUE`) as the key's type: true/false, a decimal
// integer, or the text itself. Does not check choices or ranges (`set` does).
Result<PolicyValue> ParsePolicyText(const PolicyKeySpec& spec, std::string_view text);

// The value as `policy show` prints it: true/false, decimal, or the string itself.
std::string FormatPolicyValue(const PolicyValue& value);

// The value as a TOML literal (strings quoted and escaped), for writing policy.toml.
std::string FormatPolicyValueAsToml(const PolicyValue& value);

}  // namespace sealpost::policy

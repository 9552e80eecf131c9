// SPDX-License-Identifier: Apache-2.0
// The toml11 boundary: parse, turn toml11's exceptions into Errors, check keys and values.
#include "policy/internal/policy_file.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <sstream>
#include <toml.hpp>
#include <utility>

#include "core/file_io.h"

namespace sealpost::policy::internal {
namespace {

constexpr std::string_view kLockedKey = "locked";

std::string Where(const std::string& path, const toml::value& value) {
  return path + ":" + std::to_string(value.location().line());
}

Error AtValue(ErrorCode code, const std::string& path, const toml::value& value, const std::string& message) {
  return Error(code, Where(path, value) + ": " + message, toml::format_error(message, value, "here"));
}

std::string TomlTypeName(toml::value_t type) {
  switch (type) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a float";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// toml::value -> PolicyValue for the three TOML types a policy uses; nullopt for the rest.
std::optional<PolicyValue> ToPolicyValue(const toml::value& value) {
  switch (value.type()) {
    case toml::value_t::boolean:
      return PolicyValue(value.as_boolean());
    case toml::value_t::integer:
      return PolicyValue(static_cast<std::int64_t>(value.as_integer()));
    case toml::value_t::string:
      return PolicyValue(value.as_string().str);
    default:
      return std::nullopt;
  }
}

// One line from toml11's syntax error: "[error] toml::parse_boolean: \n --> f\n ... ^--- the
// next token is not a boolean" becomes "the next token is not a boolean".
std::string SyntaxSummary(const std::string& what) {
  std::string summary = what.substr(0, what.find('\n'));
  if (summary.rfind("[error] ", 0) == 0) summary.erase(0, 8);
  if (summary.rfind("toml::", 0) == 0) {
    size_t colon = summary.find(": ");
    summary.erase(0, colon == std::string::npos ? summary.size() : colon + 2);
  }
  while (!summary.empty() && summary.back() == ' ') summary.pop_back();
  if (!summary.empty()) return summary;
  // Some messages keep their words in the excerpt's marker line instead.
  size_t marker = what.find("^--- ");
  if (marker != std::string::npos) return what.substr(marker + 5, what.find('\n', marker) - marker - 5);
  return "syntax error";
}

Result<std::vector<PolicyFileLock>> ParseLocked(const toml::value& value, const std::string& path) {
  const std::string expected = "locked must be an array of policy key names, like [\"revocation\"]";
  if (!value.is_array()) return AtValue(ErrorCode::kInvalidArgument, path, value, expected);
  std::vector<PolicyFileLock> locked;
  for (const toml::value& item : value.as_array()) {
    if (!item.is_string()) return AtValue(ErrorCode::kInvalidArgument, path, item, expected);
    const std::string& name = item.as_string().str;
    const PolicyKeySpec* spec = FindPolicyKey(name);
    // A misspelt lock would silently leave the key open: refuse it.
    if (spec == nullptr) {
      return AtValue(ErrorCode::kInvalidArgument, path, item, "locked: " + UnknownPolicyKeyError(name).message());
    }
    locked.push_back({spec, static_cast<int>(item.location().line())});
  }
  return locked;
}

Result<PolicyFile> CheckDocument(const toml::value& document, const std::string& path, PolicyFileKind kind) {
  // toml11 keeps tables unordered; report the first problem in file order.
  std::vector<std::pair<std::string, const toml::value*>> keys;
  for (const auto& [name, value] : document.as_table()) keys.emplace_back(name, &value);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    auto la = a.second->location(), lb = b.second->location();
    return std::pair(la.line(), la.column()) < std::pair(lb.line(), lb.column());
  });

  PolicyFile file;
  Policy scratch;  // values are checked by setting them on a throwaway policy
  for (const auto& [name, value] : keys) {
    if (name == kLockedKey) {
      if (kind == PolicyFileKind::kProfile) {
        return AtValue(ErrorCode::kInvalidArgument, path, *value,
                       "only the administrator's policy file may lock keys; remove 'locked' from the profile's file");
      }
      ASSIGN_OR_RETURN(file.locked, ParseLocked(*value, path));
      continue;
    }
    const PolicyKeySpec* spec = FindPolicyKey(name);
    if (spec == nullptr) {
      std::string message = UnknownPolicyKeyError(name).message();
      if (value->is_table()) message += "; policy keys are top-level, without [sections]";
      return AtValue(ErrorCode::kInvalidArgument, path, *value, message);
    }
    std::optional<PolicyValue> converted = ToPolicyValue(*value);
    if (!converted) {
      return AtValue(ErrorCode::kInvalidArgument, path, *value,
                     spec->name + " must be " + ExpectedValueText(*spec) + "; got " + TomlTypeName(value->type()));
    }
    if (Status st = spec->set(*converted, scratch); !st) {
      return AtValue(ErrorCode::kInvalidArgument, path, *value, st.error().message());
    }
    file.entries.push_back({spec, std::move(*converted), static_cast<int>(value->location().line())});
  }
  return file;
}

}  // namespace

Result<PolicyFile> ParsePolicyFile(std::string_view text, const std::string& path, PolicyFileKind kind) {
  // toml11 reports everything by exception; none may cross our API (STYLE.md §3.2).
  try {
    std::istringstream stream{std::string(text)};
    toml::value document = toml::parse(stream, path);
    return CheckDocument(document, path, kind);
  } catch (const toml::syntax_error& e) {
    std::string what = e.what();
    return Error(ErrorCode::kMalformed,
                 path + ":" + std::to_string(e.location().line()) + ": not valid TOML: " + SyntaxSummary(what), what);
  } catch (const toml::exception& e) {
    return Error(ErrorCode::kMalformed, path + ":" + std::to_string(e.location().line()) + ": " + e.what(), e.what());
  } catch (const std::exception& e) {
    return Error(ErrorCode::kMalformed, path + ": cannot read the policy: " + e.what());
  }
}

Result<PolicyFile> ReadPolicyFile(const std::string& path, PolicyFileKind kind) {
  Result<std::string> text = ReadFile(path);
  if (!text) {
    if (kind == PolicyFileKind::kProfile) {
      if (text.error().code() == ErrorCode::kNotFound) return PolicyFile{};
      return std::move(text).error().WithContext("the profile's policy");
    }
    return std::move(text).error().WithContext("the administrator's policy");
  }
  return ParsePolicyFile(*text, path, kind);
}

}  // namespace sealpost::policy::internal

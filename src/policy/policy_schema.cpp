// SPDX-License-Identifier: Apache-2.0
// The policy keys: names, types, allowed values and the Policy field each one sets.
#include "policy/policy_schema.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace sealpost::policy {
namespace {

// A key-specific rule: the reason a value is refused, or nullopt when it is fine.
template <typename T>
using Rule = std::function<std::optional<std::string>(const T&)>;

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// How a refused value is shown: strings quoted so that "" and " x" are visible.
std::string Given(const PolicyValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return Quote(*text);
  return FormatPolicyValue(value);
}

Error BadValue(const std::string& name, const std::string& expected, const PolicyValue& value) {
  return Error(ErrorCode::kInvalidArgument, name + " must be " + expected + "; got " + Given(value));
}

// RFC 3629 §4; a TOML document must be valid UTF-8, so the file we write reads back.
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (length == 0 || c == 0xC0 || c == 0xC1 || c >= 0xF5 || i + length > s.size()) return false;
    // The second byte's range excludes overlong forms, surrogates and values above U+10FFFF.
    auto second = static_cast<unsigned char>(length > 1 ? s[i + 1] : 0x80);
    unsigned char low = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char high = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (length > 1 && (second < low || second > high)) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

PolicyKeySpec BoolKey(std::string name, bool Policy::*field, std::string description) {
  PolicyKeySpec spec{.name = std::move(name), .type = PolicyValueType::kBool, .description = std::move(description)};
  std::string expected = ExpectedValueText(spec);
  spec.get = [field](const Policy& p) { return PolicyValue(p.*field); };
  spec.set = [field, name = spec.name, expected](const PolicyValue& value, Policy& p) -> Status {
    const bool* flag = std::get_if<bool>(&value);
    if (flag == nullptr) return BadValue(name, expected, value);
    p.*field = *flag;
    return Ok();
  };
  return spec;
}

PolicyKeySpec IntegerKey(std::string name, std::int64_t Policy::*field, std::int64_t min, std::int64_t max,
                         std::string description, Rule<std::int64_t> rule = {}) {
  PolicyKeySpec spec{.name = std::move(name),
                     .type = PolicyValueType::kInteger,
                     .min = min,
                     .max = max,
                     .description = std::move(description)};
  std::string expected = ExpectedValueText(spec);
  spec.get = [field](const Policy& p) { return PolicyValue(p.*field); };
  spec.set = [field, name = spec.name, expected, min, max, rule](const PolicyValue& value, Policy& p) -> Status {
    const std::int64_t* number = std::get_if<std::int64_t>(&value);
    if (number == nullptr || *number < min || *number > max) return BadValue(name, expected, value);
    if (rule) {
      if (auto reason = rule(*number)) return BadValue(name, *reason, value);
    }
    p.*field = *number;
    return Ok();
  };
  return spec;
}

PolicyKeySpec StringKey(std::string name, std::string Policy::*field, std::string description,
                        Rule<std::string> rule = {}) {
  PolicyKeySpec spec{.name = std::move(name), .type = PolicyValueType::kString, .description = std::move(description)};
  std::string expected = ExpectedValueText(spec);
  spec.get = [field](const Policy& p) { return PolicyValue(p.*field); };
  spec.set = [field, name = spec.name, expected, rule](const PolicyValue& value, Policy& p) -> Status {
    const std::string* text = std::get_if<std::string>(&value);
    if (text == nullptr) return BadValue(name, expected, value);
    // Values end up in `policy show`, logs and LDAP requests: no line breaks or escapes.
    bool has_control = std::any_of(text->begin(), text->end(), [](char c) {
      auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7F;
    });
    if (has_control) return BadValue(name, "a string without control characters", value);
    if (!IsValidUtf8(*text)) return BadValue(name, "valid UTF-8", value);
    if (rule) {
      if (auto reason = rule(*text)) return BadValue(name, *reason, value);
    }
    p.*field = *text;
    return Ok();
  };
  return spec;
}

// `names` maps every enumerator to its key text explicitly, so that reordering the enum
// cannot silently rename a value.
template <typename E>
PolicyKeySpec EnumKey(std::string name, E Policy::*field, std::vector<std::pair<E, std::string>> names,
                      std::string description) {
  PolicyKeySpec spec{.name = std::move(name), .type = PolicyValueType::kEnum, .description = std::move(description)};
  for (const auto& entry : names) spec.choices.push_back(entry.second);
  std::string expected = ExpectedValueText(spec);
  spec.get = [field, names](const Policy& p) {
    for (const auto& [value, text] : names) {
      if (p.*field == value) return PolicyValue(text);
    }
    return PolicyValue(std::string("?"));  // unreachable while `names` covers the enum
  };
  spec.set = [field, names, name = spec.name, expected](const PolicyValue& value, Policy& p) -> Status {
    if (const std::string* text = std::get_if<std::string>(&value)) {
      for (const auto& [enumerator, enum_text] : names) {
        if (*text == enum_text) {
          p.*field = enumerator;
          return Ok();
        }
      }
    }
    return BadValue(name, expected, value);
  };
  return spec;
}

std::optional<std::string> AbsolutePathOrEmpty(const std::string& path) {
  // Relative paths would be resolved against whatever directory sealpost runs in.
  if (path.empty() || path.front() == '/') return std::nullopt;
  return "an absolute path (or empty)";
}

std::optional<std::string> LdapUrlOrEmpty(const std::string& url) {
  // RFC 4516 §2: the scheme is case-insensitive.
  auto starts_with = [&](std::string_view prefix) {
    return url.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), url.begin(), [](char a, char b) {
             return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
           });
  };
  if (url.empty() || starts_with("ldap://") || starts_with("ldaps://")) return std::nullopt;
  return "an ldap:// or ldaps:// URL with a host (or empty)";
}

// The directory substitutes the escaped address for each %s (RFC 4515 §3); any other %
// sequence or unbalanced parentheses would make every lookup fail at send time instead.
std::optional<std::string> SearchFilter(const std::string& filter) {
  const char* reason = "an RFC 4515 filter in parentheses that uses %s for the address";
  if (filter.size() < 2 || filter.front() != '(' || filter.back() != ')') return reason;
  int depth = 0;
  bool has_placeholder = false;
  for (size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return reason;
    if (depth == 0 && i + 1 < filter.size()) return reason;  // "(a)(b)" is two filters
    if (c == '%') {
      if (i + 1 >= filter.size() || filter[i + 1] != 's') return reason;
      has_placeholder = true;
    }
  }
  if (depth != 0 || !has_placeholder) return reason;
  return std::nullopt;
}

std::optional<std::string> PowerOfTwo(const std::int64_t& n) {
  // RFC 7914 §2: N must be a power of two.
  if ((n & (n - 1)) == 0) return std::nullopt;
  return "a power of two from 32768 (the vault's floor) to 4194304";
}

std::vector<PolicyKeySpec> BuildSchema() {
  std::vector<PolicyKeySpec> keys;
  // --- algorithms ---
  keys.push_back(EnumKey("unknown_capabilities_cipher", &Policy::unknown_capabilities_cipher,
                         {{ContentCipher::kAes256Cbc, "aes-256-cbc"}, {ContentCipher::kAes256Gcm, "aes-256-gcm"}},
                         "content cipher for recipients whose S/MIME capabilities are unknown"));
  keys.push_back(BoolKey("allow_legacy_algorithms", &Policy::allow_legacy_algorithms,
                         "read old mail that uses SHA-1, MD5, RSA below 2048 bits, RC2, DES or 3DES"));
  // --- composing and first start ---
  keys.push_back(BoolKey("encrypt_by_default", &Policy::encrypt_by_default, "encrypt new messages by default"));
  keys.push_back(BoolKey("sign_by_default", &Policy::sign_by_default, "sign new messages by default"));
  keys.push_back(BoolKey("smime_enabled", &Policy::smime_enabled, "enable S/MIME when a profile is first started"));
  // --- identities and trust ---
  keys.push_back(EnumKey("revocation", &Policy::revocation,
                         {{RevocationMode::kOff, "off"},
                          {RevocationMode::kSoftFail, "soft-fail"},
                          {RevocationMode::kHardFail, "hard-fail"}},
                         "certificate revocation checking (CRL/OCSP)"));
  keys.push_back(StringKey("trust_anchor_dir", &Policy::trust_anchor_dir, "directory of additional trust anchors (PEM)",
                           AbsolutePathOrEmpty));
  keys.push_back(EnumKey("certificate_source", &Policy::certificate_source,
                         {{CertificateSource::kVault, "vault"},
                          {CertificateSource::kPkcs11, "pkcs11"},
                          {CertificateSource::kPkcs12, "pkcs12"}},
                         "where the user's own identities come from"));
  // Floors keep the vault's passphrase KDF from being weakened below the scrypt paper's
  // interactive setting; ceilings keep a typo from asking for terabytes.
  keys.push_back(IntegerKey("vault_kdf_n", &Policy::vault_kdf_n, 32768, 4194304,
                            "scrypt cost N for the vault passphrase (a power of two)", PowerOfTwo));
  keys.push_back(
      IntegerKey("vault_kdf_r", &Policy::vault_kdf_r, 8, 32, "scrypt block size r for the vault passphrase"));
  keys.push_back(
      IntegerKey("vault_kdf_p", &Policy::vault_kdf_p, 1, 16, "scrypt parallelism p for the vault passphrase"));
  keys.push_back(IntegerKey("vault_unlock_max_seconds", &Policy::vault_unlock_max_seconds, 0, 86400,
                            "longest 'keystore unlock' in seconds (0: never keep the vault unlocked)"));
  // --- recipient directory ---
  keys.push_back(EnumKey("public_certificate_source", &Policy::public_certificate_source,
                         {{PublicCertificateSource::kLdap, "ldap"},
                          {PublicCertificateSource::kLocal, "local"},
                          {PublicCertificateSource::kNone, "none"}},
                         "where recipients' certificates are looked up"));
  keys.push_back(StringKey("ldap_server_address", &Policy::ldap_server_address, "LDAP server URL (ldap:// or ldaps://)",
                           LdapUrlOrEmpty));
  keys.push_back(BoolKey("ldap_starttls", &Policy::ldap_starttls, "use StartTLS on an ldap:// connection"));
  keys.push_back(StringKey("ldap_base_dn", &Policy::ldap_base_dn, "base DN of the certificate search"));
  keys.push_back(
      BoolKey("ldap_access_anonymously", &Policy::ldap_access_anonymously, "search the directory without binding"));
  keys.push_back(StringKey("ldap_bind_dn", &Policy::ldap_bind_dn, "DN to bind as when not anonymous"));
  keys.push_back(StringKey("ldap_tls_ca_file", &Policy::ldap_tls_ca_file,
                           "CA bundle (PEM) for the LDAP server's certificate; empty = system store",
                           AbsolutePathOrEmpty));
  keys.push_back(StringKey("ldap_search_filter", &Policy::ldap_search_filter,
                           "LDAP filter for a recipient; %s is the address", SearchFilter));
  keys.push_back(IntegerKey("ldap_timeout_ms", &Policy::ldap_timeout_ms, 1, 600000,
                            "LDAP connect and search timeout in milliseconds"));
  keys.push_back(IntegerKey("directory_cache_ttl_s", &Policy::directory_cache_ttl_s, 0, 31536000,
                            "seconds a recipient certificate found in the directory is cached"));
  keys.push_back(IntegerKey("directory_negative_ttl_s", &Policy::directory_negative_ttl_s, 0, 31536000,
                            "seconds a 'no certificate' answer is cached"));
  keys.push_back(EnumKey("missing_certificate_action", &Policy::missing_certificate_action,
                         {{MissingCertificateAction::kRefuse, "refuse"},
                          {MissingCertificateAction::kAsk, "ask"},
                          {MissingCertificateAction::kSendUnencrypted, "send-unencrypted"}},
                         "what sending does when a recipient has no valid certificate"));
  return keys;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const PolicyKeySpec> PolicySchema() {
  static const std::vector<PolicyKeySpec> schema = BuildSchema();  // C++11 magic static: thread-safe
  return schema;
}

const PolicyKeySpec* FindPolicyKey(std::string_view name) {
  for (const auto& spec : PolicySchema()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Error UnknownPolicyKeyError(std::string_view name) {
  std::string message = "unknown policy key '" + std::string(name) + "'";
  const PolicyKeySpec* closest = nullptr;
  size_t best = 4;  // more edits than this is a different word, not a typo
  for (const auto& spec : PolicySchema()) {
    size_t distance = EditDistance(name, spec.name);
    if (distance < best) {
      best = distance;
      closest = &spec;
    }
  }
  // A shortened name ("allow_legacy") is a typo too, when it fits only one key.
  if (closest == nullptr && name.size() >= 4) {
    int matches = 0;
    for (const auto& spec : PolicySchema()) {
      if (spec.name.find(name) != std::string::npos && ++matches == 1) closest = &spec;
    }
    if (matches > 1) closest = nullptr;
  }
  if (closest != nullptr) {
    message += " (did you mean '" + closest->name + "'?)";
  } else {
    message += " (`sealpost policy show` lists the keys)";
  }
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string ExpectedValueText(const PolicyKeySpec& spec) {
  switch (spec.type) {
    case PolicyValueType::kBool:
      return "true or false";
    case PolicyValueType::kInteger:
      return "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case PolicyValueType::kEnum: {
      std::string text = "one of ";
      for (size_t i = 0; i < spec.choices.size(); ++i) text += (i == 0 ? "" : ", ") + spec.choices[i];
      return text;
    }
    case PolicyValueType::kString:
      return "a string";
  }
  return "a value";
}

Result<PolicyValue> ParsePolicyText(const PolicyKeySpec& spec, std::string_view text) {
  switch (spec.type) {
    case PolicyValueType::kBool:
      if (text == "true") return PolicyValue(true);
      if (text == "false") return PolicyValue(false);
      break;
    case PolicyValueType::kInteger: {
      std::int64_t number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return PolicyValue(number);
      break;
    }
    case PolicyValueType::kEnum:
    case PolicyValueType::kString:
      return PolicyValue(std::string(text));
  }
  return BadValue(spec.name, ExpectedValueText(spec), PolicyValue(std::string(text)));
}

std::string FormatPolicyValue(const PolicyValue& value) {
  if (const bool* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  if (const std::int64_t* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  return std::get<std::string>(value);
}

std::string FormatPolicyValueAsToml(const PolicyValue& value) {
  const std::string* text = std::get_if<std::string>(&value);
  if (text == nullptr) return FormatPolicyValue(value);
  // A TOML basic string (TOML 1.0 "String"): escape quotes, backslashes and controls.
  std::string out = "\"";
  for (char c : *text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace sealpost::policy

// SPDX-License-Identifier: Apache-2.0
// policy show/set (the administrator's levers, as the user sees them) and settings
// (the user's S/MIME screen: which certificates, and the by-default switches).
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "policy/policy_loader.h"

namespace sealpost::cli {
namespace {

// settings keys that are policy keys under another name or spelling.
std::string SettingToPolicyKey(const std::string& key) {
  if (key == "smime") return "smime_enabled";
  return key;  // encrypt_by_default, sign_by_default
}

std::string OnOffToBool(const std::string& value) {
  if (value == "on") return "true";
  if (value == "off") return "false";
  return value;
}

// Setting a certificate that is expired, revoked or of the wrong purpose is refused.
// Returns the full id of the identity to activate.
Result<std::string> CheckCertificateChoice(const profile::Profile& p, profile::Role role, const std::string& id) {
  ASSIGN_OR_RETURN(profile::StoredIdentity s, p.FindIdentity(id));
  const pki::Certificate& c = s.certificate;
  if (!c.ValidAt(std::time(nullptr)))
    return Error(ErrorCode::kPolicy, "certificate " + id + " is not valid now (it runs " +
                                         pki::FormatRfc3339(c.NotBefore()).substr(0, 10) + " to " +
                                         pki::FormatRfc3339(c.NotAfter()).substr(0, 10) + ")");
  bool fits = role == profile::Role::kSigning ? c.AllowsSigning() : c.AllowsEncryption();
  if (!fits || !c.EkuAllowsEmail())
    return Error(ErrorCode::kPolicy, "certificate " + id + " is for " + std::string(pki::KeyPurposeName(c.Purpose())) +
                                         " only and cannot be used for " +
                                         (role == profile::Role::kSigning ? "signing" : "encryption"));
  return s.id;
}

}  // namespace

int RunPolicyShow(const Options& o) {
  auto loaded = LoadEffectivePolicy(o);
  if (!loaded) return Fail(loaded.error(), o.verbose);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : loaded->Entries()) {
      nlohmann::json row = {{"key", e.key}, {"value", e.value_text}, {"origin", std::string(policy::OriginName(e.origin))},
                            {"locked", e.locked}};
      if (!e.source_path.empty()) row["source"] = e.source_path + ":" + std::to_string(e.source_line);
      out.push_back(row);
    }
    std::cout << out.dump(2) << "\n";
    return kExitGood;
  }
  for (const auto& e : loaded->Entries()) {
    std::cout << e.key << " = " << e.value_text << "  (" << policy::OriginName(e.origin)
              << (e.source_path.empty() ? "" : ", " + e.source_path + ":" + std::to_string(e.source_line))
              << (e.locked ? ", locked" : "") << ")\n";
  }
  return kExitGood;
}

int RunPolicySet(const Options& o) {
  if (auto p = OpenProfile(o); !p) return Fail(p.error(), o.verbose);  // creates a new profile's folder
  auto loaded = LoadEffectivePolicy(o);
  if (!loaded) return Fail(loaded.error(), o.verbose);
  if (auto st = policy::SetProfilePolicy(o.assignments, *loaded); !st) return Fail(st.error(), o.verbose);
  std::cout << "Saved to " << loaded->profile_path() << "\n";
  return kExitGood;
}

int RunSettingsShow(const Options& o) {
  auto loaded = LoadEffectivePolicy(o);
  if (!loaded) return Fail(loaded.error(), o.verbose);
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto ids = p->ListIdentities();
  if (!ids) return Fail(ids.error(), o.verbose);
  std::string signing, encryption;
  for (const auto& s : *ids) {
    if (s.active_signing) signing = s.id.substr(0, 16);
    if (s.active_encryption) encryption = s.id.substr(0, 16);
  }
  auto flag = [&](const char* key) {
    const policy::PolicyEntry* e = loaded->Find(key);
    return nlohmann::json{{"value", e && e->value_text == "true" ? "on" : "off"}, {"locked", e && e->locked}};
  };
  nlohmann::json out = {{"smime", flag("smime_enabled")},
                        {"signing_cert", signing.empty() ? nlohmann::json(nullptr) : nlohmann::json(signing)},
                        {"encryption_cert", encryption.empty() ? nlohmann::json(nullptr) : nlohmann::json(encryption)},
                        {"encrypt_by_default", flag("encrypt_by_default")},
                        {"sign_by_default", flag("sign_by_default")}};
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return kExitGood;
  }
  for (const char* key : {"smime", "encrypt_by_default", "sign_by_default"}) {
    std::cout << key << " = " << out[key]["value"].get<std::string>()
              << (out[key]["locked"].get<bool>() ? "  (locked by the administrator)" : "") << "\n";
  }
  std::cout << "signing_cert = " << (signing.empty() ? "(none)" : signing) << "\n";
  std::cout << "encryption_cert = " << (encryption.empty() ? "(none)" : encryption) << "\n";
  return kExitGood;
}

int RunSettingsSet(const Options& o) {
  auto loaded = LoadEffectivePolicy(o);
  if (!loaded) return Fail(loaded.error(), o.verbose);
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  std::vector<std::string> policy_assignments;
  std::vector<std::pair<profile::Role, std::string>> activations;
  // Check everything before changing anything.
  for (const auto& a : o.assignments) {
    size_t eq = a.find('=');
    if (eq == std::string::npos) return Fail(Error(ErrorCode::kInvalidArgument, "expected KEY=VALUE, got '" + a + "'"), o.verbose);
    std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    if (key == "signing_cert" || key == "encryption_cert") {
      auto role = key == "signing_cert" ? profile::Role::kSigning : profile::Role::kEncryption;
      auto id = CheckCertificateChoice(*p, role, value);
      if (!id) return Fail(id.error(), o.verbose);
      activations.emplace_back(role, *id);
      continue;
    }
    if (key != "smime" && key != "encrypt_by_default" && key != "sign_by_default")
      return Fail(Error(ErrorCode::kInvalidArgument, "unknown setting '" + key +
                                                        "' (smime, signing_cert, encryption_cert, encrypt_by_default, sign_by_default)"),
                  o.verbose);
    if (value != "on" && value != "off")
      return Fail(Error(ErrorCode::kInvalidArgument, key + " takes on or off, not '" + value + "'"), o.verbose);
    if (auto st = loaded->CheckUserMayChange(SettingToPolicyKey(key)); !st) return Fail(st.error(), o.verbose);
    policy_assignments.push_back(SettingToPolicyKey(key) + "=" + OnOffToBool(value));
  }
  for (const auto& [role, id] : activations) {
    if (auto st = p->SetActive(role, id); !st) return Fail(st.error(), o.verbose);
  }
  if (!policy_assignments.empty()) {
    if (auto st = policy::SetProfilePolicy(policy_assignments, *loaded); !st) return Fail(st.error(), o.verbose);
  }
  std::cout << "Settings saved\n";
  return kExitGood;
}

}  // namespace sealpost::cli

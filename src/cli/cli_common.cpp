// SPDX-License-Identifier: Apache-2.0
// CLI plumbing: error mapping and building the engine from the profile.
#include "cli/cli_common.h"

#include <filesystem>
#include <iostream>

#include "keys/passphrase.h"
#include "keys/vault_session.h"
#include "policy/policy_loader.h"
#include "profile/revocation_source.h"
#include "profile/vault_key_source.h"

#include "core/file_io.h"

namespace sealpost::cli {

int ExitCodeForError(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kPolicy:
    case ErrorCode::kNoKey:
    case ErrorCode::kIntegrity:
    case ErrorCode::kUnsupported: return kExitVerdict;
    case ErrorCode::kNetwork: return kExitNetwork;
    default: return kExitInput;
  }
}

int Fail(const Error& error, bool verbose) {
  std::cerr << "sealpost: " << error.message() << "\n";
  if (verbose && !error.detail().empty()) std::cerr << "  detail: " << error.detail() << "\n";
  return ExitCodeForError(error);
}

Result<profile::Profile> OpenProfile(const Options& o) {
  return profile::Profile::Open(o.profile_dir.empty() ? profile::Profile::DefaultDirectory() : o.profile_dir);
}

Result<policy::LoadedPolicy> LoadEffectivePolicy(const Options& o) {
  std::string dir = o.profile_dir.empty() ? profile::Profile::DefaultDirectory() : o.profile_dir;
  std::optional<std::string> flag;
  if (!o.policy_file.empty()) flag = o.policy_file;
  return policy::LoadPolicy(dir + "/policy.toml", policy::ResolveAdminPolicyPath(flag));
}

Status AddPolicyAnchors(const std::string& dir, pki::TrustStore& trust) {
  if (dir.empty()) return Ok();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(entry.path().string()));
    auto certs = pki::Certificate::ParseAll(bytes);
    if (!certs) continue;  // not a certificate file: README, CRL, ...
    for (auto& c : *certs) trust.AddAnchor(std::move(c));
  }
  if (ec) return Error(ErrorCode::kIo, "cannot read the policy's trust_anchor_dir " + dir + ": " + ec.message());
  return Ok();
}

Result<smime::SecureMimeContext> MakeContext(const Options& o) {
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
  ASSIGN_OR_RETURN(std::vector<profile::StoredIdentity> stored, p.ListIdentities());
  ASSIGN_OR_RETURN(std::vector<smime::Identity> identities, p.LoadIdentities());
  ASSIGN_OR_RETURN(pki::TrustStore trust, p.LoadTrustStore());
  // Intermediates that came with our own certificates help build our paths.
  for (const auto& s : stored) {
    for (const auto& c : s.chain) trust.AddIntermediate(c);
  }
  RETURN_IF_ERROR(AddPolicyAnchors(loaded.policy().trust_anchor_dir, trust));
  policy::AlgorithmPolicy policy = loaded.policy().ToAlgorithmPolicy();
  if (o.allow_legacy) {
    policy.allow_legacy = true;
    policy.min_rsa_bits = 1024;
  }
  std::optional<std::time_t> at;
  if (!o.at.empty()) {
    ASSIGN_OR_RETURN(std::time_t t, pki::ParseRfc3339(o.at));
    at = t;
  }
  auto key_source = std::make_shared<profile::VaultKeySource>(p, [o] { return GetVaultPassphrase(o, false); },
                                                              loaded.policy().vault_unlock_max_seconds > 0);
  smime::SecureMimeContext ctx(std::move(identities), std::move(key_source), std::move(trust), std::move(policy), at);
  const policy::Policy& pol = loaded.policy();
  if (pol.revocation != policy::RevocationMode::kOff) {
    revocation::RevocationOptions options;
    options.cache_dir = p.dir() + "/cache/revocation";
    options.timeout_ms = 5000;
    options.at = at ? *at : 0;
    ctx.SetRevocation(std::make_shared<profile::CheckerRevocationSource>(options),
                      pol.revocation == policy::RevocationMode::kHardFail);
  }
  return ctx;
}

Result<SecretBytes> GetVaultPassphrase(const Options& o, bool is_new) {
  ASSIGN_OR_RETURN(keys::Passphrase p,
                   keys::GetPassphrase(is_new ? "New passphrase for your Sealpost key vault: " : "Passphrase for your Sealpost key vault: ",
                                       is_new ? keys::PassphraseUse::kNew : keys::PassphraseUse::kUnlock, o.passphrase_file));
  if (!p.warning.empty()) std::cerr << "sealpost: warning: " << p.warning << "\n";
  if (p.secret.empty()) return Error(ErrorCode::kInvalidArgument, "the vault passphrase must not be empty");
  return std::move(p.secret);
}

Result<keys::Vault> OpenVault(const Options& o, const profile::Profile& p, bool require_passphrase) {
  if (!keys::Vault::Exists(p.VaultPath()))
    return Error(ErrorCode::kNotFound, "this profile has no key vault yet; add an identity first");
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  return keys::OpenVaultInSession(p.VaultPath(), [&o] { return GetVaultPassphrase(o, false); },
                                  !require_passphrase && loaded.policy().vault_unlock_max_seconds > 0);
}

Result<keys::Vault> OpenOrCreateVault(const Options& o, const profile::Profile& p) {
  if (keys::Vault::Exists(p.VaultPath())) return OpenVault(o, p);
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  keys::KdfParams params{static_cast<uint64_t>(loaded.policy().vault_kdf_n), static_cast<uint32_t>(loaded.policy().vault_kdf_r),
                         static_cast<uint32_t>(loaded.policy().vault_kdf_p)};
  ASSIGN_OR_RETURN(SecretBytes passphrase, GetVaultPassphrase(o, true));
  return keys::Vault::Create(p.VaultPath(), passphrase, params);
}

Result<pki::Certificate> LoadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto cert = pki::Certificate::Parse(bytes);
  if (!cert) return std::move(cert).error().WithContext(path);
  return cert;
}

}  // namespace sealpost::cli

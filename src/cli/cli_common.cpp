// SPDX-License-Identifier: Apache-2.0
// CLI plumbing: error mapping and building the engine from the profile.
#include "cli/cli_common.h"

#include <filesystem>
#include <iostream>

#include "policy/policy_loader.h"

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

// Anchors the administrator distributes in trust_anchor_dir ("credentials policy").
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
  return smime::SecureMimeContext(std::move(identities), std::move(trust), std::move(policy), at);
}

Result<pki::Certificate> LoadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto cert = pki::Certificate::Parse(bytes);
  if (!cert) return std::move(cert).error().WithContext(path);
  return cert;
}

}  // namespace sealpost::cli

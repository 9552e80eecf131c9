// SPDX-License-Identifier: Apache-2.0
// CLI plumbing: error mapping and building the engine from the profile.
#include "cli/cli_common.h"

#include <iostream>

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

Result<smime::SecureMimeContext> MakeContext(const Options& o) {
  ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
  ASSIGN_OR_RETURN(std::vector<profile::StoredIdentity> stored, p.ListIdentities());
  ASSIGN_OR_RETURN(std::vector<smime::Identity> identities, p.LoadIdentities());
  ASSIGN_OR_RETURN(pki::TrustStore trust, p.LoadTrustStore());
  // Intermediates that came with our own certificates help build our paths.
  for (const auto& s : stored) {
    for (const auto& c : s.chain) trust.AddIntermediate(c);
  }
  policy::AlgorithmPolicy policy = policy::DefaultAlgorithmPolicy();
  policy.allow_legacy = o.allow_legacy;
  if (o.allow_legacy) policy.min_rsa_bits = 1024;
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

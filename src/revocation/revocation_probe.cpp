// SPDX-License-Identifier: Apache-2.0
// Test driver for tests/revocation: runs one revocation check and prints the result as JSON.
// Built only with BUILD_TESTING; never installed.
//
//   revocation_probe --cert C --issuer I [--cache DIR] [--timeout-ms N] [--max-bytes N] [--at T]
//   revocation_probe --chain FILE [...]     (leaf-first PEM bundle, CheckChain)
//
// Exit status: 0 when a result was printed (whatever its state), 2 on usage or input errors.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/file_io.h"
#include "pki/certificate.h"
#include "revocation/revocation_checker.h"

namespace {

using sealpost::Result;
using sealpost::pki::Certificate;

int Usage(const std::string& why) {
  std::cerr << "revocation_probe: " << why << "\n"
            << "usage: revocation_probe (--cert C --issuer I | --chain FILE) [--cache DIR] [--timeout-ms N]"
               " [--max-bytes N] [--at RFC3339]\n";
  return 2;
}

Result<std::vector<Certificate>> Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, sealpost::ReadFile(path));
  return Certificate::ParseAll(bytes);
}

int Run(int argc, char** argv) {
  std::string cert_path, issuer_path, chain_path;
  sealpost::revocation::RevocationOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + flag);
    std::string value = argv[++i];
    if (flag == "--cert") {
      cert_path = value;
    } else if (flag == "--issuer") {
      issuer_path = value;
    } else if (flag == "--chain") {
      chain_path = value;
    } else if (flag == "--cache") {
      options.cache_dir = value;
    } else if (flag == "--timeout-ms") {
      options.timeout_ms = std::stol(value);
    } else if (flag == "--max-bytes") {
      options.max_response_bytes = std::stoul(value);
    } else if (flag == "--at") {
      auto at = sealpost::pki::ParseRfc3339(value);
      if (!at) return Usage(at.error().message());
      options.at = *at;
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  sealpost::revocation::RevocationChecker checker(options);
  sealpost::revocation::RevocationResult result;
  if (!chain_path.empty()) {
    auto chain = Load(chain_path);
    if (!chain) return Usage(chain_path + ": " + chain.error().message());
    result = checker.CheckChain(*chain);
  } else {
    if (cert_path.empty() || issuer_path.empty()) return Usage("--cert and --issuer are required");
    auto cert = Load(cert_path);
    auto issuer = Load(issuer_path);
    if (!cert) return Usage(cert_path + ": " + cert.error().message());
    if (!issuer) return Usage(issuer_path + ": " + issuer.error().message());
    result = checker.Check(cert->front(), issuer->front());
  }
  nlohmann::json out = {
      {"state", sealpost::revocation::RevocationStateName(result.state)},
      {"source", result.source},
      {"detail", result.detail},
      {"subject", result.subject},
      {"reason", result.reason},
      {"revoked_at", result.revoked_at ? sealpost::pki::FormatRfc3339(result.revoked_at) : ""},
      {"unreachable", result.unreachable},
  };
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // std::stol on a bad number; the last-resort catch
    return Usage(e.what());
  }
}

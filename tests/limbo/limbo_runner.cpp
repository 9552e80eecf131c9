// SPDX-License-Identifier: Apache-2.0
// limbo_runner: runs every case of an x509-limbo file (C2SP/x509-limbo schema) through
// pki::TrustStore::Validate in this one process and writes a LimboResult JSON file
// ({version, harness, results: [{id, actual_result, context}]}). Test-only; never shipped.
//
// Mapping of limbo fields to ValidationOptions:
//   trusted_certs → anchors (partial chains allowed); untrusted_intermediates → helpers;
//   validation_time → at (null: now); expected_peer_name(s) → peer_names (all must match);
//   extended_key_usage → required_ekus, except that emailProtection selects the S/MIME use:
//   then key_usage names the operation (digitalSignature/nonRepudiation: signing, with the
//   RFC 8550 "either bit" rule; keyEncipherment/keyAgreement: encryption, RSA needing
//   keyEncipherment and EC keyAgreement); otherwise key_usage → bits the leaf must assert;
//   max_chain_depth → max_depth; crls → crls (checked for the whole chain).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pki/certificate.h"
#include "pki/trust_store.h"
#include "pki/validation_options.h"

namespace {

using nlohmann::json;
using sealpost::pki::Certificate;
using sealpost::pki::CertUse;
using sealpost::pki::PeerName;
using sealpost::pki::ValidationOptions;

const char* EkuOid(const std::string& name) {
  if (name == "anyExtendedKeyUsage") return "2.5.29.37.0";
  if (name == "serverAuth") return "1.3.6.1.5.5.7.3.1";
  if (name == "clientAuth") return "1.3.6.1.5.5.7.3.2";
  if (name == "codeSigning") return "1.3.6.1.5.5.7.3.3";
  if (name == "emailProtection") return "1.3.6.1.5.5.7.3.4";
  if (name == "timeStamping") return "1.3.6.1.5.5.7.3.8";
  if (name == "OCSPSigning") return "1.3.6.1.5.5.7.3.9";
  return nullptr;
}

bool Has(const json& list, const char* name) {
  for (const auto& v : list) {
    if (v.get<std::string>() == name) return true;
  }
  return false;
}

PeerName ToPeerName(const json& j) {
  PeerName name;
  std::string kind = j.at("kind").get<std::string>();
  name.kind = kind == "IP" ? PeerName::Kind::kIp : kind == "RFC822" ? PeerName::Kind::kEmail : PeerName::Kind::kDns;
  name.value = j.at("value").get<std::string>();
  return name;
}

// An optional field of the schema: null when absent.
const json& Optional(const json& tc, const char* name) {
  static const json kNull;
  auto it = tc.find(name);
  return it == tc.end() ? kNull : *it;
}

struct Verdict {
  bool success = false;
  std::string context;
};

// Everything a case asks, as options; an unusable field becomes a harness error.
bool BuildOptions(const json& tc, ValidationOptions& options, std::string& error) {
  if (!Optional(tc, "validation_time").is_null()) {
    auto at = sealpost::pki::ParseRfc3339(Optional(tc, "validation_time").get<std::string>());
    if (!at.has_value()) {
      error = "bad validation_time";
      return false;
    }
    options.at = *at;
  }
  const json& ekus = tc.at("extended_key_usage");
  const json& kus = tc.at("key_usage");
  options.use = CertUse::kAny;
  if (Has(ekus, "emailProtection")) {
    bool sign = Has(kus, "digitalSignature") || Has(kus, "nonRepudiation");
    bool encrypt = Has(kus, "keyEncipherment") || Has(kus, "keyAgreement");
    if (sign == encrypt) {
      error = "S/MIME case must name exactly one operation in key_usage";
      return false;
    }
    options.use = sign ? CertUse::kSigning : CertUse::kEncryption;
  } else {
    for (const auto& ku : kus) options.required_key_usage.push_back(ku.get<std::string>());
  }
  for (const auto& eku : ekus) {
    std::string name = eku.get<std::string>();
    const char* oid = EkuOid(name);
    options.required_ekus.emplace_back(oid ? oid : name);  // names or dotted OIDs
  }
  if (!Optional(tc, "expected_peer_name").is_null()) options.peer_names.push_back(ToPeerName(Optional(tc, "expected_peer_name")));
  for (const auto& n : tc.at("expected_peer_names")) options.peer_names.push_back(ToPeerName(n));
  if (!Optional(tc, "max_chain_depth").is_null()) options.max_depth = Optional(tc, "max_chain_depth").get<int>();
  for (const auto& crl : Optional(tc, "crls")) options.crls.push_back(crl.get<std::string>());
  if (!tc.at("signature_algorithms").empty()) {
    error = "signature_algorithms constraints are not supported";
    return false;
  }
  return true;
}

Verdict RunCase(const json& tc) {
  Verdict verdict;
  ValidationOptions options;
  if (!BuildOptions(tc, options, verdict.context)) return verdict;
  sealpost::pki::TrustStore store;
  for (const auto& pem : tc.at("trusted_certs")) {
    auto cert = Certificate::Parse(pem.get<std::string>());
    if (!cert.has_value()) {
      verdict.context = "unparsable trust anchor";  // cannot be an anchor, so nothing chains
      continue;
    }
    store.AddAnchor(std::move(*cert));
  }
  std::vector<Certificate> untrusted;
  for (const auto& pem : tc.at("untrusted_intermediates")) {
    auto cert = Certificate::Parse(pem.get<std::string>());
    if (cert.has_value()) untrusted.push_back(std::move(*cert));  // an unreadable helper helps nobody
  }
  auto leaf = Certificate::Parse(tc.at("peer_certificate").get<std::string>());
  if (!leaf.has_value()) {
    verdict.context = "unparsable peer certificate: " + leaf.error().message();
    return verdict;
  }
  sealpost::pki::ChainResult result = store.Validate(*leaf, untrusted, options);
  verdict.success = result.trusted;
  std::string problems;
  for (const auto& p : result.problems) problems += (problems.empty() ? "" : ", ") + p;
  if (!problems.empty()) verdict.context = verdict.context.empty() ? problems : verdict.context + "; " + problems;
  return verdict;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: limbo_runner LIMBO.json RESULTS.json\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "limbo_runner: cannot read " << argv[1] << "\n";
    return 3;
  }
  json suite = json::parse(in, nullptr, false);
  if (suite.is_discarded() || !suite.contains("testcases")) {
    std::cerr << "limbo_runner: " << argv[1] << " is not a limbo file\n";
    return 3;
  }
  json results = json::array();
  for (const auto& tc : suite.at("testcases")) {
    json row;
    row["id"] = tc.at("id");
    try {
      Verdict v = RunCase(tc);
      row["actual_result"] = v.success ? "SUCCESS" : "FAILURE";
      row["context"] = v.context.empty() ? json(nullptr) : json(v.context);
    } catch (const json::exception& e) {  // a case that does not follow the schema
      row["actual_result"] = "SKIPPED";
      row["context"] = std::string("malformed case: ") + e.what();
    }
    results.push_back(std::move(row));
  }
  json out = {{"version", 1}, {"harness", "sealpost"}, {"results", std::move(results)}};
  std::ofstream file(argv[2], std::ios::binary | std::ios::trunc);
  file << out.dump(1) << "\n";
  if (!file) {
    std::cerr << "limbo_runner: cannot write " << argv[2] << "\n";
    return 3;
  }
  return 0;
}

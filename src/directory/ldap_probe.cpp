// SPDX-License-Identifier: Apache-2.0
// Test driver for tests/directory and bench/: looks addresses up and prints the results as JSON.
// Built only with BUILD_TESTING; never installed.
//
//   ldap_probe --url U [--starttls] [--base DN] [--bind-dn DN --bind-password-file F]
//              [--ca-file F] [--filter T] [--timeout-ms N] [--max-entries N]
//              [--max-attribute-bytes N] [--max-total-bytes N] [--pool-size N] [--in-flight N]
//              [--many] [--repeat N] [--pause-ms N] [--addresses-file F] [--address-hex HEX]...
//              [ADDRESS]...
//
// --repeat runs the lookups N times on one LdapDirectory (its connections are reused),
// sleeping --pause-ms between runs.
// Prints {"mode", "runs_ms", "results": [{address, filter, ok, entries | code, message}]};
// the results are those of the last run. Exit status: 0 when results were printed (whatever
// they say), 1 when LdapDirectory::Create refused the config (printed as {"create_error"}),
// 2 on usage errors.
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/file_io.h"
#include "directory/ldap_directory.h"

namespace {

using sealpost::Error;
using sealpost::Result;
using sealpost::directory::LdapConfig;
using sealpost::directory::LdapDirectory;
using sealpost::directory::LdapEntry;
using Json = nlohmann::json;

int Usage(const std::string& why) {
  std::cerr << "ldap_probe: " << why << "\n"
            << "usage: ldap_probe --url U [--starttls] [--base DN] [--bind-dn DN --bind-password-file F]"
               " [--ca-file F] [--filter T] [--timeout-ms N] [--max-entries N] [--max-attribute-bytes N]"
               " [--max-total-bytes N] [--pool-size N] [--in-flight N] [--many] [--repeat N] [--pause-ms N] [--addresses-file F]"
               " [--address-hex HEX]... [ADDRESS]...\n";
  return 2;
}

Json ErrorJson(const Error& error) {
  return {{"code", sealpost::ErrorCodeName(error.code())}, {"message", error.message()}, {"detail", error.detail()}};
}

Json EntryJson(const LdapEntry& entry) {
  Json certificates = Json::array();
  for (const auto& cert : entry.certificates) {
    certificates.push_back(
        {{"sha256", cert.Sha256Fingerprint()}, {"emails", cert.Emails()}, {"subject", cert.Subject()}});
  }
  Json chain = Json::array();
  for (const auto& cert : entry.chain)
    chain.push_back({{"sha256", cert.Sha256Fingerprint()}, {"subject", cert.Subject()}});
  return {{"dn", entry.dn}, {"certificates", certificates}, {"chain", chain}, {"problems", entry.problems}};
}

Result<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return Error(sealpost::ErrorCode::kInvalidArgument, "odd-length hex: " + hex);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

int Run(int argc, char** argv) {
  LdapConfig config;
  std::vector<std::string> addresses;
  bool many = false;
  int repeat = 1;
  int pause_ms = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      addresses.push_back(arg);
      continue;
    }
    if (arg == "--starttls") {
      config.starttls = true;
      continue;
    }
    if (arg == "--many") {
      many = true;
      continue;
    }
    if (i + 1 >= argc) return Usage("missing value for " + arg);
    std::string value = argv[++i];
    if (arg == "--url") {
      config.server_address = value;
    } else if (arg == "--base") {
      config.base_dn = value;
    } else if (arg == "--bind-dn") {
      config.bind_dn = value;
      config.access_anonymously = false;
    } else if (arg == "--bind-password-file") {
      auto password = sealpost::ReadFile(value);
      if (!password) return Usage(password.error().message());
      std::string text = std::move(password).value();
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      config.bind_password = sealpost::SecretBytes(text);
    } else if (arg == "--ca-file") {
      config.tls_ca_file = value;
    } else if (arg == "--filter") {
      config.search_filter = value;
    } else if (arg == "--timeout-ms") {
      config.timeout_ms = std::stoll(value);
    } else if (arg == "--max-entries") {
      config.max_entries = std::stoi(value);
    } else if (arg == "--max-attribute-bytes") {
      config.max_attribute_bytes = std::stoull(value);
    } else if (arg == "--max-total-bytes") {
      config.max_total_bytes = std::stoull(value);
    } else if (arg == "--pool-size") {
      config.pool_size = std::stoi(value);
    } else if (arg == "--in-flight") {
      config.searches_in_flight = std::stoi(value);
    } else if (arg == "--repeat") {
      repeat = std::stoi(value);
    } else if (arg == "--pause-ms") {
      pause_ms = std::stoi(value);
    } else if (arg == "--addresses-file") {
      auto text = sealpost::ReadFile(value);
      if (!text) return Usage(text.error().message());
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) addresses.push_back(line);
      }
    } else if (arg == "--address-hex") {
      auto address = FromHex(value);
      if (!address) return Usage(address.error().message());
      addresses.push_back(*address);
    } else {
      return Usage("unknown flag " + arg);
    }
  }
  if (repeat < 1) return Usage("--repeat must be at least 1");

  auto directory = LdapDirectory::Create(std::move(config));
  if (!directory) {
    std::cout << Json({{"create_error", ErrorJson(directory.error())}}).dump() << "\n";
    return 1;
  }
  Json runs = Json::array();
  std::vector<Result<std::vector<LdapEntry>>> results;
  for (int run = 0; run < repeat; ++run) {
    if (run > 0 && pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    results.clear();
    const auto start = std::chrono::steady_clock::now();
    if (many) {
      results = directory->LookupMany(addresses);
    } else {
      for (const auto& address : addresses) results.push_back(directory->Lookup(address));
    }
    runs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  Json out_results = Json::array();
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    Json item = {
        {"address", addresses[i]}, {"filter", directory->FilterFor(addresses[i])}, {"ok", results[i].has_value()}};
    if (results[i]) {
      Json entries = Json::array();
      for (const auto& entry : *results[i]) entries.push_back(EntryJson(entry));
      item["entries"] = entries;
    } else {
      item.update(ErrorJson(results[i].error()));
    }
    out_results.push_back(item);
  }
  Json out = {{"mode", many ? "many" : "sequential"}, {"runs_ms", runs}, {"results", out_results}};
  // Addresses may hold bytes that are not UTF-8; they print as U+FFFD.
  std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // std::stoi on a bad number; the last-resort catch
    return Usage(e.what());
  }
}

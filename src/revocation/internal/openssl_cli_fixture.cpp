// SPDX-License-Identifier: Apache-2.0
// The openssl-CLI CA behind the revocation unit tests.
#include "revocation/internal/openssl_cli_fixture.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "core/file_io.h"

namespace sealpost::revocation::internal {
namespace {

constexpr char kConfig[] = R"([req]
distinguished_name = dn
[dn]
[ca]
default_ca = ca_default
[ca_default]
database = ./index.txt
new_certs_dir = .
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
)";

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sealpost-revocation-XXXXXX").string();
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TempDir::TempDir() : path_(MakeTempDir()) {}
TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

CliCa::CliCa(std::string name, std::string key_usage) : dir_(MakeTempDir()), name_(std::move(name)) {
  if (dir_.empty()) return;
  std::string config = std::string(kConfig) + "[ca_ext]\nbasicConstraints = critical,CA:true\nkeyUsage = " + key_usage +
                       "\nsubjectKeyIdentifier = hash\n";
  ok_ = WriteText(dir_ + "/ca.cnf", config) && WriteText(dir_ + "/index.txt", "") &&
        WriteText(dir_ + "/serial", "1000\n") && WriteText(dir_ + "/crlnumber", "01\n") &&
        Run("openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem"
            " -days 30 -config ca.cnf -extensions ca_ext -subj '/CN=" +
            name_ + "'");
}

CliCa::~CliCa() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

bool CliCa::Run(const std::string& command) const {
  std::string line = "cd '" + dir_ + "' && (" + command + ") >last.log 2>&1";
  if (std::system(line.c_str()) == 0) return true;
  std::cerr << "command failed: " << command << "\n" << ReadAll(dir_ + "/last.log");
  return false;
}

Result<pki::Certificate> CliCa::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return pki::Certificate::Parse(bytes);
}

std::string CliCa::Issue(const std::string& cn, const std::string& extension_lines) {
  std::string stem = "leaf" + std::to_string(++counter_);
  if (!WriteText(dir_ + "/" + stem + ".ext", "[leaf]\n" + extension_lines + "\n")) return {};
  bool issued = Run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + stem +
                    ".key -out " + stem + ".csr -config ca.cnf -subj '/CN=" + cn + "'") &&
                Run("openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in " + stem + ".csr -out " + stem +
                    ".pem -extfile " + stem + ".ext -extensions leaf -notext");
  return issued ? dir_ + "/" + stem + ".pem" : std::string();
}

bool CliCa::Revoke(const std::string& cert_path, const std::string& reason) {
  return Run("openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke '" + cert_path + "' -crl_reason " +
             reason);
}

std::string CliCa::Crl(const std::string& extra_args, const std::string& crl_extension_lines, bool pem) {
  std::string out = "crl" + std::to_string(++counter_);
  std::string exts;
  if (!crl_extension_lines.empty()) {
    if (!WriteText(dir_ + "/" + out + ".cnf", std::string(kConfig) + "[crlext]\n" + crl_extension_lines + "\n")) {
      return {};
    }
    exts = " -config " + out + ".cnf -crlexts crlext";
  } else {
    exts = " -config ca.cnf";
  }
  if (!Run("openssl ca -gencrl -cert ca.pem -keyfile ca.key" + exts + " " + extra_args + " -out " + out + ".pem")) {
    return {};
  }
  if (pem) return ReadAll(dir_ + "/" + out + ".pem");
  if (!Run("openssl crl -in " + out + ".pem -outform DER -out " + out + ".der")) return {};
  return ReadAll(dir_ + "/" + out + ".der");
}

}  // namespace sealpost::revocation::internal

// SPDX-License-Identifier: Apache-2.0
// CliCa: a throwaway CA in a temp directory, driven through the openssl CLI (test-only:
// fixtures come from the reference tool, never from the code under test).
#pragma once

#include <string>

#include "core/result.h"
#include "pki/certificate.h"

namespace sealpost::revocation::internal {

class CliCa final {
 public:
  // Makes a self-signed P-256 CA "CN=<name>" whose keyUsage is `key_usage`. ok() tells
  // whether it worked; the directory is removed by the destructor. Not copyable.
  explicit CliCa(std::string name = "Revocation Test CA", std::string key_usage = "critical,keyCertSign,cRLSign");
  ~CliCa();
  CliCa(const CliCa&) = delete;
  CliCa& operator=(const CliCa&) = delete;

  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string cert_path() const { return dir_ + "/ca.pem"; }
  Result<pki::Certificate> Cert() const { return Load(cert_path()); }

  // Issues a P-256 leaf "CN=<cn>" with `extension_lines` (openssl config syntax) and
  // returns its PEM path; empty on failure.
  std::string Issue(const std::string& cn, const std::string& extension_lines);
  // Marks the certificate at `cert_path` revoked in index.txt with CRLReason `reason`.
  bool Revoke(const std::string& cert_path, const std::string& reason);
  // Generates a CRL with `extra_args` (e.g. "-crldays 7") and optional CRL extension lines;
  // returns its DER bytes (PEM when `pem`), empty on failure.
  std::string Crl(const std::string& extra_args, const std::string& crl_extension_lines = "", bool pem = false);

  // Runs `command` with /bin/sh inside dir(); its output goes to dir()/last.log.
  bool Run(const std::string& command) const;
  static Result<pki::Certificate> Load(const std::string& path);

 private:
  std::string dir_;
  std::string name_;
  bool ok_ = false;
  int counter_ = 0;
};

// A fresh temp directory (mkdtemp) removed with its contents on destruction.
class TempDir final {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path);

}  // namespace sealpost::revocation::internal

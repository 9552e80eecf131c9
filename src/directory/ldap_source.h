// SPDX-License-Identifier: Apache-2.0
// LdapSource: the directory server as a CertificateSource (every certificate of every
// matching entry is a candidate; the selector decides).
#pragma once

#include "directory/certificate_source.h"
#include "directory/ldap_directory.h"

namespace sealpost::directory {

class LdapSource final : public CertificateSource {
 public:
  explicit LdapSource(LdapDirectory directory) : directory_(std::move(directory)) {}
  std::string Name() const override { return "ldap"; }
  std::vector<Result<std::vector<Candidate>>> Find(const std::vector<std::string>& addresses) override;

 private:
  LdapDirectory directory_;
};

}  // namespace sealpost::directory

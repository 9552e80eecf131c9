// SPDX-License-Identifier: Apache-2.0
// LDAP entries → selection candidates.
#include "directory/ldap_source.h"

namespace sealpost::directory {

std::vector<Result<std::vector<Candidate>>> LdapSource::Find(const std::vector<std::string>& addresses) {
  std::vector<Result<std::vector<Candidate>>> out;
  for (auto& answer : directory_.LookupMany(addresses)) {
    if (!answer) {
      out.emplace_back(answer.error());
      continue;
    }
    std::vector<Candidate> candidates;
    for (const auto& entry : *answer)
      for (const auto& cert : entry.certificates) candidates.push_back({cert, "ldap", {}});
    out.emplace_back(std::move(candidates));
  }
  return out;
}

}  // namespace sealpost::directory

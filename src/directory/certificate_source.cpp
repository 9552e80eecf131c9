// SPDX-License-Identifier: Apache-2.0
// The local source and the merge of every source's candidates per address.
#include "directory/certificate_source.h"

namespace sealpost::directory {

std::vector<Result<std::vector<Candidate>>> LocalSource::Find(const std::vector<std::string>& addresses) {
  std::vector<Result<std::vector<Candidate>>> out;
  for (const auto& address : addresses) {
    auto contacts = store_.ForAddress(address);
    if (!contacts) {
      out.emplace_back(contacts.error());
      continue;
    }
    std::vector<Candidate> candidates;
    for (auto& c : *contacts) candidates.push_back({c.certificate, c.source == "harvested" ? "harvested" : "local", c.capabilities});
    out.emplace_back(std::move(candidates));
  }
  return out;
}

std::vector<Resolution> ResolveRecipients(const std::vector<std::string>& addresses,
                                          const std::vector<CertificateSource*>& sources, const pki::TrustStore& trust,
                                          std::time_t at, int min_rsa_bits, const RevocationCheck& revocation) {
  std::vector<std::vector<Candidate>> candidates(addresses.size());
  std::vector<std::optional<Error>> failures(addresses.size());
  for (CertificateSource* source : sources) {
    auto found = source->Find(addresses);
    for (size_t i = 0; i < addresses.size() && i < found.size(); ++i) {
      if (!found[i]) {
        if (!failures[i]) failures[i] = found[i].error();
        continue;
      }
      for (auto& c : *found[i]) candidates[i].push_back(std::move(c));
    }
  }
  std::vector<Resolution> out;
  for (size_t i = 0; i < addresses.size(); ++i) {
    RecipientChoice choice = ChooseRecipientCertificate(addresses[i], candidates[i], trust, at, min_rsa_bits, revocation);
    // A usable certificate from one source is enough; a failure matters only when nothing
    // usable was found, since the failed source might have held the right one.
    if (!choice.chosen && failures[i]) {
      out.push_back({addresses[i], *failures[i]});
    } else {
      out.push_back({addresses[i], std::move(choice)});
    }
  }
  return out;
}

}  // namespace sealpost::directory

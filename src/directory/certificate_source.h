// SPDX-License-Identifier: Apache-2.0
// CertificateSource: somewhere recipient certificates come from (the local contacts, LDAP).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "directory/contacts_store.h"
#include "directory/recipient_selector.h"

namespace sealpost::directory {

class CertificateSource {
 public:
  virtual ~CertificateSource() = default;
  virtual std::string Name() const = 0;
  // Candidates per address, in input order. A failed lookup is an error for that address,
  // never an empty list (catalogue S1-S4: fail closed).
  virtual std::vector<Result<std::vector<Candidate>>> Find(const std::vector<std::string>& addresses) = 0;
};

// The profile's contacts (manual and harvested).
class LocalSource final : public CertificateSource {
 public:
  explicit LocalSource(ContactsStore store) : store_(std::move(store)) {}
  std::string Name() const override { return "local"; }
  std::vector<Result<std::vector<Candidate>>> Find(const std::vector<std::string>& addresses) override;

 private:
  ContactsStore store_;
};

// Every address's choice across all sources; an address whose lookup failed in any source
// carries that error instead (a directory that is down is not "no certificate").
struct Resolution {
  std::string address;
  Result<RecipientChoice> choice;
};
std::vector<Resolution> ResolveRecipients(const std::vector<std::string>& addresses,
                                          const std::vector<CertificateSource*>& sources, const pki::TrustStore& trust,
                                          std::time_t at, int min_rsa_bits, const RevocationCheck& revocation = {});

}  // namespace sealpost::directory

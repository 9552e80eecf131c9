// SPDX-License-Identifier: Apache-2.0
// Choosing the encryption certificate for one address among every candidate the sources
// returned, and saying why each other one was passed over.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "pki/certificate.h"
#include "pki/trust_store.h"

namespace sealpost::directory {

struct Candidate {
  pki::Certificate certificate;
  std::string source;                     // "ldap", "local", "harvested"
  std::vector<std::string> capabilities;  // known SMIMECapabilities, empty when unknown
};

struct PassedOver {
  Candidate candidate;
  std::string reason;  // "expired", "untrusted (…)", "signing-only", "address mismatch", ...
};

struct RecipientChoice {
  std::string address;
  std::optional<Candidate> chosen;
  std::string why;  // why `chosen` won, or why there is none
  std::vector<PassedOver> passed_over;
};

// Rules (recipient-certificates issue): valid now, trusted chain, usable for encryption
// (keyEncipherment/keyAgreement), EKU allows emailProtection, the address is in the
// certificate, RSA of at least `min_rsa_bits`; among those the newest notBefore wins.
RecipientChoice ChooseRecipientCertificate(const std::string& address, const std::vector<Candidate>& candidates,
                                           const pki::TrustStore& trust, std::time_t at, int min_rsa_bits);

}  // namespace sealpost::directory

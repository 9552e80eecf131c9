// SPDX-License-Identifier: Apache-2.0
// Choosing the encryption certificate for one address among every candidate the sources
// returned, and saying why each other one was passed over.
#pragma once

#include <ctime>
#include <functional>
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

// Asked about a candidate that passed every other rule, with its validated chain (leaf
// first): an empty string keeps it, anything else is the reason it is passed over
// ("revoked", or "revocation unknown (...)" under hard-fail). Catalogue L12/S2. Unset = no
// revocation checking (policy revocation = off).
using RevocationCheck = std::function<std::string(const std::vector<pki::Certificate>& chain)>;

// Rules (recipient-certificates issue): valid now, trusted chain, usable for encryption
// (keyEncipherment/keyAgreement), EKU allows emailProtection, the address is in the
// certificate, RSA of at least `min_rsa_bits`, not revoked (when `revocation` is set);
// among those the newest notBefore wins.
RecipientChoice ChooseRecipientCertificate(const std::string& address, const std::vector<Candidate>& candidates,
                                           const pki::TrustStore& trust, std::time_t at, int min_rsa_bits,
                                           const RevocationCheck& revocation = {});

}  // namespace sealpost::directory

// SPDX-License-Identifier: Apache-2.0
// Recipient certificate selection: every rejection keeps its reason for `lookup`.
#include "directory/recipient_selector.h"

#include <algorithm>

namespace sealpost::directory {
namespace {

std::string RejectionReason(const std::string& address, const Candidate& c, const pki::TrustStore& trust,
                            std::time_t at, int min_rsa_bits, const RevocationCheck& revocation) {
  const pki::Certificate& cert = c.certificate;
  if (!cert.HasEmail(address)) return "address mismatch (the certificate is for " + (cert.Emails().empty() ? std::string("no address") : cert.Emails().front()) + ")";
  if (at > cert.NotAfter()) return "expired";
  if (at < cert.NotBefore()) return "not yet valid";
  if (cert.Purpose() == pki::KeyPurpose::kSigning) return "signing-only";
  if (!cert.EkuAllowsEmail()) return "not for e-mail (extended key usage)";
  if ((cert.KeyAlgorithm() == "rsa" || cert.KeyAlgorithm() == "rsa-pss") && cert.KeyBits() < min_rsa_bits)
    return "weak key (" + std::to_string(cert.KeyBits()) + "-bit RSA)";
  pki::ChainResult chain = trust.Validate(cert, {}, at, pki::CertUse::kEncryption, min_rsa_bits);
  if (!chain.trusted) {
    std::string problems;
    for (const auto& p : chain.problems) problems += (problems.empty() ? "" : ", ") + p;
    if (std::find(chain.problems.begin(), chain.problems.end(), "revoked") != chain.problems.end()) return "revoked";
    return "untrusted (" + problems + ")";
  }
  // Last, since it may ask a responder over the network: only for otherwise usable ones.
  if (revocation) return revocation(chain.chain);
  return {};
}

}  // namespace

RecipientChoice ChooseRecipientCertificate(const std::string& address, const std::vector<Candidate>& candidates,
                                           const pki::TrustStore& trust, std::time_t at, int min_rsa_bits,
                                           const RevocationCheck& revocation) {
  RecipientChoice choice;
  choice.address = address;
  std::vector<const Candidate*> usable;
  for (const auto& c : candidates) {
    std::string reason = RejectionReason(address, c, trust, at, min_rsa_bits, revocation);
    if (reason.empty()) {
      usable.push_back(&c);
    } else {
      choice.passed_over.push_back({c, reason});
    }
  }
  if (usable.empty()) {
    choice.why = candidates.empty() ? "no certificate found" : "no usable certificate among " + std::to_string(candidates.size()) + " found";
    return choice;
  }
  // Newest notBefore: the most recently issued certificate replaces older ones.
  std::stable_sort(usable.begin(), usable.end(), [](const Candidate* a, const Candidate* b) {
    return a->certificate.NotBefore() > b->certificate.NotBefore();
  });
  choice.chosen = *usable.front();
  choice.why = "valid, trusted, for encryption, matches the address" +
               std::string(usable.size() > 1 ? "; the newest of " + std::to_string(usable.size()) + " usable" : "") +
               " (from " + usable.front()->source + ")";
  for (size_t i = 1; i < usable.size(); ++i) choice.passed_over.push_back({*usable[i], "an older usable certificate"});
  return choice;
}

}  // namespace sealpost::directory

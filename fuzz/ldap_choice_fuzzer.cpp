// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the attribute values of an LDAP answer (userCertificate;binary and
// userSMIMECertificate) to the directory's certificate choice for an address.
// Input: an answer is a list of values, each a type byte (even: userCertificate, odd:
// userSMIMECertificate), a 16-bit big-endian length and the value; an input that starts
// with a DER SEQUENCE is one userCertificate value (so raw certificates are seeds too).
// Invariants: a chosen certificate lists the queried address, is valid at the time, can
// encrypt, allows e-mail, validates against the test CA (so bundles never add trust,
// catalogue L12/L15) and is the newest usable one; every other candidate is passed over
// with a reason; the choice is deterministic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "directory/internal/ldap_certificate_values.h"
#include "directory/recipient_selector.h"
#include "fuzz_support.h"

namespace {

using sealpost::fuzz::Check;
namespace dir = sealpost::directory;

std::vector<dir::Candidate> ReadAnswer(std::string_view input) {
  std::vector<dir::Candidate> out;
  sealpost::pki::CertificateCache certificates;  // per input: no state carried between runs
  auto add_value = [&](bool smime_bundle, std::string_view value) {
    if (!smime_bundle) {
      if (auto cert = dir::internal::ParseCertificateValue(value, certificates)) out.push_back({*cert, "ldap", {}});
      return;
    }
    if (auto certs = dir::internal::ParseSmimeBundle(value)) {
      for (const auto& c : *certs) out.push_back({c, "ldap", {}});
    }
  };
  if (!input.empty() && static_cast<unsigned char>(input[0]) == 0x30) {
    add_value(false, input);
    return out;
  }
  while (input.size() >= 3 && out.size() < 64) {
    bool smime_bundle = (static_cast<unsigned char>(input[0]) & 1) != 0;
    size_t length = (static_cast<size_t>(static_cast<unsigned char>(input[1])) << 8) | static_cast<unsigned char>(input[2]);
    input.remove_prefix(3);
    length = std::min(length, input.size());
    add_value(smime_bundle, input.substr(0, length));
    input.remove_prefix(length);
  }
  return out;
}

void CheckChoice(const std::string& address, const std::vector<dir::Candidate>& candidates) {
  const auto& pki = sealpost::fuzz::Pki();
  auto choice = dir::ChooseRecipientCertificate(address, candidates, pki.trust, sealpost::fuzz::kFuzzTime, 2048);
  Check(choice.address == address, "the choice is for another address");
  Check(choice.passed_over.size() + (choice.chosen ? 1 : 0) == candidates.size(),
        "a candidate was neither chosen nor passed over");
  for (const auto& p : choice.passed_over) Check(!p.reason.empty(), "a candidate passed over without a reason");
  Check(!choice.why.empty(), "a choice without a reason");
  if (!choice.chosen) return;
  const auto& cert = choice.chosen->certificate;
  Check(cert.HasEmail(address), "the chosen certificate does not list the address");
  Check(cert.ValidAt(sealpost::fuzz::kFuzzTime), "the chosen certificate is not valid at the time");
  Check(cert.AllowsEncryption() && cert.Purpose() != sealpost::pki::KeyPurpose::kSigning, "the chosen certificate cannot encrypt");
  Check(cert.EkuAllowsEmail(), "the chosen certificate is not for e-mail");
  Check(pki.trust.Validate(cert, {}, sealpost::fuzz::kFuzzTime, sealpost::pki::CertUse::kEncryption, 2048).trusted,
        "the chosen certificate does not validate");
  Check(sealpost::fuzz::IssuedByTestCa(cert), "a certificate the test CA never issued was chosen");
  for (const auto& p : choice.passed_over) {
    if (p.reason == "an older usable certificate")
      Check(p.candidate.certificate.NotBefore() <= cert.NotBefore(), "an older certificate won over a newer one");
  }
  auto again = dir::ChooseRecipientCertificate(address, candidates, pki.trust, sealpost::fuzz::kFuzzTime, 2048);
  Check(again.chosen.has_value() && again.chosen->certificate == cert, "the choice is not deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<dir::Candidate> candidates = ReadAnswer(sealpost::fuzz::AsView(data, size));
  CheckChoice("bob@example.org", candidates);
  // Also the address the answer itself names first (exercises every certificate's match).
  for (const auto& c : candidates) {
    auto emails = c.certificate.Emails();
    if (!emails.empty()) {
      CheckChoice(emails.front(), candidates);
      break;
    }
  }
  return 0;
}

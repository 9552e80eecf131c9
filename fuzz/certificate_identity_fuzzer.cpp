// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a certificate (PEM, DER or a PKCS#7 bundle) to the identity facts Sealpost
// derives from it: role detection (signing-only / encryption-only / dual from keyUsage),
// EKU, addresses, AD CS template, validation against the test CA.
// Invariants: what parses re-serialises to DER that parses to the same certificate (and
// the same facts); the role agrees with keyUsage; addresses are lower-case, unique, free of
// NUL/CR/LF and each one that has a comparable form matches; a certificate the test CA never issued is never trusted.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "pki/comparable_address.h"

namespace {

using sealpost::fuzz::Check;
using sealpost::pki::Certificate;
using sealpost::pki::KeyPurpose;

void Examine(const Certificate& cert) {
  KeyPurpose purpose = cert.Purpose();
  bool sign = cert.AllowsSigning();
  bool encrypt = cert.AllowsEncryption();
  Check(purpose != KeyPurpose::kSigning || (sign && !encrypt), "signing-only role for a key that can encrypt");
  Check(purpose != KeyPurpose::kEncryption || (encrypt && !sign), "encryption-only role for a key that can sign");
  Check(purpose != KeyPurpose::kDual || sign == encrypt, "dual role for a single-purpose key");

  auto emails = cert.Emails();
  for (size_t i = 0; i < emails.size(); ++i) {
    const std::string& e = emails[i];
    Check(!e.empty(), "an empty address");
    Check(e.find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos, "an address with NUL, CR or LF");
    Check(std::none_of(e.begin(), e.end(), [](char c) { return c >= 'A' && c <= 'Z'; }), "an address not lower-cased");
    Check(std::find(emails.begin(), emails.begin() + static_cast<long>(i), e) == emails.begin() + static_cast<long>(i),
          "an address listed twice");
    // A listed address matches its certificate exactly when it has a comparable form (an
    // invalid IDN domain matches nothing, catalogue I4).
    Check(cert.HasEmail(e) == sealpost::pki::ComparableAddress(e).has_value(),
          "a listed address matches its own certificate only sometimes");
  }
  (void)cert.Subject();
  (void)cert.Issuer();
  (void)cert.CommonName();
  (void)cert.TemplateName();
  (void)cert.SerialHex();
  (void)cert.KeyAlgorithm();
  (void)cert.KeyBits();
  (void)cert.IsCa();
  Check(cert.Sha256Fingerprint().size() == 64, "a fingerprint that is not 32 bytes of hex");

  for (auto use : {sealpost::pki::CertUse::kSigning, sealpost::pki::CertUse::kEncryption}) {
    auto chain = sealpost::fuzz::Pki().trust.Validate(cert, {}, sealpost::fuzz::kFuzzTime, use, 2048);
    if (chain.trusted) {
      Check(sealpost::fuzz::IssuedByTestCa(cert), "a certificate the test CA never issued validates");
      Check(use == sealpost::pki::CertUse::kSigning ? cert.AllowsSigning() : cert.AllowsEncryption(),
            "a certificate validates for a use its key usage forbids");
      Check(cert.EkuAllowsEmail(), "a certificate validates for e-mail although its EKU forbids it");
    }
  }

  std::string der = cert.ToDer();
  Check(!der.empty(), "a parsed certificate does not serialise");
  auto again = Certificate::Parse(der);
  Check(again.has_value(), "the re-serialised certificate does not parse");
  Check(*again == cert && again->ToDer() == der, "re-serialising changed the certificate");
  Check(again->Purpose() == purpose && again->Emails() == emails && again->EkuAllowsEmail() == cert.EkuAllowsEmail(),
        "the re-parsed certificate has different identity facts");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = sealpost::fuzz::AsView(data, size);
  if (auto all = Certificate::ParseAll(bytes)) {
    for (const auto& cert : *all) Examine(cert);
  }
  if (auto bundle = Certificate::ParseCertsOnlyBundle(bytes)) {
    for (const auto& cert : *bundle) Examine(cert);
  }
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: the embedded test PKI, reader contexts built on it, the
// verdict invariants, and a check that aborts (a crash to libFuzzer, a failure to replay).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string_view>

#include "pki/certificate.h"
#include "pki/private_key.h"
#include "pki/trust_store.h"
#include "smime/context.h"
#include "smime/report.h"

namespace sealpost::fuzz {

// Certificates are validated at this fixed time (2027-06-01T00:00:00Z), so a run's result
// does not depend on the clock; the test PKI is valid from 2026-11-28 for 100 years.
inline constexpr std::time_t kFuzzTime = 1811808000;

// The PKCS#12 seeds' password and the vault seeds' passphrase.
inline constexpr std::string_view kPkcs12Password = "fuzz";
inline constexpr std::string_view kVaultPassphrase = "sealpost fuzz vault passphrase";

// fuzz/testkeys/: a CA, alice (signing-only, alice@example.org) and bob (encryption-only,
// bob@example.org), embedded at build time. Parsed once; aborts if they do not parse.
struct TestPki {
  pki::Certificate ca;
  pki::Certificate alice;
  pki::PrivateKey alice_key;
  pki::Certificate bob;
  pki::PrivateKey bob_key;
  pki::TrustStore trust;  // the CA as the only anchor
};
const TestPki& Pki();

// True if `cert` is the test CA or carries a signature by the CA's key: only such
// certificates can ever validate against Pki().trust.
bool IssuedByTestCa(const pki::Certificate& cert);

// A reader: bob's profile (his encryption identity and key when `with_keys`), trusting
// the test CA, default algorithm policy, certificates checked at kFuzzTime.
smime::SecureMimeContext ReaderContext(bool with_keys);

// The verdict rules every report must keep, whatever the input (RFC 8550/8551, catalogue
// C2-C4, I1-I3, M1-M4): nothing is good without a valid, trusted signer matching From on a
// layer that covers the whole message; failed encryption layers release no content.
void CheckReport(const smime::Report& report);

// Aborts with `what` when `condition` is false.
void Check(bool condition, const char* what);

inline std::string_view AsView(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace sealpost::fuzz

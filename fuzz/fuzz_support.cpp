// SPDX-License-Identifier: Apache-2.0
// The shared test PKI and verdict invariants of the fuzz targets.
#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "fuzz_test_keys.h"  // generated from fuzz/testkeys/ by fuzz/CMakeLists.txt
#include "policy/algorithm_policy.h"

namespace sealpost::fuzz {
namespace {

template <typename T>
T Must(Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", what, result.error().message().c_str());
    std::abort();
  }
  return std::move(result).value();
}

TestPki* LoadPki() {
  auto* pki = new TestPki{Must(pki::Certificate::Parse(kCaPem), "ca.pem"),
                          Must(pki::Certificate::Parse(kAlicePem), "alice.pem"),
                          Must(pki::PrivateKey::Parse(kAliceKey), "alice.key"),
                          Must(pki::Certificate::Parse(kBobPem), "bob.pem"),
                          Must(pki::PrivateKey::Parse(kBobKey), "bob.key"),
                          {}};
  pki->trust.AddAnchor(pki->ca);
  return pki;
}

// Hands out bob's key for bob's certificate, as the vault would.
class TestKeySource final : public smime::KeySource {
 public:
  Result<pki::PrivateKey> PrivateKeyFor(const pki::Certificate& cert) override {
    if (cert == Pki().bob) return Pki().bob_key;
    return Error(ErrorCode::kNotFound, "no key for this certificate in the fuzz key source");
  }
};

}  // namespace

const TestPki& Pki() {
  // Kept for the life of the process (never freed, so LeakSanitizer sees it reachable).
  static const TestPki* pki = LoadPki();
  return *pki;
}

bool IssuedByTestCa(const pki::Certificate& cert) {
  if (cert == Pki().ca) return true;
  bool signed_by_ca = X509_verify(cert.native(), X509_get0_pubkey(Pki().ca.native())) == 1;
  ERR_clear_error();
  return signed_by_ca;
}

smime::SecureMimeContext ReaderContext(bool with_keys) {
  std::vector<smime::Identity> identities;
  std::shared_ptr<smime::KeySource> keys;
  if (with_keys) {
    identities.push_back({Pki().bob, false, true});
    keys = std::make_shared<TestKeySource>();
  }
  return smime::SecureMimeContext(std::move(identities), std::move(keys), Pki().trust,
                                  policy::DefaultAlgorithmPolicy(), kFuzzTime);
}

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

void CheckReport(const smime::Report& report) {
  bool root_signed_layer_ok = false;
  for (const auto& layer : report.layers) {
    Check(layer.status == "ok" || layer.status == "not-decrypted" || layer.error_code.has_value(),
          "a layer that is not ok carries no typed error");
    if (layer.status != "ok") Check(!layer.error.empty(), "a failed layer gives the user no reason");
    if (layer.kind == smime::LayerVerdict::Kind::kSigned && layer.covers_whole_message && layer.status == "ok")
      root_signed_layer_ok = true;
  }
  Check(report.is_signed == root_signed_layer_ok, "is_signed disagrees with the root-chain signed layers");
  Check(report.is_encrypted == (report.Encryption() != nullptr), "is_encrypted disagrees with the layers");

  for (const auto& sig : report.signatures) {
    Check(sig.layer >= 0 && static_cast<size_t>(sig.layer) < report.layers.size(), "a signature points at no layer");
    const smime::LayerVerdict& layer = report.layers[static_cast<size_t>(sig.layer)];
    Check(layer.kind == smime::LayerVerdict::Kind::kSigned && layer.status == "ok",
          "a signature hangs off a layer that is not a verified signed layer");
    Check(!sig.covers_whole_message || layer.covers_whole_message,
          "a signature covers the whole message but its layer does not");
    Check(!sig.trusted || sig.signer.has_value(), "a signature is trusted without a signer certificate");
    if (sig.email_matches_from) {
      Check(sig.signer.has_value() && !report.from.empty() && sig.signer->HasEmail(report.from),
            "email_matches_from without the From address in the signer certificate");
    }
    if (sig.FullyGood())
      Check(sig.status == cms::SignatureStatus::kValid && sig.signer.has_value() && sig.trusted,
            "a fully good signature without a valid, trusted signer");
    // Only the test CA's own certificates chain to its anchor: nobody else can be trusted.
    if (sig.trusted)
      Check(IssuedByTestCa(*sig.signer), "a signer that the test CA never issued is trusted");
  }

  int exit_code = smime::ExitCodeFor(report, /*require_signature=*/true);
  if (exit_code == 0) {
    Check(report.is_signed && !report.signatures.empty(), "verify says good without any signature");
    for (const auto& sig : report.signatures) Check(sig.FullyGood(), "verify says good with a signer that is not");
    Check(report.malformed.empty(), "verify says good about a malformed message");
  }

  // Never plaintext from a layer that failed: when the outermost layer is a root
  // encryption layer that did not decrypt, nothing inside it was examined or shown.
  if (!report.layers.empty()) {
    const smime::LayerVerdict& outer = report.layers.front();
    if (outer.kind == smime::LayerVerdict::Kind::kEncrypted && outer.part.empty() && outer.status != "ok") {
      Check(report.layers.size() == 1 && report.signatures.empty(), "layers examined inside a failed encryption layer");
      Check(report.content_entity.empty() && report.content.text_plain.empty() && report.content.text_html.empty() &&
                report.content.attachments.empty(),
            "content shown from an encryption layer that failed");
    }
  }
}

}  // namespace sealpost::fuzz

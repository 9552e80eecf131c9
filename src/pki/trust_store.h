// SPDX-License-Identifier: Apache-2.0
// TrustStore: the profile's trust anchors and untrusted helper intermediates, and RFC 5280
// path validation of an S/MIME certificate against them.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"
#include "pki/certificate.h"
#include "pki/validation_options.h"

namespace sealpost::pki {

struct ChainResult {
  bool trusted = false;              // a path to an anchor exists and every check passed
  std::vector<std::string> problems;  // stable names: "expired", "untrusted", ...
  std::vector<Certificate> chain;     // leaf first, as built (may be partial)
};

class TrustStore final {
 public:
  TrustStore() = default;

  void AddAnchor(Certificate cert) { anchors_.push_back(std::move(cert)); }
  void AddIntermediate(Certificate cert) { intermediates_.push_back(std::move(cert)); }
  const std::vector<Certificate>& anchors() const { return anchors_; }
  const std::vector<Certificate>& intermediates() const { return intermediates_; }

  // Validates `leaf` against the anchors as `options` ask. `untrusted` are extra
  // certificates (e.g. the CMS certificate bag): never anchors, only path helpers
  // (catalogue C4). An intermediate anchor ends the path there (partial chains). Every
  // candidate path is tried (bounded, catalogue P11) until one passes every check; when none
  // does, the problems are those of the first path tried. Never fails: problems are in the
  // result. Thread-safe (const, no shared mutable state).
  ChainResult Validate(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                       const ValidationOptions& options) const;

  // The S/MIME shorthand: validation at `at` for `use` with an RSA floor.
  ChainResult Validate(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                       std::time_t at, CertUse use, int min_rsa_bits) const;

 private:
  std::vector<Certificate> anchors_;
  std::vector<Certificate> intermediates_;
};

}  // namespace sealpost::pki

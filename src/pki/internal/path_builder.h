// SPDX-License-Identifier: Apache-2.0
// PathBuilder: every candidate certification path from a leaf up to a trust anchor, depth
// first and bounded, so that validation can backtrack past a dead end (an expired
// cross-certificate, a CA with the wrong constraints) to another path (RFC 4158).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "pki/certificate.h"

namespace sealpost::pki::internal {

// A path, leaf first and anchor last; the anchor may be the leaf itself.
using CertPath = std::vector<const Certificate*>;

struct PathLimits {
  int max_intermediates = 32;  // CA certificates below the anchor, self-issued ones not counted
  size_t max_paths = 16;       // complete paths offered to the visitor
  size_t max_steps = 4096;     // issuer candidates examined in total (catalogue P11)
};

class PathBuilder final {
 public:
  // The vectors must outlive the builder. `untrusted` may hold duplicates and decoys.
  PathBuilder(const std::vector<Certificate>& anchors, const std::vector<Certificate>& untrusted,
              PathLimits limits);

  // Calls `visit` with each complete path until it returns true; anchors are tried before
  // intermediates at every level (shortest trusted path first). Returns true if a visit did.
  bool ForEachPath(const Certificate& leaf, const std::function<bool(const CertPath&)>& visit);

  // True when the budget ran out before every path was offered.
  bool exhausted() const { return exhausted_; }

 private:
  bool Extend(CertPath& path, int intermediates, const std::function<bool(const CertPath&)>& visit);

  const std::vector<Certificate>& anchors_;
  std::vector<const Certificate*> untrusted_;  // without duplicates and without anchors
  PathLimits limits_;
  size_t paths_ = 0;
  size_t steps_ = 0;
  bool exhausted_ = false;
};

// Whether `issuer`'s subject is `cert`'s issuer name and, when both carry key identifiers,
// its subject key identifier is `cert`'s authority key identifier. Signatures are left to
// the validator.
bool MayHaveIssued(const Certificate& issuer, const Certificate& cert);

}  // namespace sealpost::pki::internal

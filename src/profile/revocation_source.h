// SPDX-License-Identifier: Apache-2.0
// The engine's revocation source backed by OCSP/CRL over HTTP with the profile's cache.
#pragma once

#include <memory>
#include <string>

#include "revocation/revocation_checker.h"
#include "smime/context.h"

namespace sealpost::profile {

class CheckerRevocationSource final : public smime::RevocationSource {
 public:
  explicit CheckerRevocationSource(revocation::RevocationOptions options) : checker_(std::move(options)) {}
  smime::RevocationAnswer Check(const std::vector<pki::Certificate>& chain) override;

 private:
  revocation::RevocationChecker checker_;
};

}  // namespace sealpost::profile

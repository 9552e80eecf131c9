// SPDX-License-Identifier: Apache-2.0
// Lifts the certificate bag out of an encoded SignedData ContentInfo, so the certificates
// can be parsed once per run (CertificateCache) instead of once per message by d2i_CMS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::cms::internal {

struct SplitBag {
  std::string without_certificates;      // the ContentInfo re-encoded without [0] certificates
  std::vector<std::string_view> certificates;  // each Certificate's encoding, in order (views into the input)
};

// nullopt when the input is not a SignedData ContentInfo this can take apart safely (no
// bag, another CertificateChoices arm than a plain Certificate, malformed): the caller then
// parses the input as it is.
std::optional<SplitBag> SplitCertificateBag(std::string_view content_info);

}  // namespace sealpost::cms::internal

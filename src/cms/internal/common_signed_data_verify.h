// SPDX-License-Identifier: Apache-2.0
// Verification of the common shape (common_signed_data.h) without OpenSSL's CMS decoder,
// for bulk runs. Like the fast signature check it only ever answers "valid": a message of
// another shape, a bad signature or digest, a weak key, a signer it cannot find unambiguously
// gives nullopt, and the caller verifies with OpenSSL, so verdicts and their wording stay
// OpenSSL's. When it answers, the result equals what OpenSSL's path with the same caches
// returns, field for field (checked by cms_test and the signed_data fuzzer).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "cms/signed_data.h"

namespace sealpost::cms::internal {

// Needs options.certificate_cache and options.key_cache (nullopt without them). Exactly one
// of `content` (the detached content, canonical) and `precomputed` is given.
std::optional<SignedDataResult> VerifyCommonSignedData(std::string_view der, const std::string_view* content,
                                                       const ContentDigest* precomputed, const VerifyOptions& options,
                                                       const std::vector<pki::Certificate>& extra_certs);

}  // namespace sealpost::cms::internal

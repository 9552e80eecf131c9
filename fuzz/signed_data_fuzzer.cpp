// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a DER SignedData over a fixed detached content (fuzz/make_seeds.sh signs the
// same bytes), checked with a bulk run's caches twice: with the common-shape path allowed
// and with OpenSSL's path alone. Invariant: the two results are equal field for field, with
// and without sender preferences wanted, from the content and from its digest; and the
// common-shape path answers only "valid".
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <cstddef>
#include <cstdint>

#include "cms/internal/common_signed_data_verify.h"
#include "cms/testing/signed_data_summary.h"
#include "fuzz_support.h"

namespace {

// = make_seeds.sh signed_data_content (CRLF: the canonical form a signer hashes).
constexpr std::string_view kContent = "Content-Type: text/plain\r\n\r\nThe signed_data fuzz target's content.\r\n";

std::string Sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sealpost;
  using fuzz::Check;
  static auto* certificates = new pki::CertificateCache(4096);
  static auto* keys = new cms::SignerKeyCache();
  static const auto* extra = new std::vector<pki::Certificate>{fuzz::Pki().ca};
  static const std::string digest = Sha256(kContent);
  const std::string_view der = fuzz::AsView(data, size);
  for (bool want_preferences : {false, true}) {
    cms::VerifyOptions options;
    options.certificate_cache = certificates;
    options.key_cache = keys;
    options.want_sender_preferences = want_preferences;
    auto answer = cms::internal::VerifyCommonSignedData(der, &kContent, nullptr, options, *extra);
    const std::string fast = cms::testing::Summary(cms::VerifySignedData(der, kContent, options, *extra));
    const cms::ContentDigest precomputed{NID_sha256, digest};
    const std::string fast_digest =
        cms::testing::Summary(cms::VerifySignedDataWithDigest(der, precomputed, options, *extra));
    options.common_shape_fast_path = false;
    const std::string openssl = cms::testing::Summary(cms::VerifySignedData(der, kContent, options, *extra));
    const std::string openssl_digest =
        cms::testing::Summary(cms::VerifySignedDataWithDigest(der, precomputed, options, *extra));
    Check(fast == openssl, "the common-shape path and OpenSSL's gave different results");
    Check(fast_digest == openssl_digest, "the two paths differ from a precomputed digest");
    if (answer) {
      Check(answer->signers.size() == 1 && answer->signers[0].status == cms::SignatureStatus::kValid,
            "the common-shape path answered something other than one valid signer");
      Check(cms::testing::Summary(*answer) == openssl, "the common-shape answer is not OpenSSL's");
    }
  }
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Test helper: a detached SignedData made with OpenSSL's CMS API over `content`. `change`
// edits the SignerInfo before it is signed (so odd attributes are signed, not tampered
// with); `flags` adds CMS_NOCERTS, CMS_NOSMIMECAP and the like.
#pragma once

#include <gtest/gtest.h>
#include <openssl/cms.h>

#include <functional>
#include <string>
#include <string_view>

#include "ossl/handles.h"

namespace sealpost::cms::testing {

inline std::string SignDetached(std::string_view content, EVP_PKEY* key, X509* cert, const EVP_MD* md,
                                const std::function<void(CMS_SignerInfo*)>& change = nullptr, unsigned int flags = 0) {
  ossl::BioPtr data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL));
  EXPECT_NE(cms, nullptr);
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert, key, md, CMS_BINARY | flags);
  EXPECT_NE(si, nullptr);
  if (change) change(si);
  EXPECT_EQ(CMS_final(cms.get(), data.get(), nullptr, CMS_DETACHED | CMS_BINARY), 1);
  unsigned char* out = nullptr;
  int len = i2d_CMS_ContentInfo(cms.get(), &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len > 0 ? len : 0));
  OPENSSL_free(out);
  return der;
}

}  // namespace sealpost::cms::testing

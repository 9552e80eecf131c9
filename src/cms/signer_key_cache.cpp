// SPDX-License-Identifier: Apache-2.0
#include "cms/signer_key_cache.h"

#include <openssl/objects.h>

#include "ossl/errors.h"

namespace sealpost::cms {

SignerKeyCache::~SignerKeyCache() {
  for (auto& [key, ctx] : contexts_) EVP_PKEY_CTX_free(ctx);
  for (auto& [nid, md] : digests_) EVP_MD_free(md);
}

const EVP_MD* SignerKeyCache::Digest(int md_nid) {
  if (auto it = digests_.find(md_nid); it != digests_.end()) return it->second;
  EVP_MD* md = EVP_MD_fetch(nullptr, OBJ_nid2sn(md_nid), nullptr);
  if (!md) {
    ossl::DrainErrors();
    return nullptr;
  }
  digests_.emplace(md_nid, md);
  return md;
}

EVP_PKEY_CTX* SignerKeyCache::VerifyContext(EVP_PKEY* key, int md_nid) {
  if (!key) return nullptr;
  if (auto it = contexts_.find({key, md_nid}); it != contexts_.end()) return it->second;
  const EVP_MD* md = Digest(md_nid);
  if (!md) return nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  if (!ctx || EVP_PKEY_verify_init(ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0) {
    EVP_PKEY_CTX_free(ctx);
    ossl::DrainErrors();
    return nullptr;
  }
  if (contexts_.size() >= kMaxContexts) {
    for (auto& [k, c] : contexts_) EVP_PKEY_CTX_free(c);
    contexts_.clear();
  }
  contexts_.emplace(std::make_pair(key, md_nid), ctx);
  return ctx;
}

}  // namespace sealpost::cms

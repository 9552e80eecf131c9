// SPDX-License-Identifier: Apache-2.0
// The revocation cache directory: hashed file names, atomic replacement, private permissions.
#include "revocation/internal/response_cache.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/file_io.h"
#include "ossl/errors.h"

namespace sealpost::revocation::internal {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    ossl::DrainErrors();
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string ResponseCache::Key(std::string_view kind, std::string_view material) {
  return std::string(kind) + "-" + Sha256Hex(material);
}

std::string ResponseCache::PathFor(const std::string& key) const { return dir_ + "/" + key + ".der"; }

std::optional<std::string> ResponseCache::Load(const std::string& key) const {
  if (!enabled()) return std::nullopt;
  std::error_code ec;
  std::string path = PathFor(key);
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes_) return std::nullopt;
  auto bytes = ReadFile(path);
  if (!bytes || bytes->size() > max_bytes_) return std::nullopt;
  return std::move(bytes).value();
}

Status ResponseCache::Store(const std::string& key, std::string_view bytes) const {
  if (!enabled()) return Ok();
  std::error_code ec;
  std::filesystem::path dir(dir_);
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  // Private: which certificates a user checks tells whom they correspond with.
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error(ErrorCode::kIo, "cannot create the revocation cache " + dir_ + ": " + std::strerror(errno));
  }
  return WriteFileAtomically(PathFor(key), bytes, 0600);
}

}  // namespace sealpost::revocation::internal

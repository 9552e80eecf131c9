// SPDX-License-Identifier: Apache-2.0
// Cache files: round trips, misses, the size cap, private permissions, disabled caches.
#include "revocation/internal/response_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "revocation/internal/openssl_cli_fixture.h"

namespace sealpost::revocation::internal {
namespace {

TEST(ResponseCacheTest, StoredBytesLoadBack) {
  TempDir tmp;
  ResponseCache cache(tmp.path() + "/cache", 1024);
  std::string key = ResponseCache::Key("ocsp", "cert id");
  EXPECT_FALSE(cache.Load(key).has_value());
  ASSERT_TRUE(cache.Store(key, std::string("\x30\x03\x0a\x01\x00", 5)).has_value());
  auto loaded = cache.Load(key);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, std::string("\x30\x03\x0a\x01\x00", 5));
  ASSERT_TRUE(cache.Store(key, "newer").has_value());
  EXPECT_EQ(*cache.Load(key), "newer");
}

TEST(ResponseCacheTest, KeysAreStableFileNamesPerKindAndMaterial) {
  std::string key = ResponseCache::Key("crl", "a");
  EXPECT_EQ(key, ResponseCache::Key("crl", "a"));
  EXPECT_NE(key, ResponseCache::Key("crl", "b"));
  EXPECT_NE(key, ResponseCache::Key("ocsp", "a"));
  EXPECT_EQ(key.size(), 4u + 64u);
  EXPECT_EQ(key.find('/'), std::string::npos);
}

TEST(ResponseCacheTest, DirectoryIsPrivateAndCreatedOnFirstStore) {
  TempDir tmp;
  std::string dir = tmp.path() + "/nested/cache";
  ResponseCache cache(dir, 1024);
  std::string key = ResponseCache::Key("crl", "x");
  ASSERT_TRUE(cache.Store(key, "bytes").has_value());
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir + "/" + key + ".der").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ResponseCacheTest, EntriesOverTheCapAreMisses) {
  TempDir tmp;
  ResponseCache big(tmp.path(), 1 << 20);
  ResponseCache small(tmp.path(), 8);
  std::string key = ResponseCache::Key("crl", "big");
  ASSERT_TRUE(big.Store(key, std::string(100, 'x')).has_value());
  EXPECT_TRUE(big.Load(key).has_value());
  EXPECT_FALSE(small.Load(key).has_value());
}

TEST(ResponseCacheTest, EmptyDirectoryDisablesTheCache) {
  ResponseCache cache("", 1024);
  EXPECT_FALSE(cache.enabled());
  std::string key = ResponseCache::Key("ocsp", "x");
  EXPECT_TRUE(cache.Store(key, "bytes").has_value());
  EXPECT_FALSE(cache.Load(key).has_value());
}

TEST(ResponseCacheTest, UnwritableDirectoryFailsWithIo) {
  TempDir tmp;
  std::string blocker = tmp.path() + "/file";
  std::ofstream(blocker) << "not a directory";
  ResponseCache cache(blocker + "/cache", 1024);
  auto stored = cache.Store(ResponseCache::Key("ocsp", "x"), "bytes");
  ASSERT_FALSE(stored.has_value());
  EXPECT_EQ(stored.error().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace sealpost::revocation::internal

// SPDX-License-Identifier: Apache-2.0
// The directory cache: answers come back while fresh, never after their lifetime, and a
// damaged row is a miss, never an error or a wrong answer.
#include "directory/lookup_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "pki/testing/throwaway_certificate.h"

namespace sealpost::directory {
namespace {

class LookupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sealpost-lookup-cache-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto cache = LookupCache::Open((dir_ / "cache.db").string());
    ASSERT_TRUE(cache.has_value()) << cache.error().message();
    cache_.emplace(std::move(cache).value());
  }
  void TearDown() override {
    cache_.reset();
    std::filesystem::remove_all(dir_);
  }

  static pki::Certificate Cert(const char* name, long serial = 1) {
    auto x509 = pki::testing::ThrowawayCertificate(name, serial);
    return pki::Certificate::FromNative(x509.get());
  }

  // Runs `sql` on the cache file behind the cache's back (a damaged or old-format row).
  void Tamper(const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "cache.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  std::optional<std::vector<pki::Certificate>> Get(const std::string& address, std::time_t now) {
    auto got = cache_->Get("ldap", address, now, lifetimes_);
    EXPECT_TRUE(got.has_value()) << got.error().message();
    return got ? *got : std::nullopt;
  }

  std::filesystem::path dir_;
  std::optional<LookupCache> cache_;
  CacheLifetimes lifetimes_{.found_s = 100, .not_found_s = 10};
};

TEST_F(LookupCacheTest, FreshAnswerComesBackWithEveryCertificateInOrder) {
  const std::vector<pki::Certificate> certs = {Cert("Bob", 1), Cert("Bob", 2)};
  ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", certs, 1000).has_value());
  auto got = Get("bob@example.org", 1099);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, certs);
  // Twins: another address, another source, and the same answer past its lifetime.
  EXPECT_FALSE(Get("alice@example.org", 1099).has_value());
  auto other_source = cache_->Get("local", "bob@example.org", 1099, lifetimes_);
  ASSERT_TRUE(other_source.has_value());
  EXPECT_FALSE(other_source->has_value());
  EXPECT_FALSE(Get("bob@example.org", 1100).has_value());
}

TEST_F(LookupCacheTest, NothingFoundHasTheShorterLifetime) {
  ASSERT_TRUE(cache_->Put("ldap", "nobody@example.org", {}, 1000).has_value());
  auto got = Get("nobody@example.org", 1009);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->empty());
  EXPECT_FALSE(Get("nobody@example.org", 1010).has_value());
}

TEST_F(LookupCacheTest, AClockThatWentBackIsAMiss) {
  ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", {Cert("Bob")}, 1000).has_value());
  EXPECT_TRUE(Get("bob@example.org", 1000).has_value());
  EXPECT_FALSE(Get("bob@example.org", 999).has_value());
}

TEST_F(LookupCacheTest, ALaterAnswerReplacesTheEarlierOne) {
  ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", {Cert("Bob", 1)}, 1000).has_value());
  const pki::Certificate renewed = Cert("Bob", 2);
  ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", {renewed}, 1050).has_value());
  auto got = Get("bob@example.org", 1140);  // fresh only by the second answer's time
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, std::vector<pki::Certificate>{renewed});
}

TEST_F(LookupCacheTest, DamagedOrOldFormatRowsAreMisses) {
  ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", {Cert("Bob")}, 1000).has_value());
  ASSERT_TRUE(Get("bob@example.org", 1001).has_value());
  const char* damages[] = {
      // the PEM form earlier versions wrote
      "UPDATE lookups SET certs = CAST('-----BEGIN CERTIFICATE-----' AS BLOB)",
      // a length running past the end
      "UPDATE lookups SET certs = X'000010003082'",
      // a frame whose bytes are not a certificate
      "UPDATE lookups SET certs = X'0000000301020304'",
      // a cut-off length
      "UPDATE lookups SET certs = X'0000'",
      // a zero length
      "UPDATE lookups SET certs = X'00000000'",
  };  // (wrong column types cannot be stored: the table is STRICT)
  for (const char* damage : damages) {
    SCOPED_TRACE(damage);
    ASSERT_TRUE(cache_->Put("ldap", "bob@example.org", {Cert("Bob")}, 1000).has_value());
    Tamper(damage);
    EXPECT_FALSE(Get("bob@example.org", 1001).has_value());
  }
}

}  // namespace
}  // namespace sealpost::directory

// SPDX-License-Identifier: Apache-2.0
// Unlocking a vault with a cached unlock key (no scrypt), and the kernel keyring that
// holds it: the key opens its own vault only, never after a passphrase change, and a
// wrong passphrase is never turned into a key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "keys/session_keyring.h"
#include "keys/vault.h"

namespace sealpost::keys {
namespace {

namespace fs = std::filesystem;

class UnlockKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sealpost-unlock-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/vault.db";
    auto vault = Vault::Create(path_, SecretBytes("right"), MinimumKdfParams());
    ASSERT_TRUE(vault.has_value()) << vault.error().message();
    id_ = vault->Put("private-key", "k", SecretBytes("s3cret")).value();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, path_, id_;
};

TEST_F(UnlockKeyTest, TheUnlockKeyOpensTheVaultWithoutThePassphrase) {
  auto key = Vault::DeriveUnlockKey(path_, SecretBytes("right"));
  ASSERT_TRUE(key.has_value()) << key.error().message();
  auto vault = Vault::OpenWithUnlockKey(path_, *key);
  ASSERT_TRUE(vault.has_value()) << vault.error().message();
  EXPECT_EQ(vault->Get(id_)->view(), "s3cret");
}

TEST_F(UnlockKeyTest, AWrongPassphraseGivesNoKey) {
  auto key = Vault::DeriveUnlockKey(path_, SecretBytes("wrong"));
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code(), ErrorCode::kBadPassword);
}

TEST_F(UnlockKeyTest, AnyOtherKeyIsABadPassword) {
  auto key = Vault::DeriveUnlockKey(path_, SecretBytes("right"));
  ASSERT_TRUE(key.has_value());
  std::string bytes(key->view());
  bytes[5] ^= 1;
  auto vault = Vault::OpenWithUnlockKey(path_, SecretBytes(bytes));
  ASSERT_FALSE(vault.has_value());
  EXPECT_EQ(vault.error().code(), ErrorCode::kBadPassword);
}

// The cached-key open asks for the key under UnlockKeyName's name, and fails for the
// same reasons as OpenWithUnlockKey.
TEST_F(UnlockKeyTest, TheCachedKeyIsLookedUpByTheVaultsName) {
  auto key = Vault::DeriveUnlockKey(path_, SecretBytes("right"));
  auto name = Vault::UnlockKeyName(path_);
  ASSERT_TRUE(key.has_value() && name.has_value());
  std::string asked;
  auto vault = Vault::OpenWithCachedUnlockKey(path_, [&](const std::string& n) -> std::optional<SecretBytes> {
    asked = n;
    return SecretBytes(std::string(key->view()));
  });
  ASSERT_TRUE(vault.has_value()) << vault.error().message();
  EXPECT_EQ(asked, *name);
  EXPECT_EQ(vault->Get(id_)->view(), "s3cret");
  auto none = Vault::OpenWithCachedUnlockKey(path_, [](const std::string&) { return std::optional<SecretBytes>(); });
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  std::string bytes(key->view());
  bytes[5] ^= 1;
  auto wrong = Vault::OpenWithCachedUnlockKey(path_, [&](const std::string&) { return std::optional<SecretBytes>(SecretBytes(bytes)); });
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kBadPassword);
}

TEST_F(UnlockKeyTest, AfterAPassphraseChangeTheOldKeyNeitherOpensNorIsFound) {
  auto key = Vault::DeriveUnlockKey(path_, SecretBytes("right"));
  auto name_before = Vault::UnlockKeyName(path_);
  ASSERT_TRUE(key.has_value() && name_before.has_value());
  {
    auto vault = Vault::Open(path_, SecretBytes("right"));
    ASSERT_TRUE(vault.has_value());
    ASSERT_TRUE(vault->ChangePassphrase(SecretBytes("new"), MinimumKdfParams()));
  }
  auto stale = Vault::OpenWithUnlockKey(path_, *key);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code(), ErrorCode::kBadPassword);
  auto name_after = Vault::UnlockKeyName(path_);
  ASSERT_TRUE(name_after.has_value());
  EXPECT_NE(*name_after, *name_before);  // a new salt: the cached key is not even looked up
}

TEST_F(UnlockKeyTest, AnotherVaultHasAnotherName) {
  const std::string other = dir_ + "/other.db";
  ASSERT_TRUE(Vault::Create(other, SecretBytes("right"), MinimumKdfParams()).has_value());
  auto a = Vault::UnlockKeyName(path_);
  auto b = Vault::UnlockKeyName(other);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->rfind("sealpost:vault:", 0), 0u);
}

TEST(SessionKeyringTest, StoresLoadsAndForgets) {
  const std::string name = "sealpost:test:" + std::to_string(::getpid());
  auto stored = StoreSessionKey(name, SecretBytes("0123456789abcdef0123456789abcdef"), 60);
  // Skipped, visibly, only where the kernel refuses keyctl (some containers' seccomp
  // profiles): there is no keyring to test against, and `keystore unlock` says so too.
  if (!stored && stored.error().code() == ErrorCode::kUnsupported)
    GTEST_SKIP() << "no kernel keyrings in this environment: " << stored.error().message();
  ASSERT_TRUE(stored) << stored.error().message();
  auto loaded = LoadSessionKey(name);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->view(), "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(ForgetSessionKey(name));
  EXPECT_FALSE(LoadSessionKey(name).has_value());
  EXPECT_TRUE(ForgetSessionKey(name));  // forgetting twice is fine
}

TEST(SessionKeyringTest, ANameNeverStoredIsNotFound) {
  EXPECT_FALSE(LoadSessionKey("sealpost:test:never-stored").has_value());
}

TEST(SessionKeyringTest, ANonPositiveTimeIsRefused) {
  auto stored = StoreSessionKey("sealpost:test:zero", SecretBytes("k"), 0);
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sealpost::keys

// SPDX-License-Identifier: Apache-2.0
// Loading and setting policy files: precedence, locks, file:line errors, round trips.
#include "policy/policy_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/file_io.h"

namespace sealpost::policy {
namespace {

namespace fs = std::filesystem;

class PolicyLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sealpost-policy-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    profile_ = (dir_ / "policy.toml").string();
    admin_ = (dir_ / "admin.toml").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

  LoadedPolicy MustLoad(std::optional<std::string> admin = std::nullopt) {
    auto loaded = LoadPolicy(profile_, admin);
    EXPECT_TRUE(loaded.has_value()) << loaded.error().message();
    return std::move(loaded).value();
  }

  fs::path dir_;
  std::string profile_;
  std::string admin_;
};

TEST_F(PolicyLoaderTest, MissingProfileFileMeansDefaults) {
  LoadedPolicy loaded = MustLoad();
  EXPECT_EQ(loaded.policy().revocation, RevocationMode::kSoftFail);
  EXPECT_FALSE(loaded.admin_path().has_value());
  ASSERT_EQ(loaded.Entries().size(), PolicySchema().size());
  for (const auto& entry : loaded.Entries()) {
    EXPECT_EQ(entry.origin, Origin::kDefault) << entry.key;
    EXPECT_FALSE(entry.locked);
    EXPECT_EQ(entry.source_path, "");
    EXPECT_EQ(entry.source_line, 0);
  }
  EXPECT_EQ(loaded.Find("ldap_timeout_ms")->value_text, "5000");
}

TEST_F(PolicyLoaderTest, ProfileValuesApplyWithFileAndLine) {
  Write(profile_, "# mine\nencrypt_by_default = true\n\nrevocation = \"hard-fail\"\nldap_timeout_ms = 750\n");
  LoadedPolicy loaded = MustLoad();
  EXPECT_TRUE(loaded.policy().encrypt_by_default);
  EXPECT_EQ(loaded.policy().revocation, RevocationMode::kHardFail);
  EXPECT_EQ(loaded.policy().ldap_timeout_ms, 750);
  const PolicyEntry* entry = loaded.Find("revocation");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->origin, Origin::kProfile);
  EXPECT_EQ(entry->value_text, "hard-fail");
  EXPECT_EQ(entry->source_path, profile_);
  EXPECT_EQ(entry->source_line, 4);
  EXPECT_EQ(loaded.Find("sign_by_default")->origin, Origin::kDefault);
}

TEST_F(PolicyLoaderTest, AdministratorFileOverridesProfile) {
  Write(profile_, "revocation = \"off\"\nsign_by_default = true\n");
  Write(admin_,
        "revocation = \"hard-fail\"\npublic_certificate_source = \"ldap\"\n"
        "ldap_server_address = \"ldaps://dir.example.com\"\n");
  LoadedPolicy loaded = MustLoad(admin_);
  EXPECT_EQ(loaded.policy().revocation, RevocationMode::kHardFail);
  EXPECT_EQ(loaded.policy().public_certificate_source, PublicCertificateSource::kLdap);
  EXPECT_EQ(loaded.policy().ldap_server_address, "ldaps://dir.example.com");
  EXPECT_TRUE(loaded.policy().sign_by_default);  // not set by the administrator
  const PolicyEntry* entry = loaded.Find("revocation");
  EXPECT_EQ(entry->origin, Origin::kAdministrator);
  EXPECT_EQ(entry->source_path, admin_);
  EXPECT_EQ(entry->source_line, 1);
  EXPECT_EQ(loaded.Find("sign_by_default")->origin, Origin::kProfile);
  EXPECT_EQ(loaded.admin_path(), admin_);
}

TEST_F(PolicyLoaderTest, LockedKeyKeepsDefaultAndIgnoresProfile) {
  Write(profile_, "allow_legacy_algorithms = true\n");
  Write(admin_, "locked = [\"allow_legacy_algorithms\", \"revocation\"]\nrevocation = \"hard-fail\"\n");
  LoadedPolicy loaded = MustLoad(admin_);
  EXPECT_FALSE(loaded.policy().allow_legacy_algorithms);
  const PolicyEntry* legacy = loaded.Find("allow_legacy_algorithms");
  EXPECT_TRUE(legacy->locked);
  EXPECT_EQ(legacy->origin, Origin::kDefault);
  EXPECT_TRUE(loaded.Find("revocation")->locked);
  EXPECT_EQ(loaded.Find("revocation")->origin, Origin::kAdministrator);
  EXPECT_FALSE(loaded.Find("sign_by_default")->locked);
}

TEST_F(PolicyLoaderTest, SetRefusesLockedKeyNamingAdministratorFile) {
  Write(admin_, "locked = [\"allow_legacy_algorithms\"]\n");
  LoadedPolicy loaded = MustLoad(admin_);
  std::vector<std::string> set = {"sign_by_default=true", "allow_legacy_algorithms=true"};
  Status st = SetProfilePolicy(set, loaded);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kPolicy);
  EXPECT_NE(st.error().message().find("allow_legacy_algorithms"), std::string::npos);
  EXPECT_NE(st.error().message().find(admin_), std::string::npos) << st.error().message();
  EXPECT_FALSE(fs::exists(profile_));  // all or nothing: sign_by_default was not written either
  EXPECT_EQ(loaded.CheckUserMayChange("allow_legacy_algorithms").error().code(), ErrorCode::kPolicy);
  EXPECT_TRUE(loaded.CheckUserMayChange("sign_by_default").has_value());
  EXPECT_TRUE(loaded.CheckUserMayChange("not_a_policy_key").has_value());
}

TEST_F(PolicyLoaderTest, SetRefusesKeyTheAdministratorSetsNamingFileAndLine) {
  Write(admin_, "\nencrypt_by_default = true\n");
  LoadedPolicy loaded = MustLoad(admin_);
  std::vector<std::string> set = {"encrypt_by_default=false"};
  Status st = SetProfilePolicy(set, loaded);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kPolicy);
  EXPECT_NE(st.error().message().find(admin_ + ":2"), std::string::npos) << st.error().message();
}

TEST_F(PolicyLoaderTest, UnknownKeyFailsWithFileAndLine) {
  Write(profile_, "sign_by_default = true\nencrypt_by_defualt = true\n");
  auto loaded = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(loaded.error().message(),
            profile_ + ":2: unknown policy key 'encrypt_by_defualt' (did you mean 'encrypt_by_default'?)");
  EXPECT_NE(loaded.error().detail().find("encrypt_by_defualt = true"), std::string::npos);
}

TEST_F(PolicyLoaderTest, BadEnumValueFailsWithFileAndLine) {
  Write(admin_, "# org policy\n\nmissing_certificate_action = \"shrug\"\n");
  auto loaded = LoadPolicy(profile_, admin_);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(loaded.error().message(), admin_ +
                                          ":3: missing_certificate_action must be one of refuse, ask, "
                                          "send-unencrypted; got \"shrug\"");
}

TEST_F(PolicyLoaderTest, WrongTomlTypeFailsWithFileAndLine) {
  Write(profile_, "encrypt_by_default = \"yes\"\n");
  auto as_string = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(as_string.has_value());
  EXPECT_EQ(as_string.error().message(), profile_ + ":1: encrypt_by_default must be true or false; got \"yes\"");

  Write(profile_, "\nldap_timeout_ms = 2.5\n");
  auto as_float = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(as_float.has_value());
  EXPECT_EQ(as_float.error().message(),
            profile_ + ":2: ldap_timeout_ms must be an integer from 1 to 600000; got a float");
}

TEST_F(PolicyLoaderTest, NegativeTtlFailsWithFileAndLine) {
  Write(admin_, "directory_cache_ttl_s = 60\ndirectory_negative_ttl_s = -1\n");
  auto loaded = LoadPolicy(profile_, admin_);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message().rfind(admin_ + ":2: directory_negative_ttl_s", 0), 0u) << loaded.error().message();
}

TEST_F(PolicyLoaderTest, FirstProblemInFileOrderIsReported) {
  Write(profile_, "a_bad_key = 1\nb_bad_key = 2\nc_bad_key = 3\nd_bad_key = 4\n");
  auto loaded = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message().rfind(profile_ + ":1: unknown policy key 'a_bad_key'", 0), 0u)
      << loaded.error().message();
}

TEST_F(PolicyLoaderTest, InvalidTomlIsMalformedWithFileAndLine) {
  Write(profile_, "sign_by_default = true\nrevocation = = \"off\"\n");
  auto loaded = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(loaded.error().message().rfind(profile_ + ":2: not valid TOML", 0), 0u) << loaded.error().message();

  Write(profile_, "sign_by_default = true\nsign_by_default = false\n");
  auto duplicate = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(duplicate.error().message().rfind(profile_ + ":2:", 0), 0u) << duplicate.error().message();
}

TEST_F(PolicyLoaderTest, SectionsAreRefused) {
  Write(profile_, "[ldap]\nserver = \"ldap://x\"\n");
  auto loaded = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message().find("top-level"), std::string::npos) << loaded.error().message();
}

TEST_F(PolicyLoaderTest, LockedInProfileIsRefused) {
  Write(profile_, "locked = [\"revocation\"]\n");
  auto loaded = LoadPolicy(profile_, std::nullopt);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message().rfind(profile_ + ":1: only the administrator", 0), 0u) << loaded.error().message();
}

TEST_F(PolicyLoaderTest, MisspeltLockIsRefusedWithLine) {
  Write(admin_, "locked = [\n  \"revocation\",\n  \"allow_legacy\",\n]\n");
  auto loaded = LoadPolicy(profile_, admin_);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(),
            admin_ + ":3: locked: unknown policy key 'allow_legacy' (did you mean 'allow_legacy_algorithms'?)");

  Write(admin_, "locked = \"revocation\"\n");
  auto not_array = LoadPolicy(profile_, admin_);
  ASSERT_FALSE(not_array.has_value());
  EXPECT_EQ(not_array.error().message().rfind(admin_ + ":1: locked must be an array", 0), 0u);
}

TEST_F(PolicyLoaderTest, MissingAdministratorFileIsNotFound) {
  auto loaded = LoadPolicy(profile_, (dir_ / "nope.toml").string());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(loaded.error().message().find("nope.toml"), std::string::npos);
}

TEST_F(PolicyLoaderTest, SetWritesAndRoundTrips) {
  Write(profile_, "# hand-written\nsign_by_default = true\n");
  LoadedPolicy before = MustLoad();
  std::vector<std::string> set = {"revocation=hard-fail", "ldap_base_dn=ou=\"Sales\",dc=example\\,dc=com",
                                  "directory_cache_ttl_s=600", "encrypt_by_default=true"};
  ASSERT_TRUE(SetProfilePolicy(set, before).has_value());

  struct stat st {};
  ASSERT_EQ(::stat(profile_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  LoadedPolicy after = MustLoad();
  EXPECT_TRUE(after.policy().sign_by_default);  // kept
  EXPECT_TRUE(after.policy().encrypt_by_default);
  EXPECT_EQ(after.policy().revocation, RevocationMode::kHardFail);
  EXPECT_EQ(after.policy().ldap_base_dn, "ou=\"Sales\",dc=example\\,dc=com");
  EXPECT_EQ(after.policy().directory_cache_ttl_s, 600);
  EXPECT_EQ(after.Find("revocation")->origin, Origin::kProfile);

  // Keys are written in schema order, so the file reads like `policy show`.
  auto text = ReadFile(profile_);
  ASSERT_TRUE(text.has_value());
  EXPECT_LT(text->find("encrypt_by_default"), text->find("sign_by_default"));
  EXPECT_LT(text->find("revocation"), text->find("ldap_base_dn"));

  // Setting again replaces the value rather than duplicating the key.
  std::vector<std::string> again = {"revocation=off"};
  ASSERT_TRUE(SetProfilePolicy(again, after).has_value());
  EXPECT_EQ(MustLoad().policy().revocation, RevocationMode::kOff);
}

TEST_F(PolicyLoaderTest, SetRefusesBadInputWithoutWriting) {
  LoadedPolicy loaded = MustLoad();
  for (std::vector<std::string> set : std::vector<std::vector<std::string>>{
           {"revocation"}, {"=off"}, {"revocaton=off"}, {"revocation=strict"}, {"ldap_timeout_ms=-1"}, {}}) {
    Status st = SetProfilePolicy(set, loaded);
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument) << st.error().message();
  }
  EXPECT_FALSE(fs::exists(profile_));
}

TEST_F(PolicyLoaderTest, SetRefusesWhenProfileFileIsBroken) {
  LoadedPolicy loaded = MustLoad();
  Write(profile_, "not toml at all\n");  // broken after loading: kept for the user to see
  std::vector<std::string> set = {"revocation=off"};
  Status st = SetProfilePolicy(set, loaded);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(*ReadFile(profile_), "not toml at all\n");
}

TEST(ResolveAdminPolicyPathTest, FlagThenEnvironmentThenExistingSystemFile) {
  std::string system = (fs::temp_directory_path() / ("sealpost-sys-" + std::to_string(::getpid()))).string();
  EXPECT_EQ(ResolveAdminPolicyPath(std::string("/flag.toml"), "/env.toml", system), "/flag.toml");
  EXPECT_EQ(ResolveAdminPolicyPath(std::nullopt, "/env.toml", system), "/env.toml");
  EXPECT_EQ(ResolveAdminPolicyPath(std::nullopt, "", system), std::nullopt);
  EXPECT_EQ(ResolveAdminPolicyPath(std::nullopt, nullptr, system), std::nullopt);
  std::ofstream(system) << "";
  EXPECT_EQ(ResolveAdminPolicyPath(std::nullopt, nullptr, system), system);
  fs::remove(system);
}

}  // namespace
}  // namespace sealpost::policy

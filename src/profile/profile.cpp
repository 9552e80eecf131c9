// SPDX-License-Identifier: Apache-2.0
// Profile directory layout:
//   identities/<fingerprint>/{cert.pem,key.pem,role}   trust/{anchors,intermediates}/<fp>.pem
//   active-signing, active-encryption                   (fingerprints of the active identities)
#include "profile/profile.h"

#include <sys/stat.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>

#include "core/file_io.h"

namespace sealpost::profile {
namespace fs = std::filesystem;

namespace {

Status EnsureDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Ok();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<Role> ParseRole(const std::string& text) {
  if (text == "signing") return Role::kSigning;
  if (text == "encryption") return Role::kEncryption;
  if (text == "both") return Role::kBoth;
  return Error(ErrorCode::kMalformed, "unknown identity role '" + text + "'");
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kSigning: return "signing";
    case Role::kEncryption: return "encryption";
    case Role::kBoth: return "both";
  }
  return "both";
}

std::string Profile::DefaultDirectory() {
  if (const char* env = std::getenv("SEALPOST_HOME"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.sealpost";
}

Result<Profile> Profile::Open(const std::string& dir) {
  RETURN_IF_ERROR(EnsureDir(dir));
  return Profile(dir);
}

std::string Profile::VaultPath() const { return (fs::path(dir_) / "vault.db").string(); }

Result<StoredIdentity> Profile::AddIdentity(keys::Vault& vault, const pki::Certificate& cert, const pki::PrivateKey& key, Role role,
                                            std::string_view source, const std::vector<pki::Certificate>& chain,
                                            bool activate) {
  if (!key.Matches(cert)) return Error(ErrorCode::kInvalidArgument, "the private key does not belong to the certificate");
  StoredIdentity stored{cert.Sha256Fingerprint(), cert, role, std::string(source), chain};
  stored.active_signing = activate && role != Role::kEncryption;
  stored.active_encryption = activate && role != Role::kSigning;
  fs::path dir = fs::path(dir_) / "identities" / stored.id;
  RETURN_IF_ERROR(EnsureDir(dir));
  // The key goes into the vault first: a crash before the certificate files are written
  // leaves an unused vault item, never a certificate without its key.
  ASSIGN_OR_RETURN(SecretBytes key_pem, key.ExportPkcs8Pem(pki::KeyExportToken()));
  std::string label = cert.Emails().empty() ? cert.Subject() : cert.Emails().front();
  RETURN_IF_ERROR(vault.PutWithId(stored.id, "private-key", label, key_pem));
  RETURN_IF_ERROR(WriteFileAtomically((dir / "cert.pem").string(), cert.ToPem(), 0644));
  RETURN_IF_ERROR(WriteFileAtomically((dir / "role").string(), std::string(RoleName(role)) + "\n", 0644));
  RETURN_IF_ERROR(WriteFileAtomically((dir / "source").string(), std::string(source) + "\n", 0644));
  std::string chain_pem;
  for (const auto& c : chain) chain_pem += c.ToPem();
  RETURN_IF_ERROR(WriteFileAtomically((dir / "chain.pem").string(), chain_pem, 0644));
  if (stored.active_signing)
    RETURN_IF_ERROR(WriteFileAtomically((fs::path(dir_) / "active-signing").string(), stored.id + "\n", 0644));
  if (stored.active_encryption)
    RETURN_IF_ERROR(WriteFileAtomically((fs::path(dir_) / "active-encryption").string(), stored.id + "\n", 0644));
  return stored;
}

Result<std::vector<StoredIdentity>> Profile::ListIdentities() const {
  std::vector<StoredIdentity> out;
  fs::path root = fs::path(dir_) / "identities";
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory()) continue;
    ASSIGN_OR_RETURN(std::string cert_pem, ReadFile((entry.path() / "cert.pem").string()));
    ASSIGN_OR_RETURN(pki::Certificate cert, pki::Certificate::Parse(cert_pem));
    ASSIGN_OR_RETURN(std::string role_text, ReadFile((entry.path() / "role").string()));
    ASSIGN_OR_RETURN(Role role, ParseRole(Trim(role_text)));
    StoredIdentity s{entry.path().filename().string(), std::move(cert), role};
    auto source = ReadFile((entry.path() / "source").string());
    s.source = source ? Trim(*source) : "pem";
    if (auto chain = ReadFile((entry.path() / "chain.pem").string()); chain && !chain->empty()) {
      auto certs = pki::Certificate::ParseAll(*chain);
      if (certs) s.chain = std::move(certs).value();
    }
    out.push_back(std::move(s));
  }
  auto active = [&](const char* name) -> std::string {
    auto text = ReadFile((fs::path(dir_) / name).string());
    return text ? Trim(*text) : "";
  };
  std::string signing = active("active-signing");
  std::string encryption = active("active-encryption");
  for (auto& s : out) {
    s.active_signing = s.id == signing;
    s.active_encryption = s.id == encryption;
  }
  if (ec) return Error(ErrorCode::kIo, "cannot list " + root.string() + ": " + ec.message());
  return out;
}

Result<std::vector<smime::Identity>> Profile::LoadIdentities() const {
  ASSIGN_OR_RETURN(std::vector<StoredIdentity> stored, ListIdentities());
  std::vector<smime::Identity> out;
  for (const auto& s : stored) {
    smime::Identity id{s.certificate, s.active_signing, s.active_encryption};
    // Active identities first, so they are the ones used for signing and self-encryption.
    if (id.for_signing || id.for_encryption) {
      out.insert(out.begin(), std::move(id));
    } else {
      out.push_back(std::move(id));
    }
  }
  return out;
}

Status Profile::AddTrust(const pki::Certificate& cert, bool intermediate) {
  fs::path dir = fs::path(dir_) / "trust" / (intermediate ? "intermediates" : "anchors");
  RETURN_IF_ERROR(EnsureDir(dir));
  return WriteFileAtomically((dir / (cert.Sha256Fingerprint() + ".pem")).string(), cert.ToPem(), 0644);
}

Result<StoredIdentity> Profile::FindIdentity(const std::string& id_prefix) const {
  if (id_prefix.size() < 8) return Error(ErrorCode::kInvalidArgument, "give at least 8 hex digits of the certificate id (see 'sealpost cert list')");
  ASSIGN_OR_RETURN(std::vector<StoredIdentity> all, ListIdentities());
  std::vector<StoredIdentity> matches;
  for (auto& s : all) {
    if (s.id.rfind(id_prefix, 0) == 0) matches.push_back(std::move(s));
  }
  if (matches.empty()) return Error(ErrorCode::kNotFound, "no certificate with id " + id_prefix + " in this profile");
  if (matches.size() > 1) return Error(ErrorCode::kInvalidArgument, "id " + id_prefix + " is ambiguous; give more digits");
  return std::move(matches.front());
}

Status Profile::SetActive(Role role, const std::string& id) {
  const char* name = role == Role::kSigning ? "active-signing" : "active-encryption";
  return WriteFileAtomically((fs::path(dir_) / name).string(), id + "\n", 0644);
}

Result<pki::PrivateKey> Profile::LoadKey(const keys::Vault& vault, const std::string& id) const {
  ASSIGN_OR_RETURN(SecretBytes pem, vault.Get(id));
  auto key = pki::PrivateKey::Parse(pem.view());
  if (!key) return std::move(key).error().WithContext("the key of identity " + id.substr(0, 16) + " in the vault");
  return key;
}

Status Profile::RemoveIdentity(keys::Vault& vault, const std::string& id_prefix) {
  ASSIGN_OR_RETURN(StoredIdentity s, FindIdentity(id_prefix));
  RETURN_IF_ERROR(vault.Remove(s.id));
  std::error_code ec;
  fs::remove_all(fs::path(dir_) / "identities" / s.id, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot remove identity " + s.id + ": " + ec.message());
  for (const char* name : {"active-signing", "active-encryption"}) {
    auto text = ReadFile((fs::path(dir_) / name).string());
    if (text && Trim(*text) == s.id) fs::remove(fs::path(dir_) / name, ec);
  }
  return Ok();
}

Result<std::vector<TrustEntry>> Profile::ListTrust() const {
  ASSIGN_OR_RETURN(pki::TrustStore store, LoadTrustStore());
  std::vector<TrustEntry> out;
  for (const auto& c : store.anchors()) out.push_back({c, false});
  for (const auto& c : store.intermediates()) out.push_back({c, true});
  return out;
}

Status Profile::RemoveTrust(const std::string& fingerprint_prefix) {
  if (fingerprint_prefix.size() < 8) return Error(ErrorCode::kInvalidArgument, "give at least 8 hex digits of the fingerprint (see 'sealpost trust list')");
  int removed = 0;
  for (const char* sub : {"anchors", "intermediates"}) {
    fs::path dir = fs::path(dir_) / "trust" / sub;
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().filename().string().rfind(fingerprint_prefix, 0) == 0) {
        fs::remove(entry.path(), ec);
        ++removed;
      }
    }
  }
  if (removed == 0) return Error(ErrorCode::kNotFound, "no trusted certificate with fingerprint " + fingerprint_prefix);
  if (removed > 1) return Error(ErrorCode::kInvalidArgument, "removed " + std::to_string(removed) + " certificates matching " + fingerprint_prefix);
  return Ok();
}

Result<pki::TrustStore> Profile::LoadTrustStore() const {
  pki::TrustStore store;
  for (bool intermediate : {false, true}) {
    fs::path dir = fs::path(dir_) / "trust" / (intermediate ? "intermediates" : "anchors");
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".pem") continue;
      ASSIGN_OR_RETURN(std::string pem, ReadFile(entry.path().string()));
      ASSIGN_OR_RETURN(pki::Certificate cert, pki::Certificate::Parse(pem));
      if (intermediate) {
        store.AddIntermediate(std::move(cert));
      } else {
        store.AddAnchor(std::move(cert));
      }
    }
  }
  return store;
}

}  // namespace sealpost::profile

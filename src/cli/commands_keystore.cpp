// SPDX-License-Identifier: Apache-2.0
// The key vault's passphrase, and enrolment: a key made in the vault with its PKCS#10
// request, then the issued certificate attached to that waiting key.
#include <algorithm>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/file_io.h"
#include "keys/vault_session.h"
#include "pki/certificate_request.h"

namespace sealpost::cli {
namespace {

// Keys made for a request wait in the vault under this kind until their certificate comes.
constexpr const char* kPendingKind = "pending-key";

}  // namespace

int RunChangePassphrase(const Options& o) {
  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(keys::Vault vault, OpenVault(o, p, /*require_passphrase=*/true));
    // The session's unlock key belongs to the old wrapping: drop it (it would no longer
    // open the vault anyway, and is never looked up again).
    (void)keys::LockVaultForSession(p.VaultPath());
    Options fresh = o;
    fresh.passphrase_file = o.new_passphrase_file;
    ASSIGN_OR_RETURN(SecretBytes new_passphrase, GetVaultPassphrase(fresh, true));
    return vault.ChangePassphrase(new_passphrase, vault.params());
  };
  if (auto st = run(); !st) return Fail(st.error(), o.verbose);
  std::cout << "The vault's passphrase was changed\n";
  return kExitGood;
}

// "90", "90s", "15m", "2h": seconds.
Result<long> ParseDuration(const std::string& text) {
  if (text.empty()) return Error(ErrorCode::kInvalidArgument, "--for needs a duration such as 10m, 1h or 600s");
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  const long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (digits == 0 || digits > 7 || scale == 0)
    return Error(ErrorCode::kInvalidArgument, "--for '" + text + "' is not a duration such as 10m, 1h or 600s");
  const long seconds = std::stol(text.substr(0, digits)) * scale;
  if (seconds <= 0) return Error(ErrorCode::kInvalidArgument, "--for must be longer than zero");
  return seconds;
}

int RunKeystoreUnlock(const Options& o) {
  auto run = [&]() -> Result<long> {
    ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
    const long most = static_cast<long>(loaded.policy().vault_unlock_max_seconds);
    if (most <= 0)
      return Error(ErrorCode::kPolicy, "the policy (vault_unlock_max_seconds = 0) does not allow keeping the vault unlocked");
    long seconds = std::min<long>(600, most);  // gpg-agent's default cache time
    if (!o.unlock_for.empty()) {
      ASSIGN_OR_RETURN(seconds, ParseDuration(o.unlock_for));
      if (seconds > most)
        return Error(ErrorCode::kPolicy, "--for " + o.unlock_for + " is longer than the policy allows (vault_unlock_max_seconds = " +
                                             std::to_string(most) + ")");
    }
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    if (!keys::Vault::Exists(p.VaultPath()))
      return Error(ErrorCode::kNotFound, "this profile has no key vault yet; add an identity first");
    ASSIGN_OR_RETURN(SecretBytes passphrase, GetVaultPassphrase(o, false));
    RETURN_IF_ERROR(keys::UnlockVaultForSession(p.VaultPath(), passphrase, seconds));
    return seconds;
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << "The key vault stays unlocked for this login session for " << (*r >= 120 ? *r / 60 : *r)
            << (*r >= 120 ? " minutes" : " seconds") << "; 'sealpost keystore lock' locks it now\n";
  return kExitGood;
}

int RunKeystoreLock(const Options& o) {
  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    if (!keys::Vault::Exists(p.VaultPath())) return Ok();
    return keys::LockVaultForSession(p.VaultPath());
  };
  if (auto st = run(); !st) return Fail(st.error(), o.verbose);
  std::cout << "The key vault is locked: the next use asks for the passphrase\n";
  return kExitGood;
}

int RunCertRequest(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    pki::KeyPurpose purpose;
    if (o.purpose == "signing") purpose = pki::KeyPurpose::kSigning;
    else if (o.purpose == "encryption") purpose = pki::KeyPurpose::kEncryption;
    else return Error(ErrorCode::kInvalidArgument, "--purpose must be signing or encryption");
    ASSIGN_OR_RETURN(pki::KeySpec spec, o.ec_curve.empty() ? pki::MakeKeySpec("rsa", o.rsa_bits)
                                                           : pki::MakeKeySpec("ec", o.ec_curve));
    ASSIGN_OR_RETURN(pki::PrivateKey key, pki::GenerateKey(spec));
    ASSIGN_OR_RETURN(std::string csr, pki::MakeRequest(key, o.email, purpose));
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(keys::Vault vault, OpenOrCreateVault(o, p));
    ASSIGN_OR_RETURN(SecretBytes pem, key.ExportPkcs8Pem(pki::KeyExportToken()));
    ASSIGN_OR_RETURN(std::string id, vault.Put(kPendingKind, o.email, pem, "{\"purpose\":\"" + o.purpose + "\"}"));
    RETURN_IF_ERROR(WriteFileAtomically(o.out, csr, 0644));
    return "Made " + std::string(o.purpose == "encryption" ? "an " : "a ") + o.purpose + " key for " + o.email + " in the vault and wrote the request to " + o.out +
           "; send it to your CA, then run 'sealpost cert import-issued CERT.pem'\n";
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cerr << *r;
  return kExitGood;
}

int RunCertImportIssued(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(o.cert_path));
    auto certs = pki::Certificate::ParseAll(bytes);
    if (!certs) return std::move(certs).error().WithContext(o.cert_path);
    const pki::Certificate& cert = certs->front();
    std::vector<pki::Certificate> chain(certs->begin() + 1, certs->end());
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(keys::Vault vault, OpenVault(o, p));
    ASSIGN_OR_RETURN(std::vector<keys::VaultItem> pending, vault.List(kPendingKind));
    for (const auto& item : pending) {
      ASSIGN_OR_RETURN(SecretBytes pem, vault.Get(item.id));
      auto key = pki::PrivateKey::Parse(pem.view());
      if (!key || !key->Matches(cert)) continue;
      if (!cert.EkuAllowsEmail())
        return Error(ErrorCode::kPolicy, "the issued certificate is not for e-mail (no emailProtection); refused");
      profile::Role role = cert.Purpose() == pki::KeyPurpose::kSigning      ? profile::Role::kSigning
                           : cert.Purpose() == pki::KeyPurpose::kEncryption ? profile::Role::kEncryption
                                                                            : profile::Role::kBoth;
      ASSIGN_OR_RETURN(profile::StoredIdentity stored, p.AddIdentity(vault, cert, *key, role, "request", chain));
      RETURN_IF_ERROR(vault.Remove(item.id));
      return "Attached the issued " + std::string(profile::RoleName(role)) + " certificate for " +
             (cert.Emails().empty() ? cert.Subject() : cert.Emails().front()) + " to its key (id " +
             stored.id.substr(0, 16) + ")\n";
    }
    return Error(ErrorCode::kNotFound, "no waiting key in this vault matches the certificate in " + o.cert_path);
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << *r;
  return kExitGood;
}

}  // namespace sealpost::cli

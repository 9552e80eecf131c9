// SPDX-License-Identifier: Apache-2.0
// The key vault's passphrase, and enrolment: a key made in the vault with its PKCS#10
// request, then the issued certificate attached to that waiting key.
#include <iostream>

#include "cli/commands.h"
#include "core/file_io.h"
#include "pki/certificate_request.h"

namespace sealpost::cli {
namespace {

// Keys made for a request wait in the vault under this kind until their certificate comes.
constexpr const char* kPendingKind = "pending-key";

}  // namespace

int RunChangePassphrase(const Options& o) {
  auto run = [&]() -> Status {
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(keys::Vault vault, OpenVault(o, p));
    Options fresh = o;
    fresh.passphrase_file = o.new_passphrase_file;
    ASSIGN_OR_RETURN(SecretBytes new_passphrase, GetVaultPassphrase(fresh, true));
    return vault.ChangePassphrase(new_passphrase, vault.params());
  };
  if (auto st = run(); !st) return Fail(st.error(), o.verbose);
  std::cout << "The vault's passphrase was changed\n";
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

// SPDX-License-Identifier: Apache-2.0
// Identity and trust commands: identity add, cert import/list/show/remove/export, trust.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/prompt.h"
#include "core/file_io.h"
#include "pki/pkcs12.h"

namespace sealpost::cli {
namespace {

std::string MainEmail(const pki::Certificate& cert) {
  auto emails = cert.Emails();
  return emails.empty() ? cert.Subject() : emails.front();
}

long DaysLeft(const pki::Certificate& cert) {
  return static_cast<long>((cert.NotAfter() - std::time(nullptr)) / 86400);
}

// Decides the role: --as wins; single-purpose certificates set themselves up; a dual one
// asks on a TTY and needs --as otherwise (identities issue §purpose detection).
Result<profile::Role> ChooseRole(const Options& o, const pki::Certificate& cert) {
  if (o.as == "signing") return profile::Role::kSigning;
  if (o.as == "encryption") return profile::Role::kEncryption;
  if (o.as == "both") return profile::Role::kBoth;
  switch (cert.Purpose()) {
    case pki::KeyPurpose::kSigning: return profile::Role::kSigning;
    case pki::KeyPurpose::kEncryption: return profile::Role::kEncryption;
    case pki::KeyPurpose::kDual: break;
  }
  if (!::isatty(STDIN_FILENO))
    return Error(ErrorCode::kInvalidArgument, "the certificate for " + MainEmail(cert) +
                                                  " can sign and encrypt; say how to use it with --as signing|encryption|both");
  for (;;) {
    std::cerr << "The certificate for " << MainEmail(cert) << " can both sign and encrypt.\n"
              << "Use it for [s]igning, [e]ncryption, [b]oth, or show [d]etails? ";
    std::string answer;
    if (!std::getline(std::cin, answer)) return Error(ErrorCode::kInvalidArgument, "no choice made");
    if (answer == "s" || answer == "signing") return profile::Role::kSigning;
    if (answer == "e" || answer == "encryption") return profile::Role::kEncryption;
    if (answer == "b" || answer == "both") return profile::Role::kBoth;
    if (answer == "d" || answer == "details")
      std::cerr << "  subject: " << cert.Subject() << "\n  issuer: " << cert.Issuer() << "\n  valid until: "
                << pki::FormatRfc3339(cert.NotAfter()) << "\n  sha256: " << cert.Sha256Fingerprint() << "\n";
  }
}

// The checks an identity must pass whatever its source, then storage and the message.
Result<std::string> StoreIdentity(const Options& o, const pki::Certificate& cert, const pki::PrivateKey& key,
                                  const std::vector<pki::Certificate>& chain, std::string_view source) {
  // A mail identity needs an address to bind signatures to From and to be found by senders
  // (RFC 8550 §3). A PKCS#12 without one is an export mistake — in the wild, a CA's own
  // certificate and key. (`identity add` with PEM files stays the expert's way, e.g. for
  // test vectors encrypted to a CA certificate.)
  if (source == "pkcs12" && cert.Emails().empty())
    return Error(ErrorCode::kPolicy, "the certificate " + cert.Subject() + " has no e-mail address" +
                                         std::string(cert.IsCa() ? " and is a CA certificate" : "") +
                                         ", so it cannot be a mail identity; refused" +
                                         std::string(cert.IsCa() ? " (to trust it, use 'sealpost trust add')" : ""));
  if (!cert.EkuAllowsEmail())
    return Error(ErrorCode::kPolicy, "the certificate for " + MainEmail(cert) +
                                         " is not for e-mail (its extended key usage lacks emailProtection); refused");
  ASSIGN_OR_RETURN(profile::Role role, ChooseRole(o, cert));
  if ((role != profile::Role::kEncryption && !cert.AllowsSigning()) ||
      (role != profile::Role::kSigning && !cert.AllowsEncryption()))
    return Error(ErrorCode::kInvalidArgument, "the certificate's key usage does not allow " + std::string(profile::RoleName(role)));
  ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
  ASSIGN_OR_RETURN(keys::Vault vault, OpenOrCreateVault(o, p));
  // A certificate that is not valid now is kept but not put to use (settings set refuses it too).
  const bool valid_now = cert.ValidAt(std::time(nullptr));
  ASSIGN_OR_RETURN(profile::StoredIdentity stored, p.AddIdentity(vault, cert, key, role, source, chain, valid_now));
  std::string what = role == profile::Role::kSigning      ? "signing"
                     : role == profile::Role::kEncryption ? "encryption"
                                                          : "signing and encryption";
  std::string out = "Imported " + what + " certificate for " + MainEmail(cert) + ", valid until " +
                    pki::FormatRfc3339(cert.NotAfter()).substr(0, 10) + "; " +
                    (valid_now ? what + " turned on" : "NOT turned on: the certificate is not valid now") + " (id " +
                    stored.id.substr(0, 16) + ")";
  if (std::string t = cert.TemplateName(); !t.empty()) out += "\n  certificate template: " + t;
  if (valid_now && DaysLeft(cert) < 30) out += "\n  warning: this certificate expires in " + std::to_string(DaysLeft(cert)) + " days";
  return out + "\n";
}

nlohmann::json IdentityJson(const profile::StoredIdentity& s) {
  const auto& c = s.certificate;
  std::string role = s.active_signing && s.active_encryption ? "signing+encryption"
                     : s.active_signing                      ? "signing"
                     : s.active_encryption                   ? "encryption"
                                                             : "none";
  return {{"id", s.id.substr(0, 16)},
          {"subject", c.Subject()},
          {"email", MainEmail(c)},
          {"purpose", std::string(pki::KeyPurposeName(c.Purpose()))},
          {"role", role},
          {"not_before", pki::FormatRfc3339(c.NotBefore())},
          {"not_after", pki::FormatRfc3339(c.NotAfter())},
          {"days_left", DaysLeft(c)},
          {"issuer", c.Issuer()},
          {"sha256", c.Sha256Fingerprint()},
          {"source", s.source},
          {"template", c.TemplateName()}};
}

}  // namespace

int RunIdentityAdd(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(pki::Certificate cert, LoadCert(o.cert_path));
    ASSIGN_OR_RETURN(std::string key_bytes, ReadFile(o.key_path));
    SecretBytes key_secret(key_bytes);
    std::fill(key_bytes.begin(), key_bytes.end(), '\0');
    auto key = pki::PrivateKey::Parse(key_secret.view());
    if (!key) return std::move(key).error().WithContext(o.key_path);
    if (!key->Matches(cert)) return Error(ErrorCode::kMalformed, "the key in " + o.key_path + " does not belong to the certificate in " + o.cert_path);
    return StoreIdentity(o, cert, *key, {}, "pem");
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << *r;
  return kExitGood;
}

int RunCertImport(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    // Refuse an oversized file before reading it into memory (catalogue K8).
    std::error_code size_error;
    const auto size = std::filesystem::file_size(o.cert_path, size_error);
    if (!size_error && size > pki::kMaxPkcs12Bytes)
      return Error(ErrorCode::kLimit, o.cert_path + " is " + std::to_string(size) + " bytes; a PKCS#12 file of at most " +
                                          std::to_string(pki::kMaxPkcs12Bytes) + " bytes is accepted");
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(o.cert_path));
    ASSIGN_OR_RETURN(SecretBytes password, ReadSecret(o.password_file, "Password for " + o.cert_path + ": "));
    auto contents = pki::ParsePkcs12(bytes, password);
    if (!contents) return std::move(contents).error().WithContext(o.cert_path);
    return StoreIdentity(o, contents->certificate, contents->key, contents->chain, "pkcs12");
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << *r;
  return kExitGood;
}

int RunCertList(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto list = p->ListIdentities();
  if (!list) return Fail(list.error(), o.verbose);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : *list) out.push_back(IdentityJson(s));
    std::cout << out.dump(2) << "\n";
    return kExitGood;
  }
  if (list->empty()) std::cout << "No certificates yet: import one with 'sealpost cert import FILE.p12'.\n";
  for (const auto& s : *list) {
    auto j = IdentityJson(s);
    std::cout << j["id"].get<std::string>() << "  " << j["email"].get<std::string>() << "  purpose "
              << j["purpose"].get<std::string>() << ", used for " << j["role"].get<std::string>() << ", valid until "
              << j["not_after"].get<std::string>().substr(0, 10) << " (" << j["days_left"].get<long>() << " days)\n";
    if (j["days_left"].get<long>() < 30)
      std::cout << "  warning: " << (j["days_left"].get<long>() < 0 ? "expired" : "expires within 30 days") << "\n";
  }
  return kExitGood;
}

int RunCertShow(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto s = p->FindIdentity(o.cert_id);
  if (!s) return Fail(s.error(), o.verbose);
  auto j = IdentityJson(*s);
  j["id"] = s->id;
  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    for (auto it = j.begin(); it != j.end(); ++it)
      std::cout << it.key() << ": " << (it->is_string() ? it->get<std::string>() : it->dump()) << "\n";
  }
  return kExitGood;
}

int RunCertRemove(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto vault = OpenVault(o, *p);
  if (!vault) return Fail(vault.error(), o.verbose);
  if (auto st = p->RemoveIdentity(*vault, o.cert_id); !st) return Fail(st.error(), o.verbose);
  std::cout << "Removed certificate " << o.cert_id << " and its key\n";
  return kExitGood;
}

int RunCertExport(const Options& o) {
  if (!o.public_only) return Fail(Error(ErrorCode::kInvalidArgument, "only --public export is supported: private keys never leave the profile"), o.verbose);
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto s = p->FindIdentity(o.cert_id);
  if (!s) return Fail(s.error(), o.verbose);
  if (auto st = WriteFileAtomically(o.out, s->certificate.ToPem(), 0644); !st) return Fail(st.error(), o.verbose);
  return kExitGood;
}

int RunTrustAdd(const Options& o) {
  auto cert = LoadCert(o.trust_path);
  if (!cert) return Fail(cert.error(), o.verbose);
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  if (auto st = p->AddTrust(*cert, o.intermediate); !st) return Fail(st.error(), o.verbose);
  std::cout << (o.intermediate ? "Added intermediate " : "Trusted ") << cert->Subject() << "\n";
  return kExitGood;
}

int RunTrustList(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto list = p->ListTrust();
  if (!list) return Fail(list.error(), o.verbose);
  nlohmann::json out = nlohmann::json::array();
  auto add = [&](const pki::Certificate& c, bool intermediate, const std::string& source) {
    out.push_back({{"sha256", c.Sha256Fingerprint()},
                   {"subject", c.Subject()},
                   {"kind", intermediate ? "intermediate" : "anchor"},
                   {"source", source},
                   {"not_after", pki::FormatRfc3339(c.NotAfter())}});
  };
  for (const auto& t : *list) add(t.certificate, t.intermediate, "profile");
  // The administrator's trust_anchor_dir ("credentials policy"), marked as such.
  auto loaded = LoadEffectivePolicy(o);
  if (!loaded) return Fail(loaded.error(), o.verbose);
  pki::TrustStore from_policy;
  if (auto st = AddPolicyAnchors(loaded->policy().trust_anchor_dir, from_policy); !st) return Fail(st.error(), o.verbose);
  for (const auto& c : from_policy.anchors()) add(c, false, "policy");
  if (o.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& t : out)
      std::cout << t["sha256"].get<std::string>().substr(0, 16) << "  " << t["kind"].get<std::string>() << "  "
                << t["subject"].get<std::string>()
                << (t["source"] == "policy" ? "  (from the administrator's policy)" : "") << "\n";
  }
  return kExitGood;
}

int RunTrustRemove(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  if (auto st = p->RemoveTrust(o.trust_id); !st) return Fail(st.error(), o.verbose);
  std::cout << "Removed " << o.trust_id << " from the trusted certificates\n";
  return kExitGood;
}

}  // namespace sealpost::cli

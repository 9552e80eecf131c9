// SPDX-License-Identifier: Apache-2.0
// Recipient resolution and harvesting for the CLI's message commands.
#include "cli/recipients.h"

#include <algorithm>
#include <ctime>
#include <iostream>

#include "directory/ldap_source.h"
#include "directory/lookup_cache.h"
#include "mime/addresses.h"
#include "mime/entity.h"
#include "revocation/revocation_checker.h"

namespace sealpost::cli {
namespace {

std::string ContactsDir(const profile::Profile& p) { return p.dir() + "/contacts"; }

}  // namespace

Result<std::vector<std::unique_ptr<directory::CertificateSource>>> MakeSources(const Options& o,
                                                                              const profile::Profile& p) {
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  std::vector<std::unique_ptr<directory::CertificateSource>> out;
  switch (loaded.policy().public_certificate_source) {
    case policy::PublicCertificateSource::kNone:
      break;
    case policy::PublicCertificateSource::kLdap: {
      // The organisation's directory, then the contacts (harvested replies to outsiders).
      const policy::Policy& pol = loaded.policy();
      directory::LdapConfig config;
      config.server_address = pol.ldap_server_address;
      config.starttls = pol.ldap_starttls;
      config.base_dn = pol.ldap_base_dn;
      config.access_anonymously = pol.ldap_access_anonymously;
      config.bind_dn = pol.ldap_bind_dn;
      config.tls_ca_file = pol.ldap_tls_ca_file;
      config.search_filter = pol.ldap_search_filter;
      config.timeout_ms = pol.ldap_timeout_ms;
      if (!config.access_anonymously) {
        ASSIGN_OR_RETURN(keys::Vault vault, OpenVault(o, p));
        auto secret = vault.Get(kLdapBindPasswordId);
        if (!secret)
          return Error(ErrorCode::kInvalidArgument, "the policy binds to the directory but no password is stored; run 'sealpost secret set ldap_bind_password'");
        config.bind_password = std::move(secret).value();
      }
      ASSIGN_OR_RETURN(directory::LdapDirectory ldap, directory::LdapDirectory::Create(std::move(config)));
      ASSIGN_OR_RETURN(directory::LookupCache cache, directory::LookupCache::Open(p.dir() + "/directory-cache.db"));
      directory::CacheLifetimes lifetimes{pol.directory_cache_ttl_s, pol.directory_negative_ttl_s};
      out.push_back(std::make_unique<directory::CachedSource>(std::make_unique<directory::LdapSource>(std::move(ldap)),
                                                              std::make_shared<directory::LookupCache>(std::move(cache)),
                                                              lifetimes, o.refresh));
      out.push_back(std::make_unique<directory::LocalSource>(directory::ContactsStore(ContactsDir(p))));
      break;
    }
    case policy::PublicCertificateSource::kLocal:
      out.push_back(std::make_unique<directory::LocalSource>(directory::ContactsStore(ContactsDir(p))));
      break;
  }
  return out;
}

Result<directory::RevocationCheck> RecipientRevocationCheck(const Options& o, const profile::Profile& p) {
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  const policy::RevocationMode mode = loaded.policy().revocation;
  if (mode == policy::RevocationMode::kOff) return directory::RevocationCheck{};
  revocation::RevocationOptions options;
  options.cache_dir = p.dir() + "/cache/revocation";  // shared with verify (MakeContext)
  auto checker = std::make_shared<revocation::RevocationChecker>(options);
  const bool hard_fail = mode == policy::RevocationMode::kHardFail;
  return directory::RevocationCheck([checker, hard_fail](const std::vector<pki::Certificate>& chain) -> std::string {
    revocation::RevocationResult r = checker->CheckChain(chain);
    if (r.state == revocation::RevocationState::kRevoked) return "revoked" + (r.reason.empty() ? "" : " (" + r.reason + ")");
    // Soft-fail keeps a certificate whose status is unknown, as verify does.
    if (r.state == revocation::RevocationState::kUnknown && hard_fail) return "revocation unknown (" + r.detail + ")";
    return {};
  });
}

Result<std::vector<std::string>> RecipientAddresses(std::string_view message, bool include_bcc) {
  ASSIGN_OR_RETURN(mime::Entity e, mime::ParseEntity(message));
  std::vector<std::string> out;
  for (const auto& h : e.headers) {
    if (!mime::EqualsIgnoreCase(h.name, "To") && !mime::EqualsIgnoreCase(h.name, "Cc") &&
        !(include_bcc && mime::EqualsIgnoreCase(h.name, "Bcc")))
      continue;
    for (const auto& box : mime::ParseAddressList(h.value)) {
      if (!box.address.empty() && std::find(out.begin(), out.end(), box.address) == out.end()) out.push_back(box.address);
    }
  }
  return out;
}

Result<std::vector<std::string>> BlindAddresses(std::string_view message) {
  ASSIGN_OR_RETURN(std::vector<std::string> all, RecipientAddresses(message, true));
  ASSIGN_OR_RETURN(std::vector<std::string> visible, RecipientAddresses(message, false));
  std::vector<std::string> out;
  for (auto& a : all) {
    if (std::find(visible.begin(), visible.end(), a) == visible.end()) out.push_back(std::move(a));
  }
  return out;
}

std::string WithoutBccHeader(std::string_view message) {
  std::string out;
  bool in_bcc = false;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    end = end == std::string_view::npos ? message.size() : end + 1;
    std::string_view line = message.substr(pos, end - pos);
    if (line == "\n" || line == "\r\n") {  // end of the header: the rest is the body
      out.append(message.substr(pos));
      return out;
    }
    const bool continuation = line.front() == ' ' || line.front() == '\t';
    if (!continuation) {
      // "Bcc", optional white space (RFC 5322 §4.5.3 obsolete syntax), then ':'.
      std::size_t i = 3;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      in_bcc = line.size() > 3 && mime::EqualsIgnoreCase(line.substr(0, 3), "Bcc") && i < line.size() && line[i] == ':';
    }
    if (!in_bcc) out.append(line);
    pos = end;
  }
  return out;
}

Status ResolveForEncryption(const Options& o, const std::vector<std::string>& addresses,
                            smime::EncryptRequest& request) {
  ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
  ASSIGN_OR_RETURN(auto sources, MakeSources(o, p));
  ASSIGN_OR_RETURN(pki::TrustStore trust, p.LoadTrustStore());
  std::vector<directory::CertificateSource*> raw;
  for (auto& s : sources) raw.push_back(s.get());
  ASSIGN_OR_RETURN(directory::RevocationCheck revocation, RecipientRevocationCheck(o, p));
  auto resolutions = directory::ResolveRecipients(addresses, raw, trust, std::time(nullptr), 2048, revocation);
  std::string missing;
  bool unreachable = false;
  for (auto& r : resolutions) {
    if (!r.choice) {
      unreachable |= r.choice.error().code() == ErrorCode::kNetwork;
      missing += "; " + r.address + ": lookup failed (" + r.choice.error().message() + ")";
      continue;
    }
    if (!r.choice->chosen) {
      std::string why = r.choice->why;
      for (const auto& passed : r.choice->passed_over) why += ", " + passed.reason;
      missing += "; " + r.address + ": " + why;
      continue;
    }
    request.recipients.push_back(r.choice->chosen->certificate);
    request.capabilities.push_back(r.choice->chosen->capabilities);
  }
  if (!missing.empty()) {
    // Fail closed (catalogue S1-S4): no output, and each address with its reason.
    return Error(unreachable ? ErrorCode::kNetwork : ErrorCode::kPolicy,
                 "not encrypted: no usable certificate for " + missing.substr(2));
  }
  return Ok();
}

void Harvest(const Options& o, const smime::Report& report) {
  auto p = OpenProfile(o);
  if (!p) return;
  directory::ContactsStore store(ContactsDir(*p));
  for (const auto& sig : report.signatures) {
    if (sig.status != cms::SignatureStatus::kValid || !sig.trusted || !sig.email_matches_from || !sig.signer) continue;
    // The certificate the sender prefers for encryption, when it is theirs and usable.
    const pki::Certificate* pick = nullptr;
    if (sig.encryption_preference && sig.encryption_preference->HasEmail(sig.signer_email) &&
        sig.encryption_preference->AllowsEncryption())
      pick = &*sig.encryption_preference;
    else if (sig.signer->AllowsEncryption())
      pick = &*sig.signer;
    if (!pick) continue;
    if (auto st = store.Harvest(*pick, sig.capabilities); !st)
      std::cerr << "sealpost: warning: could not remember " << sig.signer_email << "'s certificate: " << st.error().message() << "\n";
  }
}

}  // namespace sealpost::cli

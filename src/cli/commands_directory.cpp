// SPDX-License-Identifier: Apache-2.0
// contacts add/list/remove (the local directory) and lookup (what encryption would use).
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/recipients.h"
#include "core/file_io.h"
#include "directory/contacts_store.h"

namespace sealpost::cli {
namespace {

nlohmann::json CandidateJson(const directory::Candidate& c) {
  const auto& cert = c.certificate;
  return {{"sha256", cert.Sha256Fingerprint()},
          {"subject", cert.Subject()},
          {"emails", cert.Emails()},
          {"source", c.source},
          {"purpose", std::string(pki::KeyPurposeName(cert.Purpose()))},
          {"not_after", pki::FormatRfc3339(cert.NotAfter())},
          {"capabilities", c.capabilities}};
}

}  // namespace

int RunContactsAdd(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(o.cert_path));
    // A .pem/.der certificate, or a .p7b certs-only bundle.
    auto certs = pki::Certificate::ParseAll(bytes);
    if (!certs) certs = pki::Certificate::ParseCertsOnlyBundle(bytes);
    if (!certs) return std::move(certs).error().WithContext(o.cert_path);
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    directory::ContactsStore store(p.dir() + "/contacts");
    std::string out;
    for (const auto& c : *certs) {
      if (c.IsCa()) continue;  // a bundle's CA certificates are not contacts (nor trusted)
      RETURN_IF_ERROR(store.Add(c, "manual", {}));
      out += "Added contact " + (c.Emails().empty() ? c.Subject() : c.Emails().front()) + " (" +
             c.Sha256Fingerprint().substr(0, 16) + ")\n";
    }
    if (out.empty()) return Error(ErrorCode::kInvalidArgument, o.cert_path + " holds only CA certificates; use 'sealpost trust add' for those");
    return out;
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << *r;
  return kExitGood;
}

int RunContactsList(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto list = directory::ContactsStore(p->dir() + "/contacts").List();
  if (!list) return Fail(list.error(), o.verbose);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : *list) out.push_back(CandidateJson({c.certificate, c.source, c.capabilities}));
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return kExitGood;
  }
  if (list->empty()) std::cout << "No contacts yet: add one with 'sealpost contacts add CERT.pem'; signed mail you read adds them too.\n";
  for (const auto& c : out)
    std::cout << c["sha256"].get<std::string>().substr(0, 16) << "  "
              << (c["emails"].empty() ? c["subject"].get<std::string>() : c["emails"][0].get<std::string>()) << "  "
              << c["purpose"].get<std::string>() << ", " << c["source"].get<std::string>() << ", valid until "
              << c["not_after"].get<std::string>().substr(0, 10) << "\n";
  return kExitGood;
}

int RunContactsRemove(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  if (auto st = directory::ContactsStore(p->dir() + "/contacts").Remove(o.cert_id); !st) return Fail(st.error(), o.verbose);
  std::cout << "Removed contact " << o.cert_id << "\n";
  return kExitGood;
}

int RunLookup(const Options& o) {
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  auto sources = MakeSources(o, *p);
  if (!sources) return Fail(sources.error(), o.verbose);
  auto trust = p->LoadTrustStore();
  if (!trust) return Fail(trust.error(), o.verbose);
  std::vector<directory::CertificateSource*> raw;
  for (auto& s : *sources) raw.push_back(s.get());
  std::vector<std::string> addresses;
  for (const auto& a : o.addresses) {
    std::string lower = a;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    addresses.push_back(lower);
  }
  auto revocation = RecipientRevocationCheck(o, *p);
  if (!revocation) return Fail(revocation.error(), o.verbose);
  auto resolutions = directory::ResolveRecipients(addresses, raw, *trust, std::time(nullptr), 2048, *revocation);
  int code = kExitGood;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : resolutions) {
    nlohmann::json row = {{"address", r.address}};
    if (!r.choice) {
      row["error"] = r.choice.error().message();
      code = std::max(code, static_cast<int>(ExitCodeForError(r.choice.error())));
    } else {
      row["chosen"] = r.choice->chosen ? CandidateJson(*r.choice->chosen) : nlohmann::json(nullptr);
      row["why"] = r.choice->why;
      row["passed_over"] = nlohmann::json::array();
      for (const auto& po : r.choice->passed_over) {
        auto j = CandidateJson(po.candidate);
        j["reason"] = po.reason;
        row["passed_over"].push_back(j);
      }
      if (!r.choice->chosen) code = std::max(code, static_cast<int>(kExitVerdict));
    }
    out.push_back(row);
  }
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return code;
  }
  for (const auto& row : out) {
    std::cout << row["address"].get<std::string>() << ": ";
    if (row.contains("error")) {
      std::cout << "LOOKUP FAILED - " << row["error"].get<std::string>() << "\n";
      continue;
    }
    if (row["chosen"].is_null()) {
      std::cout << "NO USABLE CERTIFICATE - " << row["why"].get<std::string>() << "\n";
    } else {
      std::cout << "will encrypt to " << row["chosen"]["sha256"].get<std::string>().substr(0, 16) << " ("
                << row["why"].get<std::string>() << ")\n";
    }
    for (const auto& po : row["passed_over"])
      std::cout << "  passed over " << po["sha256"].get<std::string>().substr(0, 16) << ": " << po["reason"].get<std::string>() << "\n";
  }
  return code;
}

}  // namespace sealpost::cli

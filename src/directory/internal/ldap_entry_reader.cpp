// SPDX-License-Identifier: Apache-2.0
// Reading certificate attributes out of a search entry: bounded, strict, never trusting.
#include "directory/internal/ldap_entry_reader.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "directory/internal/ldap_certificate_values.h"

namespace sealpost::directory::internal {
namespace {

char kUserCertificate[] = "userCertificate";
char kUserCertificateBinary[] = "userCertificate;binary";
char kUserSmimeCertificate[] = "userSMIMECertificate";

// "userCertificate;binary" → "usercertificate": descriptions are case-insensitive and the
// options (RFC 4512 §2.5) do not change what the value is.
std::string BaseName(std::string_view description) {
  std::string base(description.substr(0, description.find(';')));
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return std::tolower(c); });
  return base;
}

std::string DisplayName(const std::string& base) {
  return base == "usersmimecertificate" ? "userSMIMECertificate" : "userCertificate";
}

void AddUnique(std::vector<pki::Certificate>& list, pki::Certificate cert) {
  if (std::find(list.begin(), list.end(), cert) == list.end()) list.push_back(std::move(cert));
}

// Keeps at most `cap` user certificates (catalogue L9); the first one skipped is noted.
void AddCertificate(LdapEntry& entry, pki::Certificate cert, std::size_t cap) {
  if (std::find(entry.certificates.begin(), entry.certificates.end(), cert) != entry.certificates.end()) return;
  if (entry.certificates.size() >= cap) {
    const std::string note = "more than " + std::to_string(cap) + " certificates on this entry; the rest were skipped";
    if (std::find(entry.problems.begin(), entry.problems.end(), note) == entry.problems.end()) entry.problems.push_back(note);
    return;
  }
  entry.certificates.push_back(std::move(cert));
}

void AddValue(const std::string& base, std::string_view value, std::size_t index, std::size_t cap,
              pki::CertificateCache& certificates, LdapEntry& entry) {
  const std::string where = DisplayName(base) + " (value " + std::to_string(index + 1) + ")";
  if (base == "usercertificate") {
    auto cert = ParseCertificateValue(value, certificates);
    if (!cert) {
      entry.problems.push_back("unparsable certificate in " + where + ": " + cert.error().message());
      return;
    }
    AddCertificate(entry, std::move(cert).value(), cap);
    return;
  }
  auto bundle = ParseSmimeBundle(value);
  if (!bundle) {
    entry.problems.push_back("unparsable PKCS#7 bundle in " + where + ": " + bundle.error().message());
    return;
  }
  // A bundle carries the user's certificate and often its issuers; the issuers may help
  // build a path but must never become anchors (catalogue L15).
  for (pki::Certificate& cert : *bundle) {
    if (cert.IsCa()) {
      AddUnique(entry.chain, std::move(cert));
    } else {
      AddCertificate(entry, std::move(cert), cap);
    }
  }
}

}  // namespace

char* kCertificateAttributes[] = {kUserCertificateBinary, kUserCertificate, kUserSmimeCertificate, nullptr};

Result<LdapEntry> ReadEntry(LDAP* ld, LDAPMessage* entry, const LdapConfig& config, std::size_t& total_bytes,
                            pki::CertificateCache& certificates) {
  LdapEntry out;
  LdapStringPtr dn(Ldap().ldap_get_dn(ld, entry));
  if (!dn) return Error(ErrorCode::kMalformed, "the directory sent an entry without a DN");
  out.dn = dn.get();

  BerElement* raw_ber = nullptr;
  LdapStringPtr attr(Ldap().ldap_first_attribute(ld, entry, &raw_ber));
  BerElementPtr ber(raw_ber);  // allocated even when no attribute follows
  for (; attr; attr.reset(Ldap().ldap_next_attribute(ld, entry, ber.get()))) {
    const std::string base = BaseName(attr.get());
    if (base != "usercertificate" && base != "usersmimecertificate") continue;  // not asked for
    BervalsPtr values(Ldap().ldap_get_values_len(ld, entry, attr.get()));
    for (std::size_t i = 0; values && values.get()[i]; ++i) {
      const berval* value = values.get()[i];
      if (value->bv_len > config.max_attribute_bytes) {
        return Error(ErrorCode::kLimit, "the entry " + out.dn + " has a " + std::to_string(value->bv_len) +
                                            "-byte value in " + attr.get() + ", over the limit of " +
                                            std::to_string(config.max_attribute_bytes) + " bytes");
      }
      total_bytes += value->bv_len;
      if (total_bytes > config.max_total_bytes) {
        return Error(ErrorCode::kLimit, "the directory answer is over the limit of " +
                                            std::to_string(config.max_total_bytes) + " bytes of certificates");
      }
      AddValue(base, std::string_view(value->bv_val, value->bv_len), i, config.max_certificates_per_entry, certificates, out);
    }
  }
  return out;
}

}  // namespace sealpost::directory::internal

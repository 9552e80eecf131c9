// SPDX-License-Identifier: Apache-2.0
// Application-level path rules; see chain_rules.h.
#include "pki/internal/chain_rules.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <set>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::pki::internal {
namespace {

constexpr const char* kEmailProtection = "1.3.6.1.5.5.7.3.4";
constexpr const char* kAnyExtendedKeyUsage = "2.5.29.37.0";

struct EkuFreer {
  void operator()(EXTENDED_KEY_USAGE* eku) const { EXTENDED_KEY_USAGE_free(eku); }
};

// The purposes one certificate's EKU allows: nullopt for all (absent, or anyExtendedKeyUsage),
// an empty set when the extension is empty, duplicated or unreadable.
std::optional<std::set<std::string>> Purposes(const Certificate& cert) {
  int critical = -1;
  std::unique_ptr<EXTENDED_KEY_USAGE, EkuFreer> eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert.native(), NID_ext_key_usage, &critical, nullptr)));
  ossl::DrainErrors();
  if (!eku) {
    if (critical == -1) return std::nullopt;  // absent
    return std::set<std::string>{};           // -2: duplicated; otherwise undecodable
  }
  std::set<std::string> oids;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    char buf[128] = {0};
    OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(eku.get(), i), 1);
    oids.emplace(buf);
  }
  if (oids.count(kAnyExtendedKeyUsage) != 0) return std::nullopt;
  return oids;
}

uint32_t KeyUsageBit(const std::string& name) {
  static constexpr struct {
    const char* name;
    uint32_t bit;
  } kBits[] = {{"digitalSignature", KU_DIGITAL_SIGNATURE}, {"nonRepudiation", KU_NON_REPUDIATION},
               {"contentCommitment", KU_NON_REPUDIATION},   {"keyEncipherment", KU_KEY_ENCIPHERMENT},
               {"dataEncipherment", KU_DATA_ENCIPHERMENT},  {"keyAgreement", KU_KEY_AGREEMENT},
               {"keyCertSign", KU_KEY_CERT_SIGN},           {"cRLSign", KU_CRL_SIGN},
               {"encipherOnly", KU_ENCIPHER_ONLY},          {"decipherOnly", KU_DECIPHER_ONLY}};
  for (const auto& entry : kBits) {
    if (name == entry.name) return entry.bit;
  }
  return 0;
}

bool IsDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
  return false;
}

// RFC 5280 §4.2.1.6: an rfc822Name is a Mailbox (RFC 5321 §4.1.2): Local-part "@" Domain,
// the local part a dot-string or a quoted string, the domain a host name or an address
// literal. "a@b@example.com" is none of these.
bool IsMailbox(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  bool quoted = local.size() >= 2 && local.front() == '"' && local.back() == '"';
  if (!quoted) {
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    for (char ch : local) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c <= 0x20 || c >= 0x7f || std::strchr("()<>[]:;@\\,\"", ch) != nullptr) return false;
    }
  }
  if (domain.front() == '[') return domain.back() == ']';
  return IsDomain(domain);
}

bool ExplicitCurve(const Certificate& cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert.native());
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  int explicit_params = 0;
  bool known = EVP_PKEY_get_int_param(key, OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, &explicit_params) == 1;
  ossl::DrainErrors();
  return known && explicit_params != 0;
}

}  // namespace

void AddProblem(std::vector<std::string>& problems, const std::string& name) {
  if (std::find(problems.begin(), problems.end(), name) == problems.end()) problems.push_back(name);
}

std::vector<std::string> RequiredEkus(const ValidationOptions& options) {
  std::vector<std::string> required = options.required_ekus;
  if (options.use != CertUse::kAny &&
      std::find(required.begin(), required.end(), kEmailProtection) == required.end()) {
    required.emplace_back(kEmailProtection);
  }
  return required;
}

void CheckExtendedKeyUsage(const CertPath& path, const std::vector<std::string>& required,
                           std::vector<std::string>& problems) {
  // The path allows the intersection of what each certificate allows (as Go and NSS narrow
  // it): a CA restricted to serverAuth cannot vouch for an emailProtection signer.
  std::optional<std::set<std::string>> allowed;  // nullopt: everything
  for (const Certificate* cert : path) {
    std::optional<std::set<std::string>> own = Purposes(*cert);
    if (!own) continue;
    if (!allowed) {
      allowed = std::move(own);
    } else {
      std::set<std::string> both;
      std::set_intersection(allowed->begin(), allowed->end(), own->begin(), own->end(),
                            std::inserter(both, both.begin()));
      allowed = std::move(both);
    }
  }
  if (!allowed) return;
  bool ok = !allowed->empty();
  for (const auto& oid : required) ok = ok && allowed->count(oid) != 0;
  if (!ok) AddProblem(problems, "wrong-purpose");
}

void CheckKeyUsage(const Certificate& leaf, CertUse use, const std::vector<std::string>& required,
                   std::vector<std::string>& problems) {
  uint32_t ku = X509_get_key_usage(leaf.native());  // UINT32_MAX when the extension is absent
  if (ku == UINT32_MAX) return;
  for (const auto& name : required) {
    uint32_t bit = KeyUsageBit(name);
    if (bit == 0 || (ku & bit) == 0) AddProblem(problems, "wrong-key-usage");
  }
  bool allowed = true;
  if (use == CertUse::kAny) {
    return;
  } else if (use == CertUse::kSigning) {
    allowed = (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
  } else {
    std::string algorithm = leaf.KeyAlgorithm();
    if (algorithm == "rsa" || algorithm == "rsa-pss") {
      allowed = (ku & KU_KEY_ENCIPHERMENT) != 0;
    } else if (algorithm == "ec" || algorithm == "x25519") {
      allowed = (ku & KU_KEY_AGREEMENT) != 0;
    } else {
      allowed = (ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) != 0;
    }
  }
  if (!allowed) AddProblem(problems, "wrong-key-usage");
}

void CheckPeerNames(const Certificate& leaf, const std::vector<PeerName>& names, std::vector<std::string>& problems) {
  for (const auto& name : names) {
    int matched = 0;
    switch (name.kind) {
      case PeerName::Kind::kDns:
        matched = X509_check_host(leaf.native(), name.value.data(), name.value.size(),
                                  X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr);
        break;
      case PeerName::Kind::kIp:
        matched = X509_check_ip_asc(leaf.native(), name.value.c_str(), 0);
        break;
      case PeerName::Kind::kEmail:
        matched = X509_check_email(leaf.native(), name.value.data(), name.value.size(), 0);
        break;
    }
    ossl::DrainErrors();
    if (matched != 1) AddProblem(problems, "name-mismatch");
  }
}

void CheckConformance(const CertPath& path, std::vector<std::string>& problems) {
  // §4.1.2.6: a CA's subject MUST be non-empty; an empty subject needs a critical SAN.
  for (size_t i = 1; i < path.size(); ++i) {
    if (X509_NAME_entry_count(X509_get_subject_name(path[i]->native())) == 0)
      AddProblem(problems, "non-conforming-certificate");
  }
  X509* leaf = path.front()->native();
  uint32_t leaf_flags = X509_get_extension_flags(leaf);
  int san_critical = -1;
  int san_index = X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1);
  if (san_index >= 0) san_critical = X509_EXTENSION_get_critical(X509_get_ext(leaf, san_index));
  if (X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0 && san_critical != 1)
    AddProblem(problems, "non-conforming-certificate");
  // §4.2.1.9: "If the cA boolean is not asserted, then the keyCertSign bit in the key usage
  // extension MUST NOT be asserted."; §4.2.1.10: name constraints "MUST be used only in a
  // CA certificate".
  uint32_t ku = X509_get_key_usage(leaf);
  bool leaf_is_ca = (leaf_flags & EXFLAG_CA) != 0;
  if (ku != UINT32_MAX && (ku & KU_KEY_CERT_SIGN) != 0 && !leaf_is_ca) AddProblem(problems, "non-conforming-certificate");
  if (!leaf_is_ca && X509_get_ext_by_NID(leaf, NID_name_constraints, -1) >= 0)
    AddProblem(problems, "non-conforming-certificate");
}

void CheckEmailSyntax(const Certificate& leaf, std::vector<std::string>& problems) {
  ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf.native(), NID_subject_alt_name, nullptr, nullptr)));
  ossl::DrainErrors();
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_EMAIL) continue;
    const ASN1_IA5STRING* ia5 = name->d.rfc822Name;
    std::string_view address(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ia5)),
                             static_cast<size_t>(ASN1_STRING_length(ia5)));
    if (!IsMailbox(address)) AddProblem(problems, "malformed-email-address");
  }
}

void CheckKeyParameters(const CertPath& path, std::vector<std::string>& problems) {
  for (const Certificate* cert : path) {
    if (ExplicitCurve(*cert)) AddProblem(problems, "explicit-curve");
  }
}

}  // namespace sealpost::pki::internal

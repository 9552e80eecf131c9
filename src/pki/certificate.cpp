// SPDX-License-Identifier: Apache-2.0
// Certificate parsing and field extraction over OpenSSL's X509.
#include "pki/certificate.h"

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/ascii.h"
#include "core/utc_time.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "pki/comparable_address.h"

namespace sealpost::pki {
namespace {

std::string NameToString(const X509_NAME* name) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio) X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return ossl::MemBioContents(bio.get());
}

std::time_t AsnTimeToTimeT(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

bool LooksLikePem(std::string_view bytes) { return bytes.find("-----BEGIN") != std::string_view::npos; }

}  // namespace

std::string_view KeyPurposeName(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kSigning: return "signing";
    case KeyPurpose::kEncryption: return "encryption";
    case KeyPurpose::kDual: return "dual";
  }
  return "dual";
}

Result<Certificate> Certificate::Parse(std::string_view bytes) {
  ASSIGN_OR_RETURN(auto all, ParseAll(bytes));
  return std::move(all.front());
}

Result<std::vector<Certificate>> Certificate::ParseAll(std::string_view bytes) {
  std::vector<Certificate> out;
  if (LooksLikePem(bytes)) {
    ossl::BioPtr bio = ossl::MemBio(bytes.data(), bytes.size());
    for (;;) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (!cert) break;
      out.push_back(Certificate(cert));
    }
    ossl::DrainErrors();  // the loop ends on "no start line"
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
    if (cert) out.push_back(Certificate(cert));
  }
  if (out.empty()) return ossl::MakeError(ErrorCode::kMalformed, "not a certificate (expected PEM or DER X.509)");
  return out;
}

Result<std::vector<Certificate>> Certificate::ParseCertsOnlyBundle(std::string_view bytes) {
  ossl::BioPtr bio = ossl::MemBio(bytes.data(), bytes.size());
  PKCS7* p7 = LooksLikePem(bytes) ? PEM_read_bio_PKCS7(bio.get(), nullptr, nullptr, nullptr)
                                  : d2i_PKCS7_bio(bio.get(), nullptr);
  std::vector<Certificate> out;
  if (p7 && PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->cert) {
    for (int i = 0; i < sk_X509_num(p7->d.sign->cert); ++i) out.push_back(FromNative(sk_X509_value(p7->d.sign->cert, i)));
  }
  PKCS7_free(p7);
  if (out.empty()) return ossl::MakeError(ErrorCode::kMalformed, "not a certificate or a PKCS#7 certificate bundle");
  ossl::DrainErrors();
  return out;
}

Certificate Certificate::FromNative(x509_st* cert) {
  X509_up_ref(cert);
  return Certificate(cert);
}

Certificate::Certificate(const Certificate& other) : cert_(other.cert_) { X509_up_ref(cert_); }
Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    X509_up_ref(other.cert_);
    X509_free(cert_);
    cert_ = other.cert_;
  }
  return *this;
}
Certificate::Certificate(Certificate&& other) noexcept : cert_(other.cert_) { other.cert_ = nullptr; }
Certificate& Certificate::operator=(Certificate&& other) noexcept {
  std::swap(cert_, other.cert_);
  return *this;
}
Certificate::~Certificate() { X509_free(cert_); }

std::vector<std::string> Certificate::Emails() const {
  std::vector<std::string> out;
  auto add = [&](std::string_view email) {
    // A mailbox never holds control characters; one with a NUL ("a@b.example\0.evil") or a
    // CR/LF is malformed and would reach C APIs and screens cut or split (catalogue R11, I6).
    if (std::any_of(email.begin(), email.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) return;
    std::string e = AsciiLower(email);
    if (!e.empty() && std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  };
  ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert_, NID_subject_alt_name, nullptr, nullptr)));
  bool san_has_address = false;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    const ASN1_STRING* s = nullptr;
    if (gn->type == GEN_EMAIL) {
      s = gn->d.rfc822Name;
    } else if (gn->type == GEN_OTHERNAME && OBJ_obj2nid(gn->d.otherName->type_id) == NID_id_on_SmtpUTF8Mailbox &&
               gn->d.otherName->value && gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
      // RFC 8398: a mailbox with a non-ASCII local part, as a UTF8String otherName.
      s = gn->d.otherName->value->value.utf8string;
    }
    if (!s) continue;
    san_has_address = true;
    add(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s))));
  }
  // The subject DN's emailAddress is a legacy fallback, used only when the SAN has no
  // address, rfc822Name or SmtpUTF8Mailbox (RFC 8550 §3, X509_check_email semantics;
  // catalogue I4): a DN address beside a SAN one is not one the CA vouched for as the signer's.
  // A SAN address dropped above as malformed still counts as one.
  if (san_has_address) {
    ossl::DrainErrors();
    return out;
  }
  const X509_NAME* subject = X509_get_subject_name(cert_);
  for (int idx = -1; (idx = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, idx)) >= 0;) {
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    add(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s))));
  }
  ossl::DrainErrors();
  return out;
}

bool Certificate::HasEmail(std::string_view address) const { return EmailsInclude(Emails(), address); }

bool Certificate::EmailsInclude(const std::vector<std::string>& emails, std::string_view address) {
  // Both sides in one form (IDNA A-label domain, ASCII case fold); an address that has no
  // such form, here or in the certificate, matches nothing (catalogue I4).
  auto want = ComparableAddress(address);
  if (!want) return false;
  for (const auto& e : emails) {
    if (ComparableAddress(e) == want) return true;
  }
  return false;
}

std::string Certificate::Subject() const { return NameToString(X509_get_subject_name(cert_)); }
std::string Certificate::Issuer() const { return NameToString(X509_get_issuer_name(cert_)); }

std::string Certificate::CommonName() const {
  const X509_NAME* subject = X509_get_subject_name(cert_);
  int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::time_t Certificate::NotBefore() const { return AsnTimeToTimeT(X509_get0_notBefore(cert_)); }
std::time_t Certificate::NotAfter() const { return AsnTimeToTimeT(X509_get0_notAfter(cert_)); }
bool Certificate::ValidAt(std::time_t when) const { return NotBefore() <= when && when <= NotAfter(); }

std::string Certificate::Sha256Fingerprint() const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert_, EVP_sha256(), md, &len);
  std::string out;
  char hex[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

std::string Certificate::SerialHex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_), nullptr);
  if (!bn) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex ? AsciiLower(hex) : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

bool Certificate::AllowsSigning() const {
  uint32_t ku = X509_get_key_usage(cert_);  // UINT32_MAX when the extension is absent
  return ku == UINT32_MAX || (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

bool Certificate::AllowsEncryption() const {
  uint32_t ku = X509_get_key_usage(cert_);
  return ku == UINT32_MAX || (ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) != 0;
}

KeyPurpose Certificate::Purpose() const {
  bool sign = AllowsSigning();
  bool encrypt = AllowsEncryption();
  if (sign && !encrypt) return KeyPurpose::kSigning;
  if (encrypt && !sign) return KeyPurpose::kEncryption;
  return KeyPurpose::kDual;
}

bool Certificate::EkuAllowsEmail() const {
  uint32_t xku = X509_get_extended_key_usage(cert_);  // UINT32_MAX when absent
  return xku == UINT32_MAX || (xku & (XKU_SMIME | XKU_ANYEKU)) != 0;
}

bool Certificate::IsCa() const { return X509_check_ca(cert_) != 0; }
bool Certificate::IsSelfSigned() const { return (X509_get_extension_flags(cert_) & EXFLAG_SS) != 0; }

std::string Certificate::TemplateName() const {
  auto extension_value = [&](const char* oid) -> const ASN1_OCTET_STRING* {
    ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
    int idx = obj ? X509_get_ext_by_OBJ(cert_, obj, -1) : -1;
    ASN1_OBJECT_free(obj);
    return idx < 0 ? nullptr : X509_EXTENSION_get_data(X509_get_ext(cert_, idx));
  };
  if (const ASN1_OCTET_STRING* v = extension_value("1.3.6.1.4.1.311.20.2")) {
    const unsigned char* p = ASN1_STRING_get0_data(v);
    ASN1_TYPE* any = d2i_ASN1_TYPE(nullptr, &p, ASN1_STRING_length(v));
    std::string out;
    if (any && (any->type == V_ASN1_BMPSTRING || any->type == V_ASN1_UTF8STRING || any->type == V_ASN1_PRINTABLESTRING)) {
      unsigned char* utf8 = nullptr;
      int len = ASN1_STRING_to_UTF8(&utf8, any->value.asn1_string);
      if (len > 0) out.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
      OPENSSL_free(utf8);
    }
    ASN1_TYPE_free(any);
    ossl::DrainErrors();
    if (!out.empty()) return out;
  }
  if (const ASN1_OCTET_STRING* v = extension_value("1.3.6.1.4.1.311.21.7")) {
    // CertificateTemplate ::= SEQUENCE { templateID OID, major INTEGER, minor INTEGER OPTIONAL }
    const unsigned char* p = ASN1_STRING_get0_data(v);
    long len = 0;
    int tag = 0, cls = 0;
    if (ASN1_get_object(&p, &len, &tag, &cls, ASN1_STRING_length(v)) == V_ASN1_CONSTRUCTED && tag == V_ASN1_SEQUENCE) {
      ASN1_OBJECT* oid = d2i_ASN1_OBJECT(nullptr, &p, len);
      char buf[128] = {0};
      if (oid) OBJ_obj2txt(buf, sizeof buf, oid, 1);
      ASN1_OBJECT_free(oid);
      ossl::DrainErrors();
      if (buf[0]) return std::string("template ") + buf;
    }
    ossl::DrainErrors();
  }
  return {};
}

std::string Certificate::KeyAlgorithm() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_);
  if (!key) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "rsa";
    case EVP_PKEY_RSA_PSS: return "rsa-pss";
    case EVP_PKEY_EC: return "ec";
    case EVP_PKEY_ED25519: return "ed25519";
    case EVP_PKEY_ED448: return "ed448";
    case EVP_PKEY_DSA: return "dsa";
    case EVP_PKEY_X25519: return "x25519";
    default: return "unknown";
  }
}

int Certificate::KeyBits() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_);
  return key ? EVP_PKEY_get_bits(key) : 0;
}

std::string Certificate::ToPem() const {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert_)) return {};
  return ossl::MemBioContents(bio.get());
}

std::string Certificate::ToDer() const {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert_, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool Certificate::operator==(const Certificate& other) const { return X509_cmp(cert_, other.cert_) == 0; }

std::string FormatRfc3339(std::time_t when) {
  struct tm tm {};
  gmtime_r(&when, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::time_t> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DD[Tt ]HH:MM:SS[.frac](Z|±HH:MM); a bare date means midnight UTC.
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string str(text);
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3) {
    return Error(ErrorCode::kInvalidArgument, "time '" + str + "' is not RFC 3339 (e.g. 2020-01-01T00:00:00Z)");
  }
  size_t pos = static_cast<size_t>(consumed);
  long offset = 0;
  if (pos < str.size()) {
    if (str[pos] != 'T' && str[pos] != 't' && str[pos] != ' ')
      return Error(ErrorCode::kInvalidArgument, "time '" + str + "' is not RFC 3339 (e.g. 2020-01-01T00:00:00Z)");
    int n = 0;
    if (std::sscanf(str.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &n) != 3)
      return Error(ErrorCode::kInvalidArgument, "time '" + str + "' has no HH:MM:SS");
    pos += 1 + static_cast<size_t>(n);
    if (pos < str.size() && str[pos] == '.') {
      ++pos;
      while (pos < str.size() && std::isdigit(static_cast<unsigned char>(str[pos]))) ++pos;
    }
    if (pos < str.size() && (str[pos] == 'Z' || str[pos] == 'z')) {
      ++pos;
    } else if (pos < str.size() && (str[pos] == '+' || str[pos] == '-')) {
      int oh = 0, om = 0;
      if (std::sscanf(str.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2)
        return Error(ErrorCode::kInvalidArgument, "time '" + str + "' has a bad UTC offset");
      offset = (str[pos] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
      pos += 6;
    } else {
      return Error(ErrorCode::kInvalidArgument, "time '" + str + "' needs a zone (Z or ±HH:MM)");
    }
  }
  if (pos != str.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return Error(ErrorCode::kInvalidArgument, "time '" + str + "' is not RFC 3339 (e.g. 2020-01-01T00:00:00Z)");
  return UtcSeconds(y, mo, d, h, mi, s) - offset;
}

}  // namespace sealpost::pki

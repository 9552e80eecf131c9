// SPDX-License-Identifier: Apache-2.0
// Certificate: one X.509 certificate and the facts S/MIME needs from it.
// Copy means up-ref (the X509 is immutable once parsed); move is allowed.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct x509_st;

namespace sealpost::pki {

// What the key usage extension lets the key do, for S/MIME (identities issue §purpose).
enum class KeyPurpose { kSigning, kEncryption, kDual };
std::string_view KeyPurposeName(KeyPurpose purpose);

class Certificate final {
 public:
  // Parses one certificate from PEM or DER bytes.
  static Result<Certificate> Parse(std::string_view bytes);
  // Parses every certificate in PEM bytes (or the single DER one). Empty → kMalformed.
  static Result<std::vector<Certificate>> ParseAll(std::string_view bytes);
  // Every certificate of a PKCS#7 certs-only bundle (.p7b/.p7c, DER or PEM).
  static Result<std::vector<Certificate>> ParseCertsOnlyBundle(std::string_view bytes);
  // Takes a new reference on `cert` (not owned by the caller afterwards).
  static Certificate FromNative(x509_st* cert);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(Certificate&& other) noexcept;
  ~Certificate();

  // Every e-mail address in the certificate, as written (ASCII lower-cased), without
  // duplicates: its SAN rfc822Names and RFC 8398 SmtpUTF8Mailboxes, or (only when the SAN
  // has neither) the subject emailAddress values.
  std::vector<std::string> Emails() const;
  // True when `address` is one of Emails() once both are in ComparableAddress form
  // (IDNA A-label domain, ASCII case fold); never for an address that has no such form.
  bool HasEmail(std::string_view address) const;
  // HasEmail over a list Emails() already gave (one SAN decode for several addresses).
  static bool EmailsInclude(const std::vector<std::string>& emails, std::string_view address);

  std::string Subject() const;  // RFC 2253 one-line form
  std::string Issuer() const;
  std::string CommonName() const;
  std::time_t NotBefore() const;
  std::time_t NotAfter() const;
  bool ValidAt(std::time_t when) const;
  std::string Sha256Fingerprint() const;  // lower-case hex
  std::string SerialHex() const;

  KeyPurpose Purpose() const;
  bool AllowsSigning() const;     // key usage absent or digitalSignature/nonRepudiation
  bool AllowsEncryption() const;  // key usage absent or keyEncipherment/keyAgreement
  bool EkuAllowsEmail() const;    // EKU absent, emailProtection, or anyExtendedKeyUsage
  bool IsCa() const;
  bool IsSelfSigned() const;

  // The AD CS template: certificateTemplateName (1.3.6.1.4.1.311.20.2, a BMPString) or
  // the OID of certificateTemplate (1.3.6.1.4.1.311.21.7); empty when neither is present.
  std::string TemplateName() const;

  std::string KeyAlgorithm() const;  // "rsa", "ec", "ed25519", ...
  int KeyBits() const;

  std::string ToPem() const;
  std::string ToDer() const;
  bool operator==(const Certificate& other) const;  // same DER

  x509_st* native() const { return cert_; }  // for code inside pki/cms/smime only

 private:
  explicit Certificate(x509_st* owned) : cert_(owned) {}
  x509_st* cert_;
};

// "2026-11-25T14:00:00Z" ↔ time_t (UTC). Parse accepts RFC 3339 with Z or an offset.
std::string FormatRfc3339(std::time_t when);
Result<std::time_t> ParseRfc3339(std::string_view text);

}  // namespace sealpost::pki

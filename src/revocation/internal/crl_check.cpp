// SPDX-License-Identifier: Apache-2.0
// CRL validation and serial lookup with OpenSSL's X509_CRL API.
#include "revocation/internal/crl_check.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "ossl/errors.h"
#include "revocation/internal/freshness.h"
#include "revocation/internal/revocation_handles.h"

namespace sealpost::revocation::internal {
namespace {

Error Rejected(std::string why) { return ossl::MakeError(ErrorCode::kIntegrity, std::move(why)); }

Result<ossl::X509CrlPtr> ParseCrl(std::string_view bytes) {
  ossl::X509CrlPtr crl;
  if (bytes.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    ossl::BioPtr bio = ossl::MemBio(bytes.data(), bytes.size());
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
    if (crl && p != reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size()) crl.reset();
  }
  if (!crl) return ossl::MakeError(ErrorCode::kMalformed, "not a CRL (expected DER or PEM)");
  return crl;
}

std::string ObjectName(const ASN1_OBJECT* object) {
  char buffer[128];
  OBJ_obj2txt(buffer, sizeof buffer, object, 0);
  return buffer;
}

// RFC 5280 §5.2/§5.3: a CRL with a critical extension we do not process must not be used.
// The issuing distribution point is the one critical extension we do process.
Status CheckExtensions(const X509_CRL* crl) {
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (nid == NID_delta_crl) return Rejected("a delta CRL cannot say a certificate is not revoked");
    if (X509_EXTENSION_get_critical(ext) && nid != NID_issuing_distribution_point) {
      return Rejected("CRL has an unsupported critical extension " + ObjectName(X509_EXTENSION_get_object(ext)));
    }
  }
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(const_cast<X509_CRL*>(crl));
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(entries, i);
    for (int j = 0; j < X509_REVOKED_get_ext_count(entry); ++j) {
      X509_EXTENSION* ext = X509_REVOKED_get_ext(entry, j);
      // certificateIssuer (indirect CRLs) is critical by definition; we do not support them.
      if (X509_EXTENSION_get_critical(ext)) {
        return Rejected("CRL entry has an unsupported critical extension " +
                        ObjectName(X509_EXTENSION_get_object(ext)));
      }
    }
  }
  return Ok();
}

bool NamesUrl(const GENERAL_NAMES* names, std::string_view url) {
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                          static_cast<size_t>(ASN1_STRING_length(uri)));
    if (text == url) return true;
  }
  return false;
}

// RFC 5280 §5.2.5 and §6.3.3 (b)(2): the CRL's scope must cover the certificate.
Status CheckScope(const X509_CRL* crl, const pki::Certificate& cert, std::string_view url) {
  int critical = 0;
  IssuingDistPointPtr idp(
      static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &critical, nullptr)));
  if (!idp) {
    if (critical != -1) return Rejected("CRL has an unreadable issuing distribution point");
    return Ok();
  }
  if (idp->indirectCRL) return Rejected("indirect CRLs are not supported");
  if (idp->onlysomereasons) return Rejected("CRL covers only some revocation reasons");
  if (idp->onlyattr) return Rejected("CRL covers only attribute certificates");
  if (idp->onlyuser && cert.IsCa()) return Rejected("CRL covers only end-entity certificates");
  if (idp->onlyCA && !cert.IsCa()) return Rejected("CRL covers only CA certificates");
  if (idp->distpoint) {
    if (idp->distpoint->type != 0) return Rejected("CRL names its distribution point relative to the issuer");
    if (!NamesUrl(idp->distpoint->name.fullname, url)) {
      return Rejected("CRL belongs to another distribution point than " + std::string(url));
    }
  }
  return Ok();
}

std::string EntryReason(const X509_REVOKED* entry) {
  int critical = 0;
  Asn1EnumeratedPtr code(
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr)));
  if (!code) return {};
  long reason = ASN1_ENUMERATED_get(code.get());
  return reason >= 0 ? OCSP_crl_reason_str(reason) : std::string();
}

}  // namespace

Result<VerifiedStatus> CheckCrl(std::string_view bytes, const pki::Certificate& cert, const pki::Certificate& issuer,
                                std::string_view url, std::time_t at) {
  ASSIGN_OR_RETURN(ossl::X509CrlPtr crl, ParseCrl(bytes));
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.native())) != 0) {
    return Rejected("CRL is issued by another CA than the certificate's issuer");
  }
  // X509_get_key_usage is UINT32_MAX when the extension is absent (any use allowed).
  if ((X509_get_key_usage(issuer.native()) & KU_CRL_SIGN) == 0) {
    return Rejected("the issuer's key usage lacks cRLSign, so it may not sign CRLs");
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.native());
  if (!key || X509_CRL_verify(crl.get(), key) != 1) {
    return Rejected("CRL signature does not verify with the issuer's key");
  }
  RETURN_IF_ERROR(CheckExtensions(crl.get()));
  RETURN_IF_ERROR(CheckScope(crl.get(), cert, url));

  VerifiedStatus out;
  out.this_update = AsnTimeToTimeT(X509_CRL_get0_lastUpdate(crl.get()));
  const ASN1_TIME* next_update = X509_CRL_get0_nextUpdate(crl.get());
  out.next_update = next_update ? AsnTimeToTimeT(next_update) : 0;
  if (out.this_update == 0 || (next_update && out.next_update == 0)) {
    return Rejected("CRL has unreadable thisUpdate/nextUpdate");
  }
  switch (CheckFreshness(out.this_update, out.next_update, at)) {
    case Freshness::kNotYetValid:
      return Rejected("CRL is not yet valid (thisUpdate in the future)");
    case Freshness::kExpired:
      return Rejected("CRL is stale (past nextUpdate)");
    case Freshness::kCurrent:
      break;
  }

  X509_REVOKED* entry = nullptr;
  // 1 = listed; 2 = listed as removeFromCRL, which only delta CRLs carry (rejected above).
  int found = X509_CRL_get0_by_serial(crl.get(), &entry, X509_get0_serialNumber(cert.native()));
  if (found == 1 && entry) {
    out.state = RevocationState::kRevoked;
    out.revoked_at = AsnTimeToTimeT(X509_REVOKED_get0_revocationDate(entry));
    out.reason = EntryReason(entry);
  } else {
    out.state = RevocationState::kGood;
  }
  ossl::DrainErrors();
  return out;
}

}  // namespace sealpost::revocation::internal

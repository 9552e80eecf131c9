// SPDX-License-Identifier: Apache-2.0
// DER certificate and PKCS#7 certs-only parsing for directory attribute values.
#include "directory/internal/ldap_certificate_values.h"

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::directory::internal {

Result<pki::Certificate> ParseCertificateValue(std::string_view der, pki::CertificateCache& cache) {
  return cache.Get(der);
}

Result<std::vector<pki::Certificate>> ParseSmimeBundle(std::string_view der) {
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  // CMS parses PKCS#7 SignedData too: RFC 5652 is wire-compatible with PKCS#7 v1.5 here.
  ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) return ossl::MakeError(ErrorCode::kMalformed, "not a DER PKCS#7 structure");
  if (p != begin + der.size()) return Error(ErrorCode::kMalformed, "a PKCS#7 structure followed by unexpected bytes");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return Error(ErrorCode::kMalformed, "a PKCS#7 structure that is not SignedData");
  }
  ossl::X509StackPtr certs(CMS_get1_certs(cms.get()));
  ossl::DrainErrors();  // CMS_get1_certs leaves nothing useful when the bag is empty
  std::vector<pki::Certificate> out;
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    out.push_back(pki::Certificate::FromNative(sk_X509_value(certs.get(), i)));
  }
  if (out.empty()) return Error(ErrorCode::kMalformed, "a PKCS#7 bundle without certificates");
  return out;
}

}  // namespace sealpost::directory::internal

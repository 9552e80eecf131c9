// SPDX-License-Identifier: Apache-2.0
// Reading AIA and CRL DP extensions with OpenSSL's decoders.
#include "revocation/internal/certificate_urls.h"

#include <openssl/x509v3.h>

#include <cstring>

#include "ossl/errors.h"
#include "revocation/internal/revocation_handles.h"

namespace sealpost::revocation::internal {
namespace {

// An IA5String with an embedded NUL would read as a different URL in C string APIs.
bool AppendUri(const GENERAL_NAME* name, std::vector<std::string>& out) {
  if (!name || name->type != GEN_URI) return false;
  const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
  const char* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri));
  int length = ASN1_STRING_length(uri);
  if (!data || length <= 0 || std::memchr(data, '\0', static_cast<size_t>(length))) return false;
  out.emplace_back(data, static_cast<size_t>(length));
  return true;
}

}  // namespace

std::vector<std::string> OcspResponderUrls(const pki::Certificate& cert) {
  std::vector<std::string> out;
  int critical = 0;
  AuthorityInfoAccessPtr aia(
      static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert.native(), NID_info_access, &critical, nullptr)));
  if (aia) {
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
      const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
      if (OBJ_obj2nid(ad->method) == NID_ad_OCSP) AppendUri(ad->location, out);
    }
  }
  ossl::DrainErrors();  // an absent or undecodable extension is "no URL", not an error
  return out;
}

std::vector<std::string> CrlDistributionUrls(const pki::Certificate& cert) {
  std::vector<std::string> out;
  int critical = 0;
  DistPointStackPtr points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(cert.native(), NID_crl_distribution_points, &critical, nullptr)));
  if (points) {
    for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
      const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
      if (!point->distpoint || point->CRLissuer || point->reasons) continue;
      if (point->distpoint->type != 0) continue;  // nameRelativeToCRLIssuer: no URL to fetch
      const GENERAL_NAMES* names = point->distpoint->name.fullname;
      for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) AppendUri(sk_GENERAL_NAME_value(names, j), out);
    }
  }
  ossl::DrainErrors();
  return out;
}

}  // namespace sealpost::revocation::internal

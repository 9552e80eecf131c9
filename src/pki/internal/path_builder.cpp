// SPDX-License-Identifier: Apache-2.0
// Depth-first path enumeration with a step budget; see path_builder.h.
#include "pki/internal/path_builder.h"

#include <openssl/x509v3.h>

#include <algorithm>

namespace sealpost::pki::internal {
namespace {

bool SelfIssued(const Certificate& cert) {
  return X509_NAME_cmp(X509_get_subject_name(cert.native()), X509_get_issuer_name(cert.native())) == 0;
}

// Bounds paths of self-issued certificates, which the intermediate count does not see.
constexpr size_t kMaxPathCertificates = 64;

bool Contains(const CertPath& path, const Certificate& cert) {
  return std::any_of(path.begin(), path.end(), [&](const Certificate* c) { return *c == cert; });
}

}  // namespace

bool MayHaveIssued(const Certificate& issuer, const Certificate& cert) {
  if (X509_NAME_cmp(X509_get_subject_name(issuer.native()), X509_get_issuer_name(cert.native())) != 0) return false;
  const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(cert.native());
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(issuer.native());
  return akid == nullptr || skid == nullptr || ASN1_OCTET_STRING_cmp(akid, skid) == 0;
}

PathBuilder::PathBuilder(const std::vector<Certificate>& anchors, const std::vector<Certificate>& untrusted,
                         PathLimits limits)
    : anchors_(anchors), limits_(limits) {
  for (const auto& cert : untrusted) {
    bool is_anchor = std::any_of(anchors.begin(), anchors.end(), [&](const Certificate& a) { return a == cert; });
    bool seen = std::any_of(untrusted_.begin(), untrusted_.end(), [&](const Certificate* c) { return *c == cert; });
    if (!is_anchor && !seen) untrusted_.push_back(&cert);
  }
}

bool PathBuilder::ForEachPath(const Certificate& leaf, const std::function<bool(const CertPath&)>& visit) {
  paths_ = 0;
  steps_ = 0;
  exhausted_ = false;
  CertPath path{&leaf};
  // A leaf that is itself an anchor is trusted directly (a pinned certificate).
  for (const auto& anchor : anchors_) {
    if (anchor == leaf) {
      ++paths_;
      if (visit(path)) return true;
      break;
    }
  }
  return Extend(path, 0, visit);
}

bool PathBuilder::Extend(CertPath& path, int intermediates, const std::function<bool(const CertPath&)>& visit) {
  const Certificate& tip = *path.back();
  for (const auto& anchor : anchors_) {
    if (paths_ >= limits_.max_paths || ++steps_ > limits_.max_steps) {
      exhausted_ = true;
      return false;
    }
    if (Contains(path, anchor) || !MayHaveIssued(anchor, tip)) continue;
    path.push_back(&anchor);
    ++paths_;
    bool done = visit(path);
    path.pop_back();
    if (done) return true;
  }
  for (const Certificate* candidate : untrusted_) {
    if (paths_ >= limits_.max_paths || ++steps_ > limits_.max_steps) {
      exhausted_ = true;
      return false;
    }
    if (Contains(path, *candidate) || !MayHaveIssued(*candidate, tip)) continue;
    // RFC 5280 §4.2.1.9: self-issued intermediates do not count towards the path length.
    int next = intermediates + (SelfIssued(*candidate) ? 0 : 1);
    if (next > limits_.max_intermediates || path.size() >= kMaxPathCertificates) continue;
    path.push_back(candidate);
    bool done = Extend(path, next, visit);
    path.pop_back();
    if (done) return true;
  }
  return false;
}

}  // namespace sealpost::pki::internal

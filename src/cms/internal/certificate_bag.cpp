// SPDX-License-Identifier: Apache-2.0
// RFC 5652 §3 and §5.1: ContentInfo SEQUENCE { contentType, [0] EXPLICIT SignedData },
// SignedData SEQUENCE { version, digestAlgorithms, encapContentInfo,
// [0] IMPLICIT CertificateSet OPTIONAL, [1] IMPLICIT RevocationInfoChoices OPTIONAL, signerInfos }.
// The three enclosing headers are re-encoded with definite lengths; every other element is
// copied byte for byte (signatures cover none of the headers).
#include "cms/internal/certificate_bag.h"

#include "cms/internal/ber_reader.h"

namespace sealpost::cms::internal {
namespace {

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kContext0 = 0xA0;  // [0] constructed
constexpr std::string_view kSignedDataOid = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02";

void AppendHeader(std::string& out, unsigned char tag, size_t length) {
  out.push_back(static_cast<char>(tag));
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
    return;
  }
  unsigned char bytes[sizeof(size_t)];
  int n = 0;
  for (size_t v = length; v; v >>= 8) bytes[n++] = static_cast<unsigned char>(v & 0xff);
  out.push_back(static_cast<char>(0x80 | n));
  while (n) out.push_back(static_cast<char>(bytes[--n]));
}

size_t HeaderSize(size_t length) {
  if (length < 0x80) return 2;
  size_t n = 0;
  for (size_t v = length; v; v >>= 8) ++n;
  return 2 + n;
}

}  // namespace

std::optional<SplitBag> SplitCertificateBag(std::string_view content_info) {
  auto outer = ReadTlv(content_info);
  if (!outer || outer->tag != kSequence) return std::nullopt;
  auto top = Children(*outer);
  if (!top || top->size() != 2 || (*top)[0].whole != kSignedDataOid || (*top)[1].tag != kContext0) return std::nullopt;
  auto explicit_children = Children((*top)[1]);
  if (!explicit_children || explicit_children->size() != 1 || (*explicit_children)[0].tag != kSequence) return std::nullopt;
  auto fields = Children((*explicit_children)[0]);
  // version, digestAlgorithms, encapContentInfo, then the bag where present.
  if (!fields || fields->size() < 5 || (*fields)[3].tag != kContext0) return std::nullopt;

  SplitBag split;
  auto certs = Children((*fields)[3]);
  if (!certs) return std::nullopt;
  for (const auto& c : *certs) {
    if (c.tag != kSequence) return std::nullopt;  // attribute or other certificates: leave to OpenSSL
    split.certificates.push_back(c.whole);
  }
  size_t signed_data_length = 0;
  for (size_t i = 0; i < fields->size(); ++i) {
    if (i != 3) signed_data_length += (*fields)[i].whole.size();
  }
  size_t explicit_length = HeaderSize(signed_data_length) + signed_data_length;
  size_t outer_length = (*top)[0].whole.size() + HeaderSize(explicit_length) + explicit_length;
  std::string& out = split.without_certificates;
  out.reserve(HeaderSize(outer_length) + outer_length);
  AppendHeader(out, kSequence, outer_length);
  out.append((*top)[0].whole);
  AppendHeader(out, kContext0, explicit_length);
  AppendHeader(out, kSequence, signed_data_length);
  for (size_t i = 0; i < fields->size(); ++i) {
    if (i != 3) out.append((*fields)[i].whole);
  }
  return split;
}

}  // namespace sealpost::cms::internal

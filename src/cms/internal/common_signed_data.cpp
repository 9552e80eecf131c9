// SPDX-License-Identifier: Apache-2.0
// RFC 5652 §3 ContentInfo, §5.1 SignedData, §5.3 SignerInfo, §11 attributes; OpenSSL 3.0's
// rules for them from crypto/cms/cms_att.c (which attributes may be signed, which appear
// once with one value) and crypto/asn1/tasn_dec.c (how an attribute value is kept: SEQUENCE,
// SET and non-universal tags as their whole encoding, other types as re-encoded contents).
#include "cms/internal/common_signed_data.h"

#include <openssl/objects.h>

#include <cstdint>

#include "cms/internal/der_cursor.h"
#include "core/utc_time.h"

namespace sealpost::cms::internal {
namespace {

constexpr std::uint8_t kInteger = 0x02;
constexpr std::uint8_t kOctetString = 0x04;
constexpr std::uint8_t kNull = 0x05;
constexpr std::uint8_t kOid = 0x06;
constexpr std::uint8_t kUtcTime = 0x17;
constexpr std::uint8_t kGeneralizedTime = 0x18;
constexpr std::uint8_t kSequence = 0x30;
constexpr std::uint8_t kSet = 0x31;
constexpr std::uint8_t kContext0 = 0xA0;  // [0] constructed
constexpr std::uint8_t kClassMask = 0xC0;
constexpr std::string_view kVersion1 = "\x02\x01\x01";

// Whether an OID's contents are those of `nid` in OpenSSL's table.
bool OidIs(std::string_view contents, int nid) {
  const ASN1_OBJECT* obj = OBJ_nid2obj(nid);
  const unsigned char* data = obj ? OBJ_get0_data(obj) : nullptr;
  const size_t length = obj ? OBJ_length(obj) : 0;
  return data && contents == std::string_view(reinterpret_cast<const char*>(data), length);
}

// The NID among `candidates` whose OID `contents` are, or NID_undef.
template <size_t N>
int OidAmong(std::string_view contents, const int (&candidates)[N]) {
  for (int nid : candidates)
    if (OidIs(contents, nid)) return nid;
  return NID_undef;
}

constexpr int kDigests[] = {NID_sha256, NID_sha384, NID_sha512};
constexpr int kSignatures[] = {NID_rsaEncryption,          NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
                               NID_sha512WithRSAEncryption, NID_ecdsa_with_SHA256,       NID_ecdsa_with_SHA384,
                               NID_ecdsa_with_SHA512};

// AlgorithmIdentifier { OID, NULL or nothing }: the NID among `candidates`, or NID_undef.
template <size_t N>
int ReadAlgorithm(DerCursor& in, const int (&candidates)[N]) {
  auto alg = in.Next(kSequence);
  if (!alg) return NID_undef;
  DerCursor fields(alg->contents);
  auto oid = fields.Next(kOid);
  if (!oid) return NID_undef;
  if (fields.NextIs(kNull)) {
    auto null = fields.Next();
    if (!null || !null->contents.empty()) return NID_undef;
  }
  return fields.empty() ? OidAmong(oid->contents, candidates) : NID_undef;
}

// The attribute rules of cms_att.c, for the attributes it names.
struct AttributeRule {
  int nid;
  bool may_be_signed;
};
constexpr AttributeRule kRules[] = {
    {NID_pkcs9_contentType, true},
    {NID_pkcs9_messageDigest, true},
    {NID_pkcs9_signingTime, true},
    {NID_pkcs9_countersignature, false},
    {NID_id_smime_aa_signingCertificate, true},
    {NID_id_smime_aa_signingCertificateV2, true},
    {NID_id_smime_aa_receiptRequest, true},
};

// A value OpenSSL keeps so that re-encoding gives these bytes back: SEQUENCE, SET and
// non-universal tags are kept whole; OBJECT IDENTIFIER and OCTET STRING contents are
// written back with the same (shortest) header. Times are left to the signingTime check.
bool IsRoundTripValue(const DerElement& value) {
  if ((value.tag & kClassMask) != 0) return true;
  switch (value.tag) {
    case kSequence:
    case kSet:
    case kOctetString:
      return true;
    case kOid:
      return IsWellFormedOid(value.contents);
    default:
      return false;
  }
}

bool ReadSignedAttributes(std::string_view contents, CommonSignedData& out) {
  bool seen[std::size(kRules)] = {};
  DerCursor attributes(contents);
  if (attributes.empty()) return false;
  while (!attributes.empty()) {
    auto attribute = attributes.Next(kSequence);
    if (!attribute) return false;
    DerCursor fields(attribute->contents);
    auto type = fields.Next(kOid);
    auto values = fields.Next(kSet);
    if (!type || !values || !fields.empty() || !IsWellFormedOid(type->contents)) return false;
    // One value each: OpenSSL sorts a SET OF when it re-encodes it, so several values
    // could be signed in an order it would not reproduce.
    DerCursor value_cursor(values->contents);
    auto value = value_cursor.Next();
    if (!value || !value_cursor.empty()) return false;

    int rule_index = -1;
    for (size_t i = 0; i < std::size(kRules); ++i)
      if (OidIs(type->contents, kRules[i].nid)) rule_index = static_cast<int>(i);
    if (rule_index >= 0) {
      if (!kRules[rule_index].may_be_signed || seen[rule_index]) return false;
      seen[rule_index] = true;
    }
    const int nid = rule_index >= 0 ? kRules[rule_index].nid : NID_undef;
    if (nid == NID_pkcs9_signingTime) {
      const bool generalized = value->tag == kGeneralizedTime;
      if (value->tag != kUtcTime && !generalized) return false;
      out.signing_time = ParseSigningTime(value->contents, generalized);
      if (!out.signing_time) return false;
      continue;
    }
    if (!IsRoundTripValue(*value)) return false;
    if (nid == NID_pkcs9_contentType) {
      // It must name the encapsulated content's type, which this shape fixes to id-data.
      if (value->tag != kOid || !OidIs(value->contents, NID_pkcs7_data)) return false;
    } else if (nid == NID_pkcs9_messageDigest) {
      if (value->tag != kOctetString) return false;
      out.message_digest = value->contents;
    } else if (OidIs(type->contents, NID_SMIMECapabilities) || OidIs(type->contents, NID_id_smime_aa_encrypKeyPref)) {
      out.has_sender_preferences = true;
    }
  }
  return seen[0] && seen[1];  // contentType and messageDigest are required
}

// SignedData and SignerInfo version 1: id-data content, signer named by issuer and serial.
bool ReadVersion1(DerCursor& fields) {
  auto version = fields.Next(kInteger);
  return version && version->whole == kVersion1;
}

bool ReadSignerInfo(std::string_view contents, CommonSignedData& out) {
  DerCursor fields(contents);
  if (!ReadVersion1(fields)) return false;
  auto sid = fields.Next(kSequence);
  if (!sid) return false;
  DerCursor sid_fields(sid->contents);
  auto issuer = sid_fields.Next(kSequence);
  auto serial = sid_fields.Next(kInteger);
  if (!issuer || !serial || !sid_fields.empty()) return false;
  out.issuer = issuer->whole;
  out.serial = serial->whole;
  if (ReadAlgorithm(fields, kDigests) != out.digest_nid) return false;
  auto attributes = fields.Next(kContext0);
  if (!attributes || !ReadSignedAttributes(attributes->contents, out)) return false;
  out.signed_attributes = attributes->contents;
  out.signature_nid = ReadAlgorithm(fields, kSignatures);
  auto signature = fields.Next(kOctetString);
  if (out.signature_nid == NID_undef || !signature || !fields.empty()) return false;  // no unsignedAttrs
  out.signature = signature->contents;
  return true;
}

bool ReadSignedData(std::string_view contents, CommonSignedData& out) {
  DerCursor fields(contents);
  if (!ReadVersion1(fields)) return false;
  auto digests = fields.Next(kSet);
  if (!digests) return false;
  DerCursor digest_list(digests->contents);
  out.digest_nid = ReadAlgorithm(digest_list, kDigests);
  if (out.digest_nid == NID_undef || !digest_list.empty()) return false;
  // encapContentInfo: id-data with no eContent (detached).
  auto encap = fields.Next(kSequence);
  if (!encap) return false;
  DerCursor encap_fields(encap->contents);
  auto type = encap_fields.Next(kOid);
  if (!type || !encap_fields.empty() || !OidIs(type->contents, NID_pkcs7_data)) return false;
  if (fields.NextIs(kContext0)) {  // the bag is optional: the signer's certificate may be known already
    auto bag = fields.Next();
    if (!bag) return false;
    DerCursor certificates(bag->contents);
    while (!certificates.empty()) {
      auto cert = certificates.Next(kSequence);  // other CertificateChoices arms: not this shape
      if (!cert) return false;
      out.certificates.push_back(cert->whole);
    }
  }
  auto signer_infos = fields.Next(kSet);  // a [1] crls field fails here
  if (!signer_infos || !fields.empty()) return false;
  DerCursor signers(signer_infos->contents);
  auto signer = signers.Next(kSequence);
  return signer && signers.empty() && ReadSignerInfo(signer->contents, out);
}

int Digits(std::string_view s, size_t at, size_t count) {
  int v = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<long long> ParseSigningTime(std::string_view contents, bool generalized) {
  const size_t year_digits = generalized ? 4 : 2;
  if (contents.size() != year_digits + 11 || contents.back() != 'Z') return std::nullopt;
  int year = Digits(contents, 0, year_digits);
  if (year < 0) return std::nullopt;
  if (!generalized) year += year < 50 ? 2000 : 1900;  // RFC 5280 §4.1.2.5.1
  const int month = Digits(contents, year_digits, 2);
  const int day = Digits(contents, year_digits + 2, 2);
  const int hour = Digits(contents, year_digits + 4, 2);
  const int minute = Digits(contents, year_digits + 6, 2);
  const int second = Digits(contents, year_digits + 8, 2);
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59)
    return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  return static_cast<long long>(UtcSeconds(year, month, day, hour, minute, second));
}

std::optional<CommonSignedData> ParseCommonSignedData(std::string_view der) {
  DerCursor top(der);
  auto content_info = top.Next(kSequence);
  if (!content_info || !top.empty()) return std::nullopt;
  DerCursor fields(content_info->contents);
  auto type = fields.Next(kOid);
  auto content = fields.Next(kContext0);
  if (!type || !content || !fields.empty() || !OidIs(type->contents, NID_pkcs7_signed)) return std::nullopt;
  DerCursor explicit_content(content->contents);
  auto signed_data = explicit_content.Next(kSequence);
  if (!signed_data || !explicit_content.empty()) return std::nullopt;
  CommonSignedData out;
  if (!ReadSignedData(signed_data->contents, out)) return std::nullopt;
  return out;
}

}  // namespace sealpost::cms::internal

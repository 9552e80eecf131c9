// SPDX-License-Identifier: Apache-2.0
// CMS location and sniffing.
#include "smime/internal/cms_detect.h"

#include <algorithm>

#include "cms/internal/ber_reader.h"
#include "core/ascii.h"
#include "mime/base64.h"
#include "mime/content_type.h"

namespace sealpost::smime::internal {
namespace {

// DER encodings of the content-type OIDs (RFC 5652 §4-§9, RFC 5083, RFC 3274).
constexpr std::string_view kOidSignedData = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02";
constexpr std::string_view kOidEnvelopedData = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03";
constexpr std::string_view kOidData = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01";
constexpr std::string_view kOidAuthEnvelopedData = "\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17";
constexpr std::string_view kOidCompressedData = "\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x09";

bool IsSignedDataCertsOnly(const cms::internal::Tlv& content_wrapper) {
  // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, [0] certs, [1] crls, signerInfos }
  auto wrapped = cms::internal::Children(content_wrapper);
  if (!wrapped || wrapped->size() != 1) return false;
  auto fields = cms::internal::Children((*wrapped)[0]);
  if (!fields || fields->empty()) return false;
  const auto& last = fields->back();
  if (last.tag != 0x31) return false;
  auto signers = cms::internal::Children(last);
  if (!signers || !signers->empty()) return false;
  // No signers: certs-only when the encapsulated content is absent or empty (what
  // `openssl crl2pkcs7` and common .p7b files carry).
  if (fields->size() < 3) return false;
  auto eci = cms::internal::Children((*fields)[2]);
  if (!eci || eci->empty()) return false;
  if (eci->size() == 1) return true;
  auto econtent = cms::internal::Children((*eci)[1]);
  if (!econtent || econtent->size() != 1) return false;
  auto value = cms::internal::OctetStringValue((*econtent)[0]);
  return value && value->empty();
}

}  // namespace

CmsKind SniffCmsKind(std::string_view der) {
  auto ci = cms::internal::ReadTlv(der);
  if (!ci || ci->tag != 0x30) return CmsKind::kOther;
  auto parts = cms::internal::Children(*ci);
  if (!parts || parts->empty() || (*parts)[0].tag != 0x06) return CmsKind::kOther;
  std::string_view oid = (*parts)[0].whole;
  if (oid == kOidSignedData) {
    if (parts->size() > 1 && IsSignedDataCertsOnly((*parts)[1])) return CmsKind::kCertsOnly;
    return CmsKind::kSigned;
  }
  if (oid == kOidEnvelopedData || oid == kOidAuthEnvelopedData) return CmsKind::kEnveloped;
  if (oid == kOidCompressedData) return CmsKind::kCompressed;
  if (oid == kOidData) return CmsKind::kData;
  return CmsKind::kOther;
}

std::optional<std::string> DataContent(std::string_view der) {
  // ContentInfo ::= SEQUENCE { id-data, [0] EXPLICIT OCTET STRING }
  auto ci = cms::internal::ReadTlv(der);
  if (!ci) return std::nullopt;
  auto parts = cms::internal::Children(*ci);
  if (!parts || parts->size() != 2 || (*parts)[0].whole != kOidData || (*parts)[1].tag != 0xa0) return std::nullopt;
  auto inner = cms::internal::Children((*parts)[1]);
  if (!inner || inner->size() != 1 || ((*inner)[0].tag & 0xdf) != 0x04) return std::nullopt;
  return cms::internal::OctetStringValue((*inner)[0]);
}

Result<std::string> DecodeTransferEncoding(const mime::Entity& entity) {
  const mime::HeaderField* cte = entity.Find("Content-Transfer-Encoding");
  std::string encoding = cte ? AsciiLower(cte->value) : "7bit";
  if (encoding == "base64") return mime::Base64Decode(entity.body);
  if (encoding == "7bit" || encoding == "8bit" || encoding == "binary") return std::string(entity.body);
  if (encoding == "quoted-printable") {
    std::string out;
    std::string_view b = entity.body;
    for (size_t i = 0; i < b.size(); ++i) {
      if (b[i] == '=' && i + 1 < b.size()) {
        if (b[i + 1] == '\n') { ++i; continue; }
        if (b[i + 1] == '\r' && i + 2 < b.size() && b[i + 2] == '\n') { i += 2; continue; }
        if (i + 2 < b.size() && std::isxdigit(static_cast<unsigned char>(b[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(b[i + 2]))) {
          out += static_cast<char>(std::stoi(std::string(b.substr(i + 1, 2)), nullptr, 16));
          i += 2;
          continue;
        }
      }
      out += b[i];
    }
    return out;
  }
  return Error(ErrorCode::kMalformed, "unknown Content-Transfer-Encoding '" + encoding + "'");
}

bool LooksLikeBareCms(std::string_view input) {
  if (!input.empty() && static_cast<unsigned char>(input[0]) == 0x30) return true;
  return input.substr(0, 11) == "-----BEGIN ";
}

Result<std::string> DecodeBareCms(std::string_view input) {
  if (!input.empty() && static_cast<unsigned char>(input[0]) == 0x30) return std::string(input);
  // PEM or gpgsm armour: base64 between the BEGIN and END lines, skipping "Key: value" lines.
  size_t begin = input.find("-----BEGIN ");
  if (begin == std::string_view::npos) return mime::Base64Decode(input);
  size_t body = input.find('\n', begin);
  size_t end = input.find("-----END ", begin);
  if (body == std::string_view::npos || end == std::string_view::npos || end < body)
    return Error(ErrorCode::kMalformed, "the armoured CMS object has no END line");
  std::string_view inner = input.substr(body + 1, end - body - 1);
  std::string clean;
  size_t pos = 0;
  while (pos < inner.size()) {
    size_t nl = inner.find('\n', pos);
    std::string_view line = inner.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.find(':') == std::string_view::npos) clean.append(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return mime::Base64Decode(clean);
}

Result<CmsBody> ExtractCmsBody(std::string_view message) {
  CmsBody out;
  if (LooksLikeBareCms(message)) {
    ASSIGN_OR_RETURN(out.der, DecodeBareCms(message));
  } else {
    ASSIGN_OR_RETURN(mime::Entity e, mime::ParseEntity(message));
    const mime::HeaderField* ct_field = e.Find("Content-Type");
    mime::ContentType ct = mime::ParseContentType(ct_field ? ct_field->value : "");
    if (!ct.Is("application", "pkcs7-mime") && !ct.Is("application", "x-pkcs7-mime"))
      return Error(ErrorCode::kInvalidArgument, "the message is not an S/MIME " + std::string("application/pkcs7-mime message (it is ") + ct.MediaType() + ")");
    ASSIGN_OR_RETURN(out.der, DecodeTransferEncoding(e));
  }
  out.kind = SniffCmsKind(out.der);
  return out;
}

}  // namespace sealpost::smime::internal

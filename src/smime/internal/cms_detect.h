// SPDX-License-Identifier: Apache-2.0
// Finding the CMS object in a MIME entity or a bare file, and what kind it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "mime/entity.h"

namespace sealpost::smime::internal {

enum class CmsKind { kSigned, kEnveloped, kCompressed, kCertsOnly, kData, kOther };

// The kind of a DER/BER ContentInfo, from its contentType OID (signed-data with no
// signers and no content is certs-only).
CmsKind SniffCmsKind(std::string_view der);

// The content of a ContentInfo of type id-data (RFC 5652 §4), or nullopt.
std::optional<std::string> DataContent(std::string_view der);

// The body of an entity with its Content-Transfer-Encoding removed (base64, or 7bit/8bit/
// binary as is). Quoted-printable CMS is decoded too.
Result<std::string> DecodeTransferEncoding(const mime::Entity& entity);

// A bare CMS file: DER, PEM ("-----BEGIN CMS/PKCS7-----"), gpgsm armour, or plain base64.
Result<std::string> DecodeBareCms(std::string_view input);

// True if `input` is not a MIME message but a bare CMS object (starts with a DER
// SEQUENCE or PEM/armour line).
bool LooksLikeBareCms(std::string_view input);

struct CmsBody {
  CmsKind kind = CmsKind::kOther;
  std::string der;
};

// The CMS object of a whole message whose root is application/pkcs7-mime (or a bare CMS).
Result<CmsBody> ExtractCmsBody(std::string_view message);

}  // namespace sealpost::smime::internal

// SPDX-License-Identifier: Apache-2.0
// Which MIME entities are S/MIME layers: shared by the in-memory and the file walker, so the
// two read the same structure the same way.
#pragma once

#include <optional>
#include <string>

#include "mime/content_type.h"
#include "mime/entity.h"

namespace sealpost::smime::internal {

// application/(x-)pkcs7-mime, or octet-stream named *.p7m (RFC 8551 §3.2.1).
bool IsPkcs7Mime(const mime::ContentType& ct);
// application/(x-)pkcs7-signature.
bool IsSignatureType(const mime::ContentType& ct);
// "1.2" style part paths.
std::string ChildPath(const std::string& parent, size_t index);

// nullopt: not an S/MIME multipart/signed (another type, or OpenPGP's, shown as content).
// Otherwise "" when it may be verified, or what makes it malformed (two Content-Type fields,
// a protocol that is not S/MIME; catalogue M6).
std::optional<std::string> MultipartSignedProblem(const mime::Entity& entity, const mime::ContentType& ct);

}  // namespace sealpost::smime::internal

// SPDX-License-Identifier: Apache-2.0
#include "smime/internal/mime_kinds.h"

namespace sealpost::smime::internal {

bool IsPkcs7Mime(const mime::ContentType& ct) {
  if (ct.Is("application", "pkcs7-mime") || ct.Is("application", "x-pkcs7-mime")) return true;
  // Some clients label S/MIME as octet-stream; the .p7m name tells (RFC 8551 §3.2.1).
  if (ct.Is("application", "octet-stream")) {
    std::string name = ct.Param("name");
    return name.size() > 4 && mime::EqualsIgnoreCase(name.substr(name.size() - 4), ".p7m");
  }
  return false;
}

bool IsSignatureType(const mime::ContentType& ct) {
  return ct.Is("application", "pkcs7-signature") || ct.Is("application", "x-pkcs7-signature");
}

std::string ChildPath(const std::string& parent, size_t index) {
  return parent.empty() ? std::to_string(index + 1) : parent + "." + std::to_string(index + 1);
}

std::optional<std::string> MultipartSignedProblem(const mime::Entity& entity, const mime::ContentType& ct) {
  if (!ct.Is("multipart", "signed")) return std::nullopt;
  std::string protocol = ct.Param("protocol");
  // multipart/signed with an OpenPGP protocol is not ours: shown as ordinary content.
  if (protocol.find("pgp") != std::string::npos) return std::nullopt;
  if (entity.Count("Content-Type") > 1) return std::string("the signed part has two Content-Type fields");
  bool smime_protocol = protocol.empty() || mime::EqualsIgnoreCase(protocol, "application/pkcs7-signature") ||
                        mime::EqualsIgnoreCase(protocol, "application/x-pkcs7-signature");
  if (!smime_protocol) return "the multipart/signed protocol '" + protocol + "' is not S/MIME";
  return std::string();
}

}  // namespace sealpost::smime::internal

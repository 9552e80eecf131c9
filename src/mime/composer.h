// SPDX-License-Identifier: Apache-2.0
// Building S/MIME messages: separating the content entity from the envelope headers,
// canonicalising it, and wrapping signatures and CMS objects in MIME (RFC 8551 §3).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace sealpost::mime {

// A message split into the header fields that stay outside the protection (From, To,
// Subject, ...: every field but Content-* and MIME-Version) and the content entity.
struct SplitMessage {
  std::string outer_headers;  // raw fields, CRLF line ends
  std::string entity;         // Content-* fields + blank line + body, canonical CRLF
};

// For signing: the content is re-encoded to be 7-bit safe (8-bit text → quoted-printable,
// binary → base64) and line ends made CRLF, so relays cannot break the signature
// (RFC 8551 §3.1.2). Parts that are already signed are left byte-for-byte alone.
Result<SplitMessage> PrepareForSigning(std::string_view raw_message);

// For encryption: the content entity as received, line ends made CRLF (CMS carries 8-bit).
Result<SplitMessage> PrepareForEncryption(std::string_view raw_message);

// The same split of a message's header block alone (its body streams separately, so its
// structure is not checked here): `entity` is the content fields and the blank line.
Result<SplitMessage> SplitHeaderBlock(std::string_view header_block);

// multipart/signed entity (RFC 1847, RFC 8551 §3.5.3) around `signed_entity`, which is
// placed byte-for-byte.
std::string BuildMultipartSigned(std::string_view signed_entity, std::string_view signature_der,
                                 std::string_view micalg);

// The same, in the three pieces a streamed signature is written in: `head` (up to the
// signed entity), `middle` (after it, up to the signature's base64) and `tail`.
struct MultipartSignedFrame {
  std::string head;
  std::string middle;
  std::string tail;
};
MultipartSignedFrame BuildMultipartSignedFrame(std::string_view micalg, std::string_view boundary);
// A boundary no content is expected to contain ("=_sealpost_" and 24 random hex digits).
std::string RandomBoundary();

// application/pkcs7-mime entity with smime-type `smime_type` (signed-data,
// enveloped-data, authEnveloped-data) and the base64 of `der`.
std::string BuildPkcs7Mime(std::string_view der, std::string_view smime_type);

// outer headers + MIME-Version + entity.
std::string AssembleMessage(std::string_view outer_headers, std::string_view entity);

}  // namespace sealpost::mime

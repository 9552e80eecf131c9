// SPDX-License-Identifier: Apache-2.0
// S/MIME message assembly. GMime re-encodes content for signing; everything else is
// byte-level so what we sign is exactly what we emit.
#include "mime/composer.h"

#include <random>

#include "mime/base64.h"
#include "mime/entity.h"
#include "mime/structure_check.h"
#include "mime/internal/gobject_ptr.h"
#include "mime/internal/seven_bit_entity.h"

namespace sealpost::mime {
namespace {

using internal::GMime;
using internal::IsA;

using internal::GObjectPtr;

bool IsContentField(std::string_view name) {
  return (name.size() >= 8 && EqualsIgnoreCase(name.substr(0, 8), "content-")) || EqualsIgnoreCase(name, "mime-version");
}

Result<SplitMessage> SplitRaw(std::string_view raw_message, bool check_structure = true) {
  if (check_structure) RETURN_IF_ERROR(CheckStructure(raw_message));
  ASSIGN_OR_RETURN(Entity e, ParseEntity(raw_message));
  SplitMessage out;
  std::string content_fields;
  for (const auto& h : e.headers) {
    std::string field = CanonicalizeLineEndings(h.raw);
    if (field.size() < 2 || field.substr(field.size() - 2) != "\r\n") field += "\r\n";
    if (IsContentField(h.name)) {
      if (!EqualsIgnoreCase(h.name, "mime-version")) content_fields += field;
    } else {
      out.outer_headers += field;
    }
  }
  if (!e.Find("Content-Type")) {
    // RFC 2045 §5.2 defaults to US-ASCII; say UTF-8 when the text has 8-bit bytes, or the
    // quoted-printable we produce for signing would decode to the wrong characters.
    bool eight_bit = false;
    for (char c : e.body) eight_bit |= (static_cast<unsigned char>(c) & 0x80) != 0;
    content_fields = "Content-Type: text/plain; charset=" + std::string(eight_bit ? "utf-8" : "us-ascii") + "\r\n" + content_fields;
  }
  out.entity = content_fields + "\r\n" + CanonicalizeLineEndings(e.body);
  return out;
}

}  // namespace

Result<SplitMessage> PrepareForEncryption(std::string_view raw_message) { return SplitRaw(raw_message); }

Result<SplitMessage> SplitHeaderBlock(std::string_view header_block) { return SplitRaw(header_block, false); }

Result<SplitMessage> PrepareForSigning(std::string_view raw_message) {
  ASSIGN_OR_RETURN(SplitMessage split, SplitRaw(raw_message));
  if (internal::SigningLeavesUnchanged(split.entity)) return split;  // plain 7-bit text
  return internal::ReencodeForSigningWithGMime(std::move(split));
}

Result<SplitMessage> internal::ReencodeForSigningWithGMime(SplitMessage split) {
  // Parse only the content entity with GMime and let it choose 7-bit-safe encodings.
  auto stream = internal::MemoryStream(split.entity);
  auto parser = GObjectPtr<GMimeParser>::Adopt(GMime().g_mime_parser_new_with_stream(stream.get()));
  auto part = GObjectPtr<GMimeObject>::Adopt(GMime().g_mime_parser_construct_part(parser.get(), nullptr));
  if (!part) return Error(ErrorCode::kMalformed, "the message body cannot be parsed as MIME");
  GMime().g_mime_object_encode(part.get(), GMIME_ENCODING_CONSTRAINT_7BIT);
  GMimeFormatOptions* format = GMime().g_mime_format_options_new();
  GMime().g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
  char* text = GMime().g_mime_object_to_string(part.get(), format);
  GMime().g_mime_format_options_free(format);
  if (!text) return Error(ErrorCode::kInternal, "cannot serialise the message body");
  split.entity = CanonicalizeLineEndings(text);
  GMime().g_free(text);
  return split;
}

std::string RandomBoundary() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b = "=_sealpost_";
  for (int i = 0; i < 24; ++i) b += kHex[rd() % 16];
  return b;
}

MultipartSignedFrame BuildMultipartSignedFrame(std::string_view micalg, std::string_view boundary) {
  MultipartSignedFrame f;
  f.head = "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n";
  f.head += "\tmicalg=" + std::string(micalg) + "; boundary=\"" + std::string(boundary) + "\"\r\n";
  f.head += "\r\nThis is a cryptographically signed message in MIME format.\r\n\r\n";
  f.head += "--" + std::string(boundary) + "\r\n";
  f.middle = "\r\n--" + std::string(boundary) + "\r\n";
  f.middle += "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n";
  f.middle += "Content-Transfer-Encoding: base64\r\n";
  f.middle += "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n";
  f.middle += "Content-Description: S/MIME Cryptographic Signature\r\n\r\n";
  f.tail = "\r\n--" + std::string(boundary) + "--\r\n";
  return f;
}

std::string BuildMultipartSigned(std::string_view signed_entity, std::string_view signature_der,
                                 std::string_view micalg) {
  std::string boundary = RandomBoundary();
  while (signed_entity.find(boundary) != std::string_view::npos) boundary = RandomBoundary();
  MultipartSignedFrame frame = BuildMultipartSignedFrame(micalg, boundary);
  std::string signature = Base64Encode(signature_der);
  std::string out;
  out.reserve(frame.head.size() + signed_entity.size() + frame.middle.size() + signature.size() + frame.tail.size());
  out += frame.head;
  out += signed_entity;
  out += frame.middle;
  out += signature;
  out += frame.tail;
  return out;
}

std::string BuildPkcs7Mime(std::string_view der, std::string_view smime_type) {
  std::string out = "Content-Type: application/pkcs7-mime; smime-type=" + std::string(smime_type) +
                    ";\r\n\tname=\"smime.p7m\"\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "Content-Disposition: attachment; filename=\"smime.p7m\"\r\n";
  out += "Content-Description: S/MIME Cryptographic Message\r\n\r\n";
  out += Base64Encode(der);
  return out;
}

std::string AssembleMessage(std::string_view outer_headers, std::string_view entity) {
  std::string out;
  out.reserve(outer_headers.size() + entity.size() + 20);
  out += outer_headers;
  out += "MIME-Version: 1.0\r\n";
  out += entity;
  return out;
}

}  // namespace sealpost::mime

// SPDX-License-Identifier: Apache-2.0
// The file-walking half of MessageWalker: the same verdicts as Walk for messages too large
// to hold. Structure comes from header blocks and boundary scans of the file; signatures
// are checked over the signed part as it streams from disk; decrypted layers are written to
// anonymous scratch files and walked only when decryption (and the GCM tag) succeeded.
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <optional>

#include "cms/envelope_stream.h"
#include "mime/content_type.h"
#include "mime/stream_codecs.h"
#include "smime/internal/cms_detect.h"
#include "smime/context.h"
#include "smime/internal/message_walker.h"
#include "smime/internal/mime_kinds.h"
#include "smime/internal/part_digest.h"

namespace sealpost::smime::internal {
namespace {

// A detached signature part is small: a few certificates and signer infos.
constexpr uint64_t kMaxSignaturePart = 1 << 20;

Result<std::string> ReadBlob(const Blob& blob) {
  ASSIGN_OR_RETURN(FileSource source, OpenBlob(blob));
  std::string out(static_cast<size_t>(blob.length), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ASSIGN_OR_RETURN(size_t n, source.Read(out.data() + got, out.size() - got));
    if (n == 0) return Error(ErrorCode::kIo, "the message file got shorter while being read");
    got += n;
  }
  return out;
}

std::string Lowercase(std::string v) {
  v.erase(0, v.find_first_not_of(" \t\r\n"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

struct DigestChoice {
  const EVP_MD* md;
  int nid;
};

// RFC 8551 §3.5.3.2 micalg names (and the dash-less spellings some clients write).
DigestChoice DigestForMicalg(const std::string& micalg) {
  const std::string name = Lowercase(micalg);
  if (name == "sha-384" || name == "sha384") return {EVP_sha384(), NID_sha384};
  if (name == "sha-512" || name == "sha512") return {EVP_sha512(), NID_sha512};
  return {EVP_sha256(), NID_sha256};
}

std::string LargeContentNote(uint64_t bytes) {
  return "the content (" + std::to_string(bytes) + " bytes) is not shown when the message is streamed; "
         "save it with 'sealpost decrypt' or open it in a mail client";
}

}  // namespace

Result<Report> MessageWalker::WalkFile(const Blob& file) {
  // A bare CMS file (a saved smime.p7m: DER, PEM or armour) has no header fields. Walk reads
  // it as such, so this path must too (the stream_verify fuzzer's first finding): whole
  // when it fits the in-memory cap, else streamed as DER (PEM that large is refused).
  ASSIGN_OR_RETURN(std::string prefix, ReadBlob(SubBlob(file, 0, std::min<uint64_t>(file.length, 16))));
  if (LooksLikeBareCms(prefix)) {
    if (file.length <= kMaxMessageBytes) {
      ASSIGN_OR_RETURN(std::string bytes, ReadBlob(file));
      buffers_.push_back(std::move(bytes));
      return Walk(buffers_.back(), std::nullopt);
    }
    if (static_cast<unsigned char>(prefix[0]) != 0x30)
      return Error(ErrorCode::kLimit, "an armoured (PEM) CMS file larger than " + std::to_string(kMaxMessageBytes >> 20) +
                                          " MiB cannot be read; convert it to DER (openssl cms -cmsout -outform DER)");
    RETURN_IF_ERROR(VisitBlobCms(file, file, /*base64=*/false, Position{true, "", 0, 0}));
    FinishReport();
    return std::move(report_);
  }
  ASSIGN_OR_RETURN(HeaderBlock head, ReadHeaderBlock(file));
  if (head.bytes.empty()) return Error(ErrorCode::kMalformed, "the input is not an e-mail message (no header fields)");
  ASSIGN_OR_RETURN(mime::Entity top, mime::ParseEntity(head.bytes));
  if (top.headers.empty()) return Error(ErrorCode::kMalformed, "the input is not an e-mail message (no header fields)");
  BindSender(top);
  RETURN_IF_ERROR(VisitBlob(file, Position{true, "", 0, 0}));
  FinishReport();
  return std::move(report_);
}

Status MessageWalker::VisitBlobInMemory(const Blob& entity, const Position& pos) {
  ASSIGN_OR_RETURN(std::string bytes, ReadBlob(entity));
  buffers_.push_back(std::move(bytes));
  return Visit(buffers_.back(), pos);
}

Status MessageWalker::VisitBlob(const Blob& entity, const Position& pos) {
  if (entity.length <= in_memory_part_limit_) return VisitBlobInMemory(entity, pos);
  if (pos.mime_depth > policy_.max_mime_depth)
    return Error(ErrorCode::kLimit, "the message nests MIME parts deeper than " + std::to_string(policy_.max_mime_depth) + " levels");
  ASSIGN_OR_RETURN(HeaderBlock head, ReadHeaderBlock(entity));
  ASSIGN_OR_RETURN(mime::Entity parsed, mime::ParseEntity(head.bytes));
  const mime::HeaderField* ct_field = parsed.Find("Content-Type");
  mime::ContentType ct = mime::ParseContentType(ct_field ? ct_field->value : "");
  Blob body = SubBlob(entity, head.body_offset, entity.length - head.body_offset);

  if (auto problem = MultipartSignedProblem(parsed, ct)) {
    if (!problem->empty()) {
      LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, "multipart/signed", pos.part};
      RecordLayerError(layer, Error(ErrorCode::kMalformed, *problem));
      return Ok();
    }
    return VisitBlobMultipartSigned(body, ct.Param("boundary"), ct.Param("micalg"), pos);
  }
  if (IsPkcs7Mime(ct)) {
    const mime::HeaderField* cte = parsed.Find("Content-Transfer-Encoding");
    std::string encoding = cte ? Lowercase(cte->value) : "";
    if (!encoding.empty() && encoding != "base64" && encoding != "binary") {
      LayerVerdict layer{LayerVerdict::Kind::kEncrypted, pos.on_root_chain, "pkcs7-mime", pos.part};
      RecordLayerError(layer, Error(ErrorCode::kMalformed, "the S/MIME body uses the transfer encoding '" + encoding +
                                                               "', which cannot carry CMS"));
      return Ok();
    }
    return VisitBlobCms(entity, body, encoding == "base64", pos);
  }
  if (ct.type == "multipart") {
    if (pos.on_root_chain && !content_set_) {
      content_set_ = true;
      if (want_content_) report_.warnings.push_back(LargeContentNote(entity.length));
    }
    auto parts = ScanMultipart(body, ct.Param("boundary"), mime::kMaxMimeParts);
    if (!parts) {
      report_.malformed.push_back("part " + (pos.part.empty() ? std::string("(root)") : pos.part) + ": " + parts.error().message());
      return Ok();
    }
    parts_seen_ += parts->parts.size();
    if (parts_seen_ > mime::kMaxMimeParts)
      return Error(ErrorCode::kLimit, "the message has more than " + std::to_string(mime::kMaxMimeParts) + " MIME parts");
    for (size_t i = 0; i < parts->parts.size(); ++i) {
      Position child{false, ChildPath(pos.part, i), pos.mime_depth + 1, pos.crypto_depth};
      RETURN_IF_ERROR(VisitBlob(SubBlob(body, parts->parts[i].offset, parts->parts[i].length), child));
    }
    return Ok();
  }
  if (pos.on_root_chain && !content_set_) {
    content_set_ = true;
    if (want_content_) report_.warnings.push_back(LargeContentNote(entity.length));
  }
  return Ok();
}

Status MessageWalker::VisitBlobMultipartSigned(const Blob& body, const std::string& boundary, const std::string& micalg,
                                               const Position& pos) {
  LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, "multipart/signed", pos.part};
  if (pos.crypto_depth >= policy_.max_crypto_layers) {
    RecordLayerError(layer, Error(ErrorCode::kLimit, "more than " + std::to_string(policy_.max_crypto_layers) + " nested cryptographic layers"));
    return Ok();
  }
  // Three parts are enough to tell "exactly two" (RFC 1847 §2.1, catalogue M6). The first
  // part is digested while the scan reads it, with the algorithm micalg announces (SHA-256
  // when it names none we know); a signer that used another gets the content read again.
  const DigestChoice digest_choice = DigestForMicalg(micalg);
  ThreadedPartDigest part_digest(digest_choice.md);
  auto parts = ScanMultipart(body, boundary, 3, &part_digest);
  if (!parts) {
    RecordLayerError(layer, parts.error());
    return Ok();
  }
  if (!parts->closed || parts->parts.size() != 2) {
    RecordLayerError(layer, Error(ErrorCode::kMalformed, "a multipart/signed part must have exactly two parts and a closing boundary (found " +
                                                             std::to_string(parts->parts.size()) + (parts->closed ? "" : ", unclosed") + ")"));
    return Ok();
  }
  const PartRange& signed_part = parts->parts[0];
  const PartRange& signature_part = parts->parts[1];
  if (signature_part.length > kMaxSignaturePart) {
    RecordLayerError(layer, Error(ErrorCode::kLimit, "the signature part is larger than 1 MiB"));
    return Ok();
  }
  ASSIGN_OR_RETURN(std::string signature_bytes, ReadBlob(SubBlob(body, signature_part.offset, signature_part.length)));
  buffers_.push_back(std::move(signature_bytes));
  ASSIGN_OR_RETURN(mime::Entity sig_entity, mime::ParseEntity(buffers_.back()));
  const mime::HeaderField* sig_ct = sig_entity.Find("Content-Type");
  mime::ContentType sig_type = mime::ParseContentType(sig_ct ? sig_ct->value : "");
  if (!sig_ct || !IsSignatureType(sig_type)) {
    RecordLayerError(layer, Error(ErrorCode::kMalformed, "the second part of multipart/signed is not an application/pkcs7-signature"));
    return Ok();
  }
  auto der = DecodeTransferEncoding(sig_entity);
  if (!der) {
    RecordLayerError(layer, std::move(der).error());
    return Ok();
  }
  // The signature covers the first part as received, in canonical (CRLF) form.
  Blob signed_blob = SubBlob(body, signed_part.offset, signed_part.length);
  cms::VerifyOptions options;
  options.allow_legacy = policy_.allow_legacy;
  options.min_rsa_bits = policy_.min_rsa_bits;
  options.certificate_cache = certificate_cache_;
  options.key_cache = signer_key_cache_;
  options.want_sender_preferences = want_sender_preferences_;
  std::optional<Result<cms::SignedDataResult>> result;
  if (auto digest = part_digest.Finish()) {
    result = cms::VerifySignedDataWithDigest(*der, {digest_choice.nid, std::move(digest).value()}, options,
                                             trust_.intermediates());
    if (!*result && result->error().code() == ErrorCode::kUnsupported) result.reset();  // read it again
  }
  if (!result) {
    ASSIGN_OR_RETURN(FileSource signed_source, OpenBlob(signed_blob));
    mime::CrlfSource canonical(signed_source);
    result = cms::VerifySignedData(*der, canonical, options, trust_.intermediates());
  }
  ASSIGN_OR_RETURN(HeaderBlock signed_head, ReadHeaderBlock(signed_blob));
  UseProtectedHeaders(signed_head.bytes, pos);  // RFC 9788 (catalogue I5)
  if (*result) {
    RecordSignedData(layer, **result, true, pos.on_root_chain);
  } else {
    RecordLayerError(layer, result->error());
  }
  // Walk into what the signature covers whether or not it could be read, as Walk does: a
  // layer inside is reported either way (the stream_verify fuzzer found the paths apart).
  Position inner{pos.on_root_chain, pos.part.empty() ? "1" : pos.part + ".1", pos.mime_depth + 1, pos.crypto_depth + 1};
  return VisitBlob(signed_blob, inner);
}

Status MessageWalker::VisitBlobCms(const Blob& entity, const Blob& body, bool base64, const Position& pos) {
  LayerVerdict layer{LayerVerdict::Kind::kEncrypted, pos.on_root_chain, "enveloped-data", pos.part};
  ASSIGN_OR_RETURN(FileSource raw, OpenBlob(body));
  mime::Base64DecodingSource decoded(raw);
  ByteSource& der = base64 ? static_cast<ByteSource&>(decoded) : static_cast<ByteSource&>(raw);
  // Decrypted in one pass from the input; the plaintext goes to a scratch file that is
  // walked only once decryption (and, for GCM, the tag check) has succeeded.
  auto envelope = cms::EnvelopeStream::Open(der);
  if (!envelope) {
    // What the streamed splitter does not take (signed-data, certs-only, or a structure it
    // finds damaged) is read and walked as Walk does when it fits the in-memory cap, so both
    // paths give it the same verdict (the stream_verify fuzzer found a truncated opaque
    // signed-data that OpenSSL reads and the splitter refused).
    if (entity.length <= kMaxMessageBytes) return VisitBlobInMemory(entity, pos);
    if (envelope.error().message().find("not EnvelopedData") != std::string::npos) {
      // Beyond the cap, signed-data would have to be held to be verified.
      layer.kind = LayerVerdict::Kind::kSigned;
      layer.form = "signed-data";
      RecordLayerError(layer, Error(ErrorCode::kLimit, "an opaque signed message larger than " +
                                                           std::to_string(kMaxMessageBytes >> 20) +
                                                           " MiB cannot be verified without holding it; "
                                                           "ask the sender for multipart/signed"));
      return Ok();
    }
    RecordLayerError(layer, envelope.error());
    return Ok();
  }
  if (!OpenEnvelopeLayer(envelope->Header(), pos, layer)) return Ok();
  auto keys = Keys();
  if (!keys) return std::move(keys).error();
  cms::DecryptOptions options;
  options.allow_legacy = policy_.allow_legacy;
  ASSIGN_OR_RETURN(ScratchFile plaintext, ScratchFile::Create());
  mime::CrlfSink canonical(plaintext);
  if (auto st = envelope->Decrypt(**keys, options, canonical); !st) {
    // Whatever reached the scratch file is dropped with it, never walked (catalogue E3).
    // What fits in memory is read again and walked as Walk does, so that both paths give
    // a damaged envelope the same verdict, whichever check met the damage first.
    if (entity.length <= kMaxMessageBytes) return VisitBlobInMemory(entity, pos);
    RecordLayerError(layer, st.error());
    return Ok();
  }
  RecordDecrypted(std::move(layer));
  ASSIGN_OR_RETURN(FileSource flushed, plaintext.Reader());  // flushes the scratch file
  scratch_.push_back(std::move(plaintext));
  Blob inner_blob{scratch_.back().path(), 0, scratch_.back().size()};
  Position inner{pos.on_root_chain, pos.part, pos.mime_depth + 1, pos.crypto_depth + 1};
  return VisitBlob(inner_blob, inner);
}

}  // namespace sealpost::smime::internal

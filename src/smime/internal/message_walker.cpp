// SPDX-License-Identifier: Apache-2.0
// Layer-by-layer unwrapping with per-layer verdicts.
#include "smime/internal/message_walker.h"

#include <algorithm>

#include "mime/addresses.h"
#include "mime/content_type.h"
#include "smime/internal/cms_detect.h"
#include "smime/internal/mime_kinds.h"

namespace sealpost::smime::internal {

Result<const std::vector<cms::Identity>*> MessageWalker::Keys() {
  if (!keys_) {
    ASSIGN_OR_RETURN(std::vector<cms::Identity> loaded, load_keys_());
    keys_ = std::move(loaded);
  }
  return &*keys_;
}

size_t MessageWalker::AddLayer(LayerVerdict layer) {
  report_.layers.push_back(std::move(layer));
  return report_.layers.size() - 1;
}

void MessageWalker::RecordLayerError(LayerVerdict layer, const Error& error) {
  layer.status = std::string(ErrorCodeName(error.code()));
  layer.error = error.message();
  layer.error_code = error.code();
  AddLayer(std::move(layer));
}

void MessageWalker::SetContent(std::string_view entity_bytes) {
  if (content_set_) return;
  content_set_ = true;
  if (!want_content_) {
    if (Status parses = mime::CheckContentParses(entity_bytes); !parses)
      report_.warnings.push_back("the content could not be displayed: " + parses.error().message());
    return;
  }
  report_.content_entity = std::string(entity_bytes);
  auto content = mime::ExtractContent(entity_bytes);
  if (content) {
    report_.content = std::move(content).value();
  } else {
    report_.warnings.push_back("the content could not be displayed: " + content.error().message());
  }
}

void MessageWalker::BindSender(const mime::Entity& top) {
  // Sender binding uses the root From (catalogue I1-I3): exactly one field, one mailbox.
  int from_fields = top.Count("From");
  if (from_fields > 1) report_.warnings.push_back("the message has " + std::to_string(from_fields) + " From fields; none is trusted");
  if (const mime::HeaderField* from = top.Find("From"); from && from_fields == 1) {
    auto boxes = mime::ParseAddressList(from->value);
    if (boxes.size() > 1) report_.warnings.push_back("the From field names several mailboxes; none is trusted");
    if (boxes.size() == 1 && !boxes[0].address.empty()) {
      from_addresses_.push_back(boxes[0].address);
      report_.from = boxes[0].address;
      if (mime::DisplayNameLooksLikeAddress(boxes[0].display_name) &&
          boxes[0].display_name.find(boxes[0].address) == std::string::npos)
        report_.warnings.push_back("the From display name '" + boxes[0].display_name +
                                   "' looks like an address but the sender is " + boxes[0].address);
    }
  }
  if (const mime::HeaderField* sender = top.Find("Sender")) {
    auto boxes = mime::ParseAddressList(sender->value);
    if (!boxes.empty() && !report_.from.empty() && boxes[0].address != report_.from)
      report_.warnings.push_back("the Sender field (" + boxes[0].address + ") differs from From (" + report_.from + ")");
  }
}

void MessageWalker::UseProtectedHeaders(std::string_view signed_entity, const Position& pos) {
  // RFC 9788: the signed entity of the root signature may carry the message's header fields,
  // marked by the hp parameter of its Content-Type. Those are the ones the signature covers,
  // so the signer is bound to the protected From, and an outer From that differs is flagged
  // (catalogue I5). Only the first such entity on the root chain counts.
  if (!pos.on_root_chain || protected_headers_seen_) return;
  auto entity = mime::ParseEntity(signed_entity);
  if (!entity) return;
  const mime::HeaderField* ct = entity->Find("Content-Type");
  if (!ct || mime::ParseContentType(ct->value).Param("hp").empty()) return;
  protected_headers_seen_ = true;
  const std::string outer = report_.from;
  from_addresses_.clear();
  report_.from.clear();
  const mime::HeaderField* from = entity->Find("From");
  if (from && entity->Count("From") == 1) {
    auto boxes = mime::ParseAddressList(from->value);
    if (boxes.size() == 1 && !boxes[0].address.empty()) {
      from_addresses_.push_back(boxes[0].address);
      report_.from = boxes[0].address;
    }
  }
  if (report_.from != outer)
    report_.warnings.push_back("the outer From (" + (outer.empty() ? std::string("none") : outer) +
                               ") differs from the signed, protected From (" +
                               (report_.from.empty() ? std::string("none") : report_.from) + "); the protected one counts");
}

void MessageWalker::FinishReport() {
  // Whole-message flags come from root-chain layers only.
  for (const auto& layer : report_.layers) {
    if (!layer.covers_whole_message) continue;
    if (layer.kind == LayerVerdict::Kind::kEncrypted) report_.is_encrypted = true;
    if (layer.kind == LayerVerdict::Kind::kSigned && layer.status == "ok") report_.is_signed = true;
  }
  if (const LayerVerdict* enc = report_.Encryption(); enc && enc->status == "ok" && !enc->authenticated) {
    bool covered = false;
    for (const auto& sig : report_.signatures) {
      covered |= sig.covers_whole_message && sig.status == cms::SignatureStatus::kValid &&
                 report_.layers[static_cast<size_t>(sig.layer)].covers_whole_message;
    }
    report_.warnings.push_back(covered ? "the encryption (" + enc->algorithm +
                                             ") is not integrity-protected by itself; the valid signature inside covers the whole message"
                                       : "the encryption (" + enc->algorithm +
                                             ") is not integrity-protected and no valid signature covers the content: it may have been altered");
  }
}

Result<Report> MessageWalker::Walk(std::string_view message, std::optional<std::string_view> detached_content) {
  Position root{true, "", 0, 0};
  if (detached_content) {
    ASSIGN_OR_RETURN(std::string der, DecodeBareCms(message));
    buffers_.push_back(std::move(der));
    RETURN_IF_ERROR(VisitSignedData(buffers_.back(), *detached_content, root, "detached"));
  } else if (LooksLikeBareCms(message)) {
    ASSIGN_OR_RETURN(std::string der, DecodeBareCms(message));
    RETURN_IF_ERROR(VisitCms(std::move(der), root, ""));
  } else {
    if (message.find_first_not_of(" \t\r\n") == std::string_view::npos)
      return Error(ErrorCode::kMalformed, "the message is empty");
    ASSIGN_OR_RETURN(mime::Entity top, mime::ParseEntity(message));
    if (top.headers.empty()) return Error(ErrorCode::kMalformed, "the input is not an e-mail message (no header fields)");
    BindSender(top);
    RETURN_IF_ERROR(Visit(message, root));
  }
  FinishReport();
  return std::move(report_);
}

Status MessageWalker::Visit(std::string_view entity_bytes, const Position& pos) {
  if (pos.mime_depth > policy_.max_mime_depth)
    return Error(ErrorCode::kLimit, "the message nests MIME parts deeper than " + std::to_string(policy_.max_mime_depth) + " levels");
  ASSIGN_OR_RETURN(mime::Entity entity, mime::ParseEntity(entity_bytes));
  const mime::HeaderField* ct_field = entity.Find("Content-Type");
  mime::ContentType ct = mime::ParseContentType(ct_field ? ct_field->value : "");

  if (auto problem = MultipartSignedProblem(entity, ct)) {
    if (!problem->empty()) {
      LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, "multipart/signed", pos.part};
      RecordLayerError(layer, Error(ErrorCode::kMalformed, *problem));
      return Ok();
    }
    return VisitMultipartSigned(entity, ct.Param("boundary"), pos);
  }
  if (IsPkcs7Mime(ct)) {
    auto der = DecodeTransferEncoding(entity);
    if (!der) {
      LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, "pkcs7-mime", pos.part};
      RecordLayerError(layer, der.error());
      return Ok();
    }
    return VisitCms(std::move(der).value(), pos, ct.Param("smime-type"));
  }
  if (ct.type == "multipart") {
    // Content is on the root chain only as a whole; its parts are not (catalogue M1-M4, E1).
    // It is handed to GMime for display only after its parts were counted and walked
    // within the caps: GMime's parser would otherwise build a tree of any size first.
    auto parts = mime::SplitMultipart(entity.body, ct.Param("boundary"));
    if (!parts) {
      if (pos.on_root_chain && parts.error().code() != ErrorCode::kLimit) SetContent(entity_bytes);
      report_.malformed.push_back("part " + (pos.part.empty() ? std::string("(root)") : pos.part) + ": " + parts.error().message());
      return Ok();
    }
    // Parts of all multiparts together: nesting must not multiply the per-multipart cap.
    parts_seen_ += parts->parts.size();
    if (parts_seen_ > mime::kMaxMimeParts)
      return Error(ErrorCode::kLimit, "the message has more than " + std::to_string(mime::kMaxMimeParts) + " MIME parts");
    for (size_t i = 0; i < parts->parts.size(); ++i) {
      Position child{false, ChildPath(pos.part, i), pos.mime_depth + 1, pos.crypto_depth};
      RETURN_IF_ERROR(Visit(parts->parts[i], child));
    }
    if (pos.on_root_chain) SetContent(entity_bytes);
    return Ok();
  }
  // A leaf (message/rfc822 attachments are not descended into: their signatures are theirs).
  if (pos.on_root_chain) SetContent(entity_bytes);
  return Ok();
}

Status MessageWalker::VisitMultipartSigned(const mime::Entity& entity, const std::string& boundary,
                                           const Position& pos) {
  LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, "multipart/signed", pos.part};
  if (pos.crypto_depth >= policy_.max_crypto_layers) {
    RecordLayerError(layer, Error(ErrorCode::kLimit, "more than " + std::to_string(policy_.max_crypto_layers) + " nested cryptographic layers"));
    return Ok();
  }
  auto parts = mime::SplitMultipart(entity.body, boundary);
  if (!parts) {
    RecordLayerError(layer, parts.error());
    return Ok();
  }
  // RFC 1847 §2.1: exactly two parts, the second the signature (catalogue M6).
  if (!parts->closed || parts->parts.size() != 2) {
    RecordLayerError(layer, Error(ErrorCode::kMalformed, "a multipart/signed part must have exactly two parts and a closing boundary (found " +
                                                             std::to_string(parts->parts.size()) + (parts->closed ? "" : ", unclosed") + ")"));
    return Ok();
  }
  ASSIGN_OR_RETURN(mime::Entity sig_entity, mime::ParseEntity(parts->parts[1]));
  const mime::HeaderField* sig_ct = sig_entity.Find("Content-Type");
  if (!sig_ct || !IsSignatureType(mime::ParseContentType(sig_ct->value))) {
    RecordLayerError(layer, Error(ErrorCode::kMalformed, "the second part of multipart/signed is not an application/pkcs7-signature"));
    return Ok();
  }
  auto der = DecodeTransferEncoding(sig_entity);
  if (!der) {
    RecordLayerError(layer, std::move(der).error());
    return Ok();
  }
  // Digested in canonical (CRLF) form; most parts arrive so and are used where they lie.
  std::string_view signed_bytes = parts->parts[0];
  if (!mime::HasCanonicalLineEndings(signed_bytes)) {
    buffers_.push_back(mime::CanonicalizeLineEndings(signed_bytes));
    signed_bytes = buffers_.back();
  }
  UseProtectedHeaders(signed_bytes, pos);
  Position inner{pos.on_root_chain, pos.part.empty() ? "1" : pos.part + ".1", pos.mime_depth + 1, pos.crypto_depth + 1};
  RETURN_IF_ERROR(VisitSignedData(*der, signed_bytes, pos, "multipart/signed"));
  // Walk into what the signature covers: the first part, exactly as received.
  return Visit(parts->parts[0], inner);
}

Status MessageWalker::VisitCms(std::string der, const Position& pos, std::string_view smime_type) {
  buffers_.push_back(std::move(der));
  std::string_view bytes = buffers_.back();
  CmsKind kind = SniffCmsKind(bytes);
  if (kind == CmsKind::kSigned) return VisitSignedData(bytes, std::nullopt, pos, "signed-data");
  if (kind == CmsKind::kEnveloped) return VisitEnveloped(bytes, pos);
  if (kind == CmsKind::kData) {
    // Plain id-data carries content without any protection: no layer, just content.
    auto content = DataContent(bytes);
    if (!content) {
      report_.malformed.push_back("the id-data content cannot be read");
      return Ok();
    }
    buffers_.push_back(std::move(*content));
    return Visit(buffers_.back(), Position{pos.on_root_chain, pos.part, pos.mime_depth + 1, pos.crypto_depth});
  }
  LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, std::string(smime_type), pos.part};
  if (kind == CmsKind::kCertsOnly) {
    // Certificates in mail never become trusted (catalogue C11); nothing to verify.
    if (pos.on_root_chain) SetContent("");
    report_.warnings.push_back("the message carries certificates only (certs-only); they are not trusted");
    return Ok();
  }
  if (kind == CmsKind::kCompressed) {
    RecordLayerError(layer, Error(ErrorCode::kUnsupported, "compressed S/MIME (compressed-data) is not supported"));
    return Ok();
  }
  RecordLayerError(layer, Error(ErrorCode::kMalformed, "the S/MIME body is not a CMS object Sealpost understands"));
  return Ok();
}

Status MessageWalker::VisitSignedData(std::string_view der, std::optional<std::string_view> content,
                                      const Position& pos, std::string form) {
  LayerVerdict layer{LayerVerdict::Kind::kSigned, pos.on_root_chain, form, pos.part};
  if (pos.crypto_depth >= policy_.max_crypto_layers) {
    RecordLayerError(layer, Error(ErrorCode::kLimit, "more than " + std::to_string(policy_.max_crypto_layers) + " nested cryptographic layers"));
    return Ok();
  }
  cms::VerifyOptions options;
  options.allow_legacy = policy_.allow_legacy;
  options.min_rsa_bits = policy_.min_rsa_bits;
  options.certificate_cache = certificate_cache_;
  options.key_cache = signer_key_cache_;
  options.want_sender_preferences = want_sender_preferences_;
  auto result = cms::VerifySignedData(der, content, options, trust_.intermediates());
  if (!result) {
    RecordLayerError(layer, result.error());
    return Ok();
  }
  if (!content && result->has_econtent) UseProtectedHeaders(result->econtent, pos);
  RecordSignedData(layer, *result, content.has_value(), pos.on_root_chain);
  if (!content) {
    if (!result->has_econtent) {
      report_.warnings.push_back("the signed-data has no content to show");
      return Ok();
    }
    buffers_.push_back(std::move(result->econtent));
    Position inner{pos.on_root_chain, pos.part, pos.mime_depth + 1, pos.crypto_depth + 1};
    return Visit(buffers_.back(), inner);
  }
  if (form == "detached" && pos.on_root_chain) SetContent(*content);
  return Ok();
}

bool MessageWalker::OpenEnvelopeLayer(std::string_view header_der, const Position& pos, LayerVerdict& layer) {
  // Only the labels come from here (decryption checks the header itself), and they come
  // from the fields before the content, which the streamed path has read at this point.
  auto info = cms::InspectEnvelope(header_der, cms::TagPlace::kFollowsContent);
  if (info) {
    layer.form = info->authenticated ? "authEnveloped-data" : "enveloped-data";
    layer.algorithm = info->algorithm;
    layer.authenticated = info->authenticated;
    layer.weak = info->legacy;
  }
  if (pos.crypto_depth >= policy_.max_crypto_layers) {
    RecordLayerError(layer, Error(ErrorCode::kLimit, "more than " + std::to_string(policy_.max_crypto_layers) + " nested cryptographic layers"));
    return false;
  }
  if (!pos.on_root_chain && !policy_.decrypt_non_root_parts) {
    // EFAIL direct exfiltration (catalogue E1): an encrypted part inside unencrypted
    // content is not decrypted automatically.
    layer.status = "not-decrypted";
    layer.error = "an encrypted part inside an unencrypted message was not decrypted (possible EFAIL attack)";
    AddLayer(layer);
    return false;
  }
  return true;
}

void MessageWalker::RecordDecrypted(LayerVerdict layer) {
  layer.status = "ok";
  if (layer.weak) report_.warnings.push_back("the message was encrypted with the weak cipher " + layer.algorithm);
  AddLayer(std::move(layer));
}

Status MessageWalker::VisitEnveloped(std::string_view der, const Position& pos) {
  LayerVerdict layer{LayerVerdict::Kind::kEncrypted, pos.on_root_chain, "enveloped-data", pos.part};
  if (!OpenEnvelopeLayer(der, pos, layer)) return Ok();
  cms::DecryptOptions options;
  options.allow_legacy = policy_.allow_legacy;
  auto keys = Keys();
  if (!keys) {
    // Could not unlock the keys (wrong passphrase, ...): that is an error of the run, not
    // a verdict on the message.
    return std::move(keys).error();
  }
  auto plaintext = cms::Decrypt(der, **keys, options);
  if (!plaintext) {
    RecordLayerError(layer, plaintext.error());
    return Ok();
  }
  RecordDecrypted(std::move(layer));
  buffers_.push_back(std::move(plaintext).value());
  Position inner{pos.on_root_chain, pos.part, pos.mime_depth + 1, pos.crypto_depth + 1};
  return Visit(buffers_.back(), inner);
}

void MessageWalker::RecordSignedData(LayerVerdict layer, cms::SignedDataResult& result, bool detached, bool on_root_chain) {
  if (detached && result.has_econtent) {
    // A detached signature that also embeds content (catalogue C1): which content is
    // signed is ambiguous, so no signer of this layer is valid.
    for (auto& s : result.signers) {
      s.status = cms::SignatureStatus::kMalformed;
      s.detail = "the detached signature also carries embedded content (content confusion)";
    }
  }
  layer.status = "ok";
  size_t index = AddLayer(layer);
  AddSignatures(result, index, on_root_chain);
}

SignerTrust MessageWalker::CheckSignerTrust(const pki::Certificate& signer, const std::vector<pki::Certificate>& bag) const {
  SignerTrust t;
  int min_bits = policy_.allow_legacy ? 1024 : policy_.min_rsa_bits;
  t.chain = trust_.Validate(signer, bag, at_, pki::CertUse::kSigning, min_bits);
  // Revocation is asked only of a trusted path: an untrusted one fails anyway.
  if (revocation_ && t.chain.trusted && t.chain.chain.size() >= 2) {
    t.revocation_checked = true;
    t.revocation = revocation_->Check(t.chain.chain);
  }
  return t;
}

void MessageWalker::AddSignatures(const cms::SignedDataResult& result, size_t layer_index, bool covers_whole) {
  for (const auto& s : result.signers) {
    SignatureVerdict v;
    v.status = s.status;
    v.signer = s.certificate;
    v.digest = s.digest;
    v.signature_algorithm = s.signature_algorithm;
    v.weak = s.weak;
    v.signing_time = s.signing_time;
    if (s.signing_time && s.certificate) v.valid_at_signing_time = s.certificate->ValidAt(*s.signing_time);
    v.capabilities = s.capabilities;
    v.encryption_preference = s.encryption_preference;
    v.layer = static_cast<int>(layer_index);
    v.covers_whole_message = covers_whole;
    v.detail = s.detail;
    if (s.certificate) {
      v.signer_emails = s.certificate->Emails();
      // RFC 8550 §3: the From address must be one of the certificate's addresses.
      for (const auto& from : from_addresses_) {
        if (pki::Certificate::EmailsInclude(v.signer_emails, from)) {
          v.email_matches_from = true;
          v.signer_email = from;
        }
      }
      if (v.signer_email.empty() && !v.signer_emails.empty()) v.signer_email = v.signer_emails.front();
      int min_bits = policy_.allow_legacy ? 1024 : policy_.min_rsa_bits;
      auto compute = [&] { return CheckSignerTrust(*s.certificate, result.certificates); };
      SignerTrust t = trust_cache_ ? trust_cache_->Get(*s.certificate, result.certificates, at_, pki::CertUse::kSigning, min_bits, compute)
                                   : compute();
      v.trusted = t.chain.trusted;
      v.chain_problems = std::move(t.chain.problems);
      if (t.revocation_checked) {
        v.revocation = t.revocation.state;
        v.revocation_detail = t.revocation.detail;
        v.revocation_unreachable = t.revocation.unreachable;
        v.revocation_hard_fail = revocation_hard_fail_;
        if (t.revocation.state == "revoked") {
          v.trusted = false;
          v.chain_problems.push_back("revoked");
        }
      }
    } else {
      v.chain_problems.push_back("no-certificate");
    }
    report_.signatures.push_back(std::move(v));
  }
}

}  // namespace sealpost::smime::internal

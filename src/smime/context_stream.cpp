// SPDX-License-Identifier: Apache-2.0
// The bounded-memory forms of sign, encrypt and decrypt: the message's header fields are
// read whole (capped), its body streams from the input file through CMS to the output.
#include <sys/stat.h>

#include "cms/envelope_stream.h"
#include "core/threaded_sink.h"
#include "cms/signer.h"
#include "mime/composer.h"
#include "mime/content_type.h"
#include "mime/entity.h"
#include "mime/stream_codecs.h"
#include "smime/context.h"

#include <algorithm>
#include "smime/internal/message_walker.h"
#include "smime/internal/stream_message.h"

namespace sealpost::smime {
namespace {

using internal::Blob;

// A message file split as PrepareForEncryption does: the envelope's fields, the content
// entity's fields, and where the body starts.
struct StreamedMessage {
  Blob file;
  std::string outer_headers;
  std::string entity_head;  // Content-* fields + blank line
  Blob body;
  mime::ContentType content_type;
  std::string transfer_encoding;
};

Result<StreamedMessage> OpenMessage(const std::string& path) {
  ASSIGN_OR_RETURN(FileSource probe, FileSource::Open(path));
  StreamedMessage m;
  m.file = Blob{path, 0, probe.size()};
  if (m.file.length == 0) return Error(ErrorCode::kMalformed, "the input message is empty");
  ASSIGN_OR_RETURN(internal::HeaderBlock head, internal::ReadHeaderBlock(m.file));
  if (head.bytes.empty()) return Error(ErrorCode::kMalformed, "the input is not an e-mail message (no header fields)");
  ASSIGN_OR_RETURN(mime::SplitMessage split, mime::SplitHeaderBlock(head.bytes));
  m.outer_headers = std::move(split.outer_headers);
  m.entity_head = std::move(split.entity);  // the fields and "\r\n": the body was not given
  m.body = internal::SubBlob(m.file, head.body_offset, m.file.length - head.body_offset);
  ASSIGN_OR_RETURN(mime::Entity entity, mime::ParseEntity(head.bytes));
  const mime::HeaderField* ct = entity.Find("Content-Type");
  m.content_type = mime::ParseContentType(ct ? ct->value : "");
  const mime::HeaderField* cte = entity.Find("Content-Transfer-Encoding");
  if (cte) {
    std::string v = cte->value;
    v.erase(0, v.find_first_not_of(" \t\r\n"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    m.transfer_encoding = v;
  }
  return m;
}

// The permissions of outputs: decrypted mail is private; the rest like the input.
constexpr unsigned kPlaintextMode = 0600;
constexpr unsigned kProtectedMode = 0644;

}  // namespace

Status SecureMimeContext::EncryptFile(const std::string& in_path, const std::string& out_path,
                                      const EncryptRequest& request) const {
  ASSIGN_OR_RETURN(StreamedMessage m, OpenMessage(in_path));
  ASSIGN_OR_RETURN(EncryptionSetup setup, PrepareEncryption(request));
  ASSIGN_OR_RETURN(FileSource body, internal::OpenBlob(m.body));
  MemorySource head(m.entity_head);
  mime::CrlfSource canonical_body(body);
  internal::ConcatSource entity({&head, &canonical_body});

  ASSIGN_OR_RETURN(AtomicFileSink out, AtomicFileSink::Create(out_path, kProtectedMode));
  std::string preamble = m.outer_headers + "MIME-Version: 1.0\r\n" +
                         mime::BuildPkcs7Mime("", cms::IsAuthenticated(setup.cipher) ? "authEnveloped-data" : "enveloped-data");
  RETURN_IF_ERROR(out.Write(preamble));
  mime::Base64EncodingSink base64(out);
  ThreadedSink encode_and_write(base64);  // beside the cipher, not after it
  RETURN_IF_ERROR(cms::EncryptStream(entity, setup.recipients, setup.cipher, encode_and_write));
  return out.Commit();
}

Status SecureMimeContext::SignFile(const std::string& in_path, const std::string& out_path,
                                   const SignRequest& request) const {
  if (request.opaque)
    return Error(ErrorCode::kUnsupported, "large messages are signed as multipart/signed only; leave out --opaque");
  ASSIGN_OR_RETURN(StreamedMessage m, OpenMessage(in_path));
  ASSIGN_OR_RETURN(SigningSetup setup, PrepareSigning(request));
  ASSIGN_OR_RETURN(FileSource body, internal::OpenBlob(m.body));
  MemorySource head(m.entity_head);
  mime::CrlfSource canonical_body(body);
  internal::SevenBitSource seven_bit(canonical_body);
  internal::ConcatSource entity({&head, &seven_bit});

  ASSIGN_OR_RETURN(AtomicFileSink out, AtomicFileSink::Create(out_path, kProtectedMode));
  mime::MultipartSignedFrame frame =
      mime::BuildMultipartSignedFrame(cms::MicalgName(setup.options.digest), mime::RandomBoundary());
  std::string der;
  RETURN_IF_ERROR(out.Write(m.outer_headers + "MIME-Version: 1.0\r\n" + frame.head));
  {
    ThreadedSink write_content(out);  // the content is written beside its hashing
    ASSIGN_OR_RETURN(std::string signed_der,
                     cms::SignStream(entity, &write_content, setup.certificate, setup.key, setup.options));
    RETURN_IF_ERROR(write_content.Finish());
    der = std::move(signed_der);
  }
  RETURN_IF_ERROR(out.Write(frame.middle));
  mime::Base64EncodingSink base64(out);
  RETURN_IF_ERROR(base64.Write(der));
  RETURN_IF_ERROR(base64.Finish());
  RETURN_IF_ERROR(out.Write(frame.tail));
  return out.Commit();
}

Status SecureMimeContext::DecryptFile(const std::string& in_path, const std::string& out_path) const {
  ASSIGN_OR_RETURN(StreamedMessage m, OpenMessage(in_path));
  const bool pkcs7 = m.content_type.Is("application", "pkcs7-mime") || m.content_type.Is("application", "x-pkcs7-mime");
  if (!pkcs7) return Error(ErrorCode::kInvalidArgument, "the message is not encrypted (nothing to decrypt)");
  const bool base64 = m.transfer_encoding == "base64";
  if (!base64 && !m.transfer_encoding.empty() && m.transfer_encoding != "binary")
    return Error(ErrorCode::kMalformed, "the S/MIME body uses the transfer encoding '" + m.transfer_encoding +
                                            "', which cannot carry CMS");

  // 1. Read the envelope's header; the content follows as a stream.
  ASSIGN_OR_RETURN(FileSource body, internal::OpenBlob(m.body));
  mime::Base64DecodingSource decoded(body);
  ByteSource& der = base64 ? static_cast<ByteSource&>(decoded) : static_cast<ByteSource&>(body);
  auto envelope = cms::EnvelopeStream::Open(der);
  if (!envelope) {
    if (envelope.error().code() == ErrorCode::kMalformed &&
        envelope.error().message().find("not EnvelopedData") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "the message is not encrypted (nothing to decrypt)");
    return std::move(envelope).error();
  }

  // 2. Decrypt into the output's temp file; it is renamed into place only on success.
  ASSIGN_OR_RETURN(std::vector<cms::Identity> keys, DecryptionKeys());
  cms::DecryptOptions options;
  options.allow_legacy = policy_.allow_legacy;
  ASSIGN_OR_RETURN(AtomicFileSink out, AtomicFileSink::Create(out_path, kPlaintextMode));
  RETURN_IF_ERROR(out.Write(m.outer_headers + "MIME-Version: 1.0\r\n"));
  mime::CrlfSink canonical(out);
  ThreadedSink canonicalize_and_write(canonical);  // beside the cipher; still only into the temp file
  RETURN_IF_ERROR(envelope->Decrypt(keys, options, canonicalize_and_write));
  return out.Commit();
}

Result<Report> SecureMimeContext::ReadMessageFile(const std::string& path, const FileReadOptions& options) const {
  ASSIGN_OR_RETURN(FileSource probe, FileSource::Open(path));
  if (options.force_stream || probe.size() > options.stream_above)
    return ReadLargeMessage(path, probe.size(),
                            options.force_stream ? 0 : std::min(options.stream_above, kInMemoryMessageLimit),
                            options.want_content);
  std::string message(static_cast<size_t>(probe.size()), '\0');
  size_t got = 0;
  while (got < message.size()) {
    ASSIGN_OR_RETURN(size_t n, probe.Read(message.data() + got, message.size() - got));
    if (n == 0) break;
    got += n;
  }
  message.resize(got);
  ReadOptions read_options;
  read_options.want_content = options.want_content;
  return Read(message, read_options);
}

Result<Report> SecureMimeContext::ReadLargeMessage(const std::string& path, uint64_t size,
                                                   uint64_t in_memory_part_limit, bool want_content) const {
  internal::MessageWalker walker([this] { return DecryptionKeys(); }, trust_, policy_, Now());
  walker.SetRevocation(revocation_.get(), revocation_hard_fail_);
  walker.SetInMemoryPartLimit(in_memory_part_limit);
  walker.SetWantContent(want_content);
  return walker.WalkFile(internal::Blob{path, 0, size});
}

}  // namespace sealpost::smime

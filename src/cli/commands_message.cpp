// SPDX-License-Identifier: Apache-2.0
// Message commands: sign, encrypt, protect, decrypt (message in, message out) and
// verify, read (verdict out).
#include "cli/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>

#include "cli/recipients.h"
#include "cli/render.h"
#include "core/byte_stream.h"
#include "core/file_io.h"
#include "mime/structure_check.h"
#include "smime/report_json.h"

namespace sealpost::cli {
namespace {

Result<smime::EncryptRequest> MakeEncryptRequest(const Options& o) {
  smime::EncryptRequest request;
  request.rsa_oaep = o.oaep;
  if (!o.cipher.empty()) {
    auto c = cms::ParseCipher(o.cipher);
    if (!c) return Error(ErrorCode::kInvalidArgument, "unknown cipher '" + o.cipher + "' (use aes-256-gcm, aes-128-gcm, aes-256-cbc or aes-128-cbc)");
    request.cipher = *c;
  }
  for (const auto& path : o.recipient_certs) {
    ASSIGN_OR_RETURN(pki::Certificate cert, LoadCert(path));
    request.recipients.push_back(std::move(cert));
  }
  return request;
}

Result<smime::SignRequest> MakeSignRequest(const Options& o) {
  smime::SignRequest request;
  request.opaque = o.opaque;
  request.rsa_pss = o.pss;
  if (!o.digest.empty()) {
    auto d = cms::ParseDigest(o.digest);
    if (!d) return Error(ErrorCode::kInvalidArgument, "unknown digest '" + o.digest + "' (use sha256, sha384 or sha512)");
    request.digest = *d;
  }
  return request;
}

// NSS 3.87 (Thunderbird in Debian 12) cannot parse a message that has any ECDH recipient
// (measured by tests/interop): say so when RSA and EC recipients are mixed.
void WarnAboutMixedKeys(const smime::EncryptRequest& request) {
  bool rsa = false, ec = false;
  for (const auto& c : request.recipients) {
    rsa |= c.KeyAlgorithm() == "rsa";
    ec |= c.KeyAlgorithm() == "ec";
  }
  if (rsa && ec)
    std::cerr << "sealpost: warning: recipients mix RSA and EC keys; readers on NSS 3.87 (Thunderbird in Debian 12) "
                 "will not be able to open this message\n";
}

// `read` reminds the user of their own certificates that expire within 30 days.
void WarnAboutExpiringIdentities(const Options& o, smime::Report& report) {
  auto p = OpenProfile(o);
  if (!p) return;
  auto ids = p->ListIdentities();
  if (!ids) return;
  std::time_t now = std::time(nullptr);
  for (const auto& s : *ids) {
    if (!s.active_signing && !s.active_encryption) continue;
    std::time_t left = s.certificate.NotAfter() - now;
    if (left >= 0 && left < 30 * 86400) {
      std::string email = s.certificate.Emails().empty() ? s.certificate.Subject() : s.certificate.Emails().front();
      report.warnings.push_back("your certificate for " + email + " (" + s.id.substr(0, 16) + ") expires in " +
                                std::to_string(left / 86400) + " days; renew it");
    }
  }
}

// The size of the input file; nothing for standard input or a file stat cannot see.
std::optional<uint64_t> InputFileSize(const Options& o) {
  struct stat st {};
  if (o.in == "-" || ::stat(o.in.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

// Big messages (or --stream) go file to file through the bounded-memory path; standard
// input and output cannot, since the output must appear only after the operation succeeds.
bool UseStreaming(const Options& o) {
  if (o.in == "-") return false;
  if (o.stream) return true;
  auto size = InputFileSize(o);
  return size && *size > smime::kInMemoryMessageLimit;
}

// A file beside nothing, removed when the operation is over (the signed-but-not-yet-
// encrypted intermediate of protect).
class TempPath final {
 public:
  TempPath() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/sealpost-protect-XXXXXX";
    int fd = ::mkstemp(path_.data());
    if (fd >= 0) ::close(fd);
  }
  ~TempPath() { ::unlink(path_.c_str()); }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status RunStreamingTransform(const Options& o, const std::string& command, const smime::SecureMimeContext& ctx,
                             const smime::SignRequest& sign_request, const smime::EncryptRequest& encrypt_request) {
  if (o.out == "-") return Error(ErrorCode::kInvalidArgument, "streaming needs an output file (--out FILE), not standard output");
  if (command == "sign" || (command == "protect" && !o.do_encrypt)) return ctx.SignFile(o.in, o.out, sign_request);
  if (command == "encrypt" || (command == "protect" && !o.do_sign)) return ctx.EncryptFile(o.in, o.out, encrypt_request);
  if (command == "protect") {
    TempPath signed_message;
    RETURN_IF_ERROR(ctx.SignFile(o.in, signed_message.path(), sign_request));
    return ctx.EncryptFile(signed_message.path(), o.out, encrypt_request);
  }
  return ctx.DecryptFile(o.in, o.out);
}

// The header fields of a message file (to find its recipients without loading it).
Result<std::string> ReadHeaderFields(const std::string& path) {
  ASSIGN_OR_RETURN(FileSource file, FileSource::Open(path));
  std::string head(static_cast<size_t>(std::min<uint64_t>(file.size(), 1 << 20)), '\0');
  size_t got = 0;
  while (got < head.size()) {
    ASSIGN_OR_RETURN(size_t n, file.Read(head.data() + got, head.size() - got));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  size_t end = head.find("\n\r\n");
  if (end == std::string::npos) end = head.find("\n\n");
  if (end != std::string::npos) head.resize(end + 1);
  return head + "\r\n";
}

// Whether a message that cannot be encrypted for every recipient goes out unencrypted to
// all of them instead (catalogue S1/S3), and who decided; nullopt = fail closed. Only for
// "no usable certificate" (kPolicy): a directory that did not answer (kNetwork) is never
// taken as "no certificate" (S4). Never a mixed message: the caller encrypts for everyone
// or for no one.
Result<std::optional<std::string>> PlaintextDecision(const Options& o, const Error& unresolved) {
  if (unresolved.code() != ErrorCode::kPolicy) return std::optional<std::string>{};
  ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
  const policy::PolicyEntry* entry = loaded.Find("missing_certificate_action");
  const bool by_admin = entry && entry->origin == policy::Origin::kAdministrator;
  switch (loaded.policy().missing_certificate_action) {
    case policy::MissingCertificateAction::kSendUnencrypted:
      return std::optional<std::string>((by_admin ? "the administrator's policy" : "your profile's policy") +
                                        std::string(" (missing_certificate_action = send-unencrypted)"));
    case policy::MissingCertificateAction::kAsk:
      if (o.allow_unencrypted) return std::optional<std::string>("you (--allow-unencrypted, for this message)");
      return std::optional<std::string>{};
    case policy::MissingCertificateAction::kRefuse:
      if (o.allow_unencrypted)
        return Error(ErrorCode::kPolicy, unresolved.message() + "; --allow-unencrypted is not allowed: the " +
                                             std::string(by_admin ? "administrator's" : "profile's") +
                                             " policy says missing_certificate_action = refuse");
      return std::optional<std::string>{};
  }
  return std::optional<std::string>{};
}

// Above this size a file-to-file sign, encryption or decryption is handed to the streaming
// engine once the in-memory checks (recipients, Bcc, policy) have passed: at 10 MiB the
// in-memory path took 0.09-0.12 s and the streaming one 0.027 s (bench/RESULTS.md, sixth
// run). Content that must be re-encoded before signing (8-bit, NUL, lines over 998 octets)
// is refused by the streaming signer and signed in memory, where GMime re-encodes it.
constexpr uint64_t kStreamFileAbove = 1 << 20;

bool StreamsBetter(const Options& o, std::string_view message) {
  return o.in != "-" && o.out != "-" && message.size() > kStreamFileAbove;
}

// What the streaming engine refuses for want of a feature the in-memory one has (a bare CMS
// file, a message without header fields), not because the message is bad: those are handed
// back to the in-memory path, which then has the last word. Nothing was written either way.
bool StreamingCannotTakeIt(const Error& e) {
  return e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kMalformed ||
         e.code() == ErrorCode::kUnsupported || e.code() == ErrorCode::kLimit;
}

}  // namespace

int RunTransform(const Options& o, const std::string& command) {
  if (UseStreaming(o)) {
    auto run = [&]() -> Status {
      ASSIGN_OR_RETURN(smime::SignRequest sign_request, MakeSignRequest(o));
      ASSIGN_OR_RETURN(smime::EncryptRequest encrypt_request, MakeEncryptRequest(o));
      if (command == "protect" && !o.do_sign && !o.do_encrypt)
        return Error(ErrorCode::kInvalidArgument, "protect needs --sign, --encrypt or both");
      ASSIGN_OR_RETURN(smime::SecureMimeContext ctx, MakeContext(o));
      bool encrypting = command == "encrypt" || (command == "protect" && o.do_encrypt);
      if (encrypting && o.recipient_certs.empty()) {
        ASSIGN_OR_RETURN(std::string headers, ReadHeaderFields(o.in));
        ASSIGN_OR_RETURN(std::vector<std::string> addresses, RecipientAddresses(headers, /*include_bcc=*/false));
        ASSIGN_OR_RETURN(std::vector<std::string> blind, BlindAddresses(headers));
        // Each Bcc recipient needs a message of their own (catalogue S5); the streamed path
        // writes one, so it refuses rather than reveal them in a shared EnvelopedData.
        if (!blind.empty())
          return Error(ErrorCode::kUnsupported, "a message over 16 MiB with Bcc recipients cannot be encrypted in one pass; "
                                                "send the Bcc copies as separate messages");
        if (addresses.empty())
          return Error(ErrorCode::kInvalidArgument, "the message has no To, Cc or Bcc address; name recipients or give --recipient-cert");
        // Fail closed: sending a big message unencrypted is never decided here (S1-S4).
        RETURN_IF_ERROR(ResolveForEncryption(o, addresses, encrypt_request));
      }
      if (encrypting) WarnAboutMixedKeys(encrypt_request);
      return RunStreamingTransform(o, command, ctx, sign_request, encrypt_request);
    };
    if (auto st = run(); !st) {
      std::string what = command == "protect" ? "protect the message" : command + " the message";
      return Fail(std::move(st).error().WithContext("cannot " + what), o.verbose);
    }
    return kExitGood;
  }
  // Separate messages for Bcc recipients (catalogue S5), written beside `o.out`.
  std::vector<std::pair<std::string, std::string>> bcc_outputs;
  bool written_by_stream = false;  // the streaming engine wrote o.out itself
  auto run = [&]() -> Result<std::string> {
    // Arguments first, so a usage error is reported as one whatever the input.
    ASSIGN_OR_RETURN(smime::SignRequest sign_request, MakeSignRequest(o));
    ASSIGN_OR_RETURN(smime::EncryptRequest encrypt_request, MakeEncryptRequest(o));
    if (command == "protect" && !o.do_sign && !o.do_encrypt)
      return Error(ErrorCode::kInvalidArgument, "protect needs --sign, --encrypt or both");
    ASSIGN_OR_RETURN(std::string message, ReadFile(o.in, smime::kMaxMessageBytes));
    if (message.find_first_not_of(" \t\r\n") == std::string::npos)
      return Error(ErrorCode::kMalformed, "the input message is empty");
    ASSIGN_OR_RETURN(smime::SecureMimeContext ctx, MakeContext(o));
    bool encrypting = command == "encrypt" || (command == "protect" && o.do_encrypt);
    const bool signing = command == "protect" && o.do_sign;
    if (encrypting && o.recipient_certs.empty()) {
      ASSIGN_OR_RETURN(std::vector<std::string> visible, RecipientAddresses(message, /*include_bcc=*/false));
      ASSIGN_OR_RETURN(std::vector<std::string> blind, BlindAddresses(message));
      if (visible.empty() && blind.empty())
        return Error(ErrorCode::kInvalidArgument, "the message has no To, Cc or Bcc address; name recipients or give --recipient-cert");
      if (!blind.empty() && o.out == "-")
        return Error(ErrorCode::kInvalidArgument,
                     "the message has Bcc recipients, who each get a separate encrypted message; give --out FILE");
      std::vector<std::string> addresses = visible;
      addresses.insert(addresses.end(), blind.begin(), blind.end());
      smime::EncryptRequest everyone = encrypt_request;
      if (auto resolved = ResolveForEncryption(o, addresses, everyone); !resolved) {
        ASSIGN_OR_RETURN(std::optional<std::string> decided_by, PlaintextDecision(o, resolved.error()));
        if (!decided_by) {
          if (resolved.error().code() == ErrorCode::kPolicy && !o.allow_unencrypted) {
            ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, LoadEffectivePolicy(o));
            if (loaded.policy().missing_certificate_action == policy::MissingCertificateAction::kAsk)
              return Error(ErrorCode::kPolicy, resolved.error().message() +
                                                   "; to send it unencrypted to everyone instead, repeat with --allow-unencrypted");
          }
          return std::move(resolved).error();
        }
        // The decision is the result: said on stderr in a fixed form scripts can record.
        std::cerr << "sealpost: NOT ENCRYPTED for any recipient, decided by " << *decided_by << ": "
                  << resolved.error().message() << "\n";
        std::string plain = WithoutBccHeader(message);
        return signing ? ctx.Sign(plain, sign_request) : Result<std::string>(std::move(plain));
      }
      // Resolution keeps the address order, all of them resolved: To/Cc first, then Bcc.
      // One EnvelopedData names every recipient's issuer and serial, so a Bcc recipient in
      // it would be visible to all: each gets a message of their own, and no copy carries
      // the Bcc field.
      message = WithoutBccHeader(message);
      auto only = [&](std::size_t from, std::size_t to) {
        smime::EncryptRequest r = encrypt_request;
        r.recipients.assign(everyone.recipients.begin() + static_cast<std::ptrdiff_t>(from),
                            everyone.recipients.begin() + static_cast<std::ptrdiff_t>(to));
        r.capabilities.assign(everyone.capabilities.begin() + static_cast<std::ptrdiff_t>(from),
                              everyone.capabilities.begin() + static_cast<std::ptrdiff_t>(to));
        return r;
      };
      for (std::size_t i = 0; i < blind.size(); ++i) {
        smime::EncryptRequest one = only(visible.size() + i, visible.size() + i + 1);
        WarnAboutMixedKeys(one);
        auto copy = signing ? ctx.SignAndEncrypt(message, sign_request, one) : ctx.Encrypt(message, one);
        if (!copy) return std::move(copy).error().WithContext("for the Bcc recipient " + blind[i]);
        bcc_outputs.emplace_back(o.out + ".bcc-" + std::to_string(i + 1) + ".eml", std::move(copy).value());
      }
      encrypt_request = only(0, visible.size());
    }
    if (encrypting) WarnAboutMixedKeys(encrypt_request);
    const bool encrypt_only = command == "encrypt" || (command == "protect" && !o.do_sign);
    const bool sign_only = command == "sign" || (command == "protect" && !o.do_encrypt);
    // The message is still the file's bytes unless Bcc copies were split off (that removes
    // the Bcc field), so the streaming engine may read the file itself.
    if ((encrypt_only || sign_only || command == "decrypt") && bcc_outputs.empty() && StreamsBetter(o, message)) {
      Status streamed = Ok();
      if (encrypt_only || sign_only) {
        streamed = mime::CheckStructure(message);  // what the in-memory preparation checks
        if (streamed)
          streamed = encrypt_only ? ctx.EncryptFile(o.in, o.out, encrypt_request) : ctx.SignFile(o.in, o.out, sign_request);
      } else {
        streamed = ctx.DecryptFile(o.in, o.out);
      }
      if (streamed) {
        written_by_stream = true;
        return std::string();
      }
      if (!StreamingCannotTakeIt(streamed.error())) return std::move(streamed).error();
    }
    if (command == "sign" || (command == "protect" && !o.do_encrypt)) return ctx.Sign(message, sign_request);
    if (command == "encrypt" || (command == "protect" && !o.do_sign)) return ctx.Encrypt(message, encrypt_request);
    if (command == "protect") return ctx.SignAndEncrypt(message, sign_request, encrypt_request);
    return ctx.Decrypt(message);
  };
  auto result = run();
  if (!result) {
    std::string what = command == "protect" ? "protect the message" : command + " the message";
    return Fail(std::move(result).error().WithContext("cannot " + what), o.verbose);
  }
  for (const auto& [path, bytes] : bcc_outputs) {
    if (auto st = WriteFileAtomically(path, bytes, 0644); !st) return Fail(st.error(), o.verbose);
    std::cerr << "sealpost: the Bcc copy is a separate message: " << path << "\n";
  }
  if (written_by_stream) return kExitGood;
  if (auto st = WriteFileAtomically(o.out, *result, command == "decrypt" ? 0600 : 0644); !st) return Fail(st.error(), o.verbose);
  return kExitGood;
}

namespace {

// The verdict out: JSON or text, harvesting, and the exit code.
int ReportVerdict(const Options& o, bool is_read, smime::Report& report, std::string_view shown_message) {
  int code = smime::ExitCodeFor(report, !is_read);
  Harvest(o, report);
  if (is_read) WarnAboutExpiringIdentities(o, report);
  if (o.json) {
    smime::JsonOptions jo;
    jo.include_content = is_read;
    jo.exit_code = code;
    std::cout << smime::ReportToJson(report, jo);
  } else {
    std::cout << RenderVerdict(report, code, !is_read);
    if (is_read) std::cout << "\n" << RenderContent(report, shown_message);
  }
  // One line on stderr says why the exit code is not 0, for scripts reading only stderr.
  if (code != 0) std::cerr << "sealpost: " << FirstReason(report, !is_read) << "\n";
  return code;
}

// `verify` of a file over this size reads it from the file, its parts over this size
// streamed: a 10 MiB message was read whole into fresh memory (page faults and zeroing were
// a third of the time) and verified in 23 ms, streamed in 15.5 ms. `read`, which shows the
// content, keeps whole messages up to kInMemoryMessageLimit.
constexpr uint64_t kVerifyStreamsAbove = 1 << 20;

// Examines the input walked from its file. With `or_in_memory`, a message the walk refuses
// outright (a header it will not hold, say) gives nothing, for the in-memory path to examine
// and have the last word on, as for smaller files.
std::optional<int> ExamineFromFile(const Options& o, bool is_read,
                                   const smime::SecureMimeContext::FileReadOptions& options, bool or_in_memory) {
  auto ctx = MakeContext(o);
  if (!ctx) return Fail(ctx.error(), o.verbose);
  auto report = ctx->ReadMessageFile(o.in, options);
  if (!report && or_in_memory) return std::nullopt;
  if (!report) return Fail(std::move(report).error().WithContext("cannot examine " + o.in), o.verbose);
  auto headers = ReadHeaderFields(o.in);
  return ReportVerdict(o, is_read, *report, headers ? *headers : std::string());
}

}  // namespace

int RunExamine(const Options& o, bool is_read) {
  smime::SecureMimeContext::FileReadOptions from_file;
  from_file.want_content = is_read;  // `verify` never shows the content (see below)
  if (o.content_path.empty() && UseStreaming(o)) {
    from_file.force_stream = o.stream;
    return *ExamineFromFile(o, is_read, from_file, /*or_in_memory=*/false);
  }
  if (auto size = InputFileSize(o); !is_read && o.content_path.empty() && size && *size > kVerifyStreamsAbove) {
    from_file.stream_above = kVerifyStreamsAbove;
    if (auto code = ExamineFromFile(o, is_read, from_file, /*or_in_memory=*/true)) return *code;
  }
  auto message = ReadFile(o.in, smime::kMaxMessageBytes);
  if (!message) return Fail(message.error(), o.verbose);
  std::optional<std::string> content;
  if (!o.content_path.empty()) {
    auto c = ReadFile(o.content_path, smime::kMaxMessageBytes);
    if (!c) return Fail(c.error(), o.verbose);
    content = std::move(c).value();
  }
  auto ctx = MakeContext(o);
  if (!ctx) return Fail(ctx.error(), o.verbose);
  smime::ReadOptions read_options;
  if (content) read_options.detached_content = *content;
  // `verify` shows the verdict, never the content: decoding text and attachments for display
  // (half of a 10 MiB verification) is skipped, with the same verdict and warnings.
  read_options.want_content = is_read;
  auto report = ctx->Read(*message, read_options);
  if (!report) return Fail(std::move(report).error().WithContext("cannot examine " + o.in), o.verbose);
  return ReportVerdict(o, is_read, *report, *message);
}

}  // namespace sealpost::cli

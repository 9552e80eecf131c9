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

#include "cli/recipients.h"
#include "cli/render.h"
#include "core/byte_stream.h"
#include "core/file_io.h"
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

// Big messages (or --stream) go file to file through the bounded-memory path; standard
// input and output cannot, since the output must appear only after the operation succeeds.
bool UseStreaming(const Options& o) {
  if (o.in == "-") return false;
  if (o.stream) return true;
  struct stat st {};
  return ::stat(o.in.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) > smime::kInMemoryMessageLimit;
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
        ASSIGN_OR_RETURN(std::vector<std::string> addresses, RecipientAddresses(headers));
        if (addresses.empty())
          return Error(ErrorCode::kInvalidArgument, "the message has no To, Cc or Bcc address; name recipients or give --recipient-cert");
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
  auto run = [&]() -> Result<std::string> {
    // Arguments first, so a usage error is reported as one whatever the input.
    ASSIGN_OR_RETURN(smime::SignRequest sign_request, MakeSignRequest(o));
    ASSIGN_OR_RETURN(smime::EncryptRequest encrypt_request, MakeEncryptRequest(o));
    if (command == "protect" && !o.do_sign && !o.do_encrypt)
      return Error(ErrorCode::kInvalidArgument, "protect needs --sign, --encrypt or both");
    ASSIGN_OR_RETURN(std::string message, ReadFile(o.in));
    if (message.find_first_not_of(" \t\r\n") == std::string::npos)
      return Error(ErrorCode::kMalformed, "the input message is empty");
    ASSIGN_OR_RETURN(smime::SecureMimeContext ctx, MakeContext(o));
    bool encrypting = command == "encrypt" || (command == "protect" && o.do_encrypt);
    if (encrypting && o.recipient_certs.empty()) {
      ASSIGN_OR_RETURN(std::vector<std::string> addresses, RecipientAddresses(message));
      if (addresses.empty())
        return Error(ErrorCode::kInvalidArgument, "the message has no To, Cc or Bcc address; name recipients or give --recipient-cert");
      RETURN_IF_ERROR(ResolveForEncryption(o, addresses, encrypt_request));
    }
    if (encrypting) WarnAboutMixedKeys(encrypt_request);
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

int RunExamineStreaming(const Options& o, bool is_read) {
  auto ctx = MakeContext(o);
  if (!ctx) return Fail(ctx.error(), o.verbose);
  auto report = ctx->ReadMessageFile(o.in, o.stream);
  if (!report) return Fail(std::move(report).error().WithContext("cannot examine " + o.in), o.verbose);
  auto headers = ReadHeaderFields(o.in);
  return ReportVerdict(o, is_read, *report, headers ? *headers : std::string());
}

}  // namespace

int RunExamine(const Options& o, bool is_read) {
  if (o.content_path.empty() && UseStreaming(o)) return RunExamineStreaming(o, is_read);
  auto message = ReadFile(o.in);
  if (!message) return Fail(message.error(), o.verbose);
  std::optional<std::string> content;
  if (!o.content_path.empty()) {
    auto c = ReadFile(o.content_path);
    if (!c) return Fail(c.error(), o.verbose);
    content = std::move(c).value();
  }
  auto ctx = MakeContext(o);
  if (!ctx) return Fail(ctx.error(), o.verbose);
  smime::ReadOptions read_options;
  if (content) read_options.detached_content = *content;
  auto report = ctx->Read(*message, read_options);
  if (!report) return Fail(std::move(report).error().WithContext("cannot examine " + o.in), o.verbose);
  return ReportVerdict(o, is_read, *report, *message);
}

}  // namespace sealpost::cli

// SPDX-License-Identifier: Apache-2.0
// Message commands: sign, encrypt, protect, decrypt (message in, message out) and
// verify, read (verdict out).
#include "cli/commands.h"

#include <ctime>
#include <iostream>

#include "cli/recipients.h"
#include "cli/render.h"
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

}  // namespace

int RunTransform(const Options& o, const std::string& command) {
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

int RunExamine(const Options& o, bool is_read) {
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
  auto report = ctx->Read(*message, read_options);
  if (!report) return Fail(std::move(report).error().WithContext("cannot examine " + o.in), o.verbose);
  int code = smime::ExitCodeFor(*report, !is_read);
  Harvest(o, *report);
  if (is_read) WarnAboutExpiringIdentities(o, *report);
  if (o.json) {
    smime::JsonOptions jo;
    jo.include_content = is_read;
    jo.exit_code = code;
    std::cout << smime::ReportToJson(*report, jo);
  } else {
    std::cout << RenderVerdict(*report, code, !is_read);
    if (is_read) std::cout << "\n" << RenderContent(*report, *message);
  }
  // One line on stderr says why the exit code is not 0, for scripts reading only stderr.
  if (code != 0) std::cerr << "sealpost: " << FirstReason(*report, !is_read) << "\n";
  return code;
}

}  // namespace sealpost::cli

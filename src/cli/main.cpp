// SPDX-License-Identifier: Apache-2.0
// sealpost: the command-line client. Parses arguments, calls the engine, renders results,
// and maps outcomes to the exit codes of the CLI contract. No crypto here.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/render.h"
#include "core/file_io.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "profile/profile.h"
#include "smime/context.h"
#include "smime/report_json.h"

namespace sealpost::cli {
namespace {

enum ExitCode { kExitGood = 0, kExitVerdict = 1, kExitUsage = 2, kExitInput = 3, kExitNetwork = 4 };

int ExitCodeForError(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kPolicy:
    case ErrorCode::kNoKey:
    case ErrorCode::kIntegrity:
    case ErrorCode::kUnsupported: return kExitVerdict;
    case ErrorCode::kNetwork: return kExitNetwork;
    default: return kExitInput;
  }
}

int Fail(const Error& error, bool verbose) {
  std::cerr << "sealpost: " << error.message() << "\n";
  if (verbose && !error.detail().empty()) std::cerr << "  detail: " << error.detail() << "\n";
  return ExitCodeForError(error);
}

struct Options {
  std::string profile_dir;
  bool verbose = false;
  // identity add
  std::string cert_path, key_path, as = "auto";
  // trust add
  std::string trust_path;
  bool intermediate = false;
  // messages
  std::string in = "-", out = "-", content_path, at, digest = "sha256", cipher;
  bool opaque = false, pss = false, oaep = false, json = false, allow_legacy = false;
  bool do_sign = false, do_encrypt = false;
  std::vector<std::string> recipient_certs;
};

Result<profile::Profile> OpenProfile(const Options& o) {
  return profile::Profile::Open(o.profile_dir.empty() ? profile::Profile::DefaultDirectory() : o.profile_dir);
}

Result<smime::SecureMimeContext> MakeContext(const Options& o) {
  ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
  ASSIGN_OR_RETURN(std::vector<smime::Identity> identities, p.LoadIdentities());
  ASSIGN_OR_RETURN(pki::TrustStore trust, p.LoadTrustStore());
  policy::AlgorithmPolicy policy = policy::DefaultAlgorithmPolicy();
  policy.allow_legacy = o.allow_legacy;
  if (o.allow_legacy) policy.min_rsa_bits = 1024;
  std::optional<std::time_t> at;
  if (!o.at.empty()) {
    ASSIGN_OR_RETURN(std::time_t t, pki::ParseRfc3339(o.at));
    at = t;
  }
  return smime::SecureMimeContext(std::move(identities), std::move(trust), std::move(policy), at);
}

Result<pki::Certificate> LoadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto cert = pki::Certificate::Parse(bytes);
  if (!cert) return std::move(cert).error().WithContext(path);
  return cert;
}

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
  auto d = cms::ParseDigest(o.digest);
  if (!d) return Error(ErrorCode::kInvalidArgument, "unknown digest '" + o.digest + "' (use sha256, sha384 or sha512)");
  request.digest = *d;
  return request;
}

int RunIdentityAdd(const Options& o) {
  auto run = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(pki::Certificate cert, LoadCert(o.cert_path));
    ASSIGN_OR_RETURN(std::string key_bytes, ReadFile(o.key_path));
    SecretBytes key_secret(key_bytes);
    std::fill(key_bytes.begin(), key_bytes.end(), '\0');
    auto key = pki::PrivateKey::Parse(key_secret.view());
    if (!key) return std::move(key).error().WithContext(o.key_path);
    profile::Role role;
    if (o.as == "signing") role = profile::Role::kSigning;
    else if (o.as == "encryption") role = profile::Role::kEncryption;
    else if (o.as == "both") role = profile::Role::kBoth;
    else {
      // auto: single-purpose certificates set themselves up; dual ones serve both.
      switch (cert.Purpose()) {
        case pki::KeyPurpose::kSigning: role = profile::Role::kSigning; break;
        case pki::KeyPurpose::kEncryption: role = profile::Role::kEncryption; break;
        default: role = profile::Role::kBoth; break;
      }
    }
    if (!cert.EkuAllowsEmail())
      return Error(ErrorCode::kPolicy, "the certificate's extended key usage does not allow e-mail protection");
    if ((role != profile::Role::kEncryption && !cert.AllowsSigning()) ||
        (role != profile::Role::kSigning && !cert.AllowsEncryption()))
      return Error(ErrorCode::kInvalidArgument, "the certificate's key usage does not allow it to be used for " + std::string(profile::RoleName(role)));
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(profile::StoredIdentity stored, p.AddIdentity(cert, key.value(), role));
    std::string email = cert.Emails().empty() ? cert.Subject() : cert.Emails().front();
    return "Added " + std::string(profile::RoleName(role)) + " identity for " + email + ", valid until " +
           pki::FormatRfc3339(cert.NotAfter()) + " (id " + stored.id.substr(0, 16) + ")\n";
  };
  auto r = run();
  if (!r) return Fail(r.error(), o.verbose);
  std::cout << *r;
  return kExitGood;
}

int RunTrustAdd(const Options& o) {
  auto cert = LoadCert(o.trust_path);
  if (!cert) return Fail(cert.error(), o.verbose);
  auto p = OpenProfile(o);
  if (!p) return Fail(p.error(), o.verbose);
  if (auto st = p->AddTrust(*cert, o.intermediate); !st) return Fail(st.error(), o.verbose);
  std::cout << (o.intermediate ? "Added intermediate " : "Trusted ") << cert->Subject() << "\n";
  return kExitGood;
}

// sign / encrypt / protect / decrypt: message in, message out.
int RunTransform(const Options& o, const std::string& command) {
  auto run = [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(std::string message, ReadFile(o.in));
    if (message.empty()) return Error(ErrorCode::kMalformed, "the input message is empty");
    ASSIGN_OR_RETURN(smime::SecureMimeContext ctx, MakeContext(o));
    if (command == "sign") {
      ASSIGN_OR_RETURN(smime::SignRequest req, MakeSignRequest(o));
      return ctx.Sign(message, req);
    }
    if (command == "encrypt") {
      ASSIGN_OR_RETURN(smime::EncryptRequest req, MakeEncryptRequest(o));
      return ctx.Encrypt(message, req);
    }
    if (command == "protect") {
      ASSIGN_OR_RETURN(smime::SignRequest sreq, MakeSignRequest(o));
      ASSIGN_OR_RETURN(smime::EncryptRequest ereq, MakeEncryptRequest(o));
      if (o.do_sign && o.do_encrypt) return ctx.SignAndEncrypt(message, sreq, ereq);
      if (o.do_sign) return ctx.Sign(message, sreq);
      if (o.do_encrypt) return ctx.Encrypt(message, ereq);
      return Error(ErrorCode::kInvalidArgument, "protect needs --sign, --encrypt or both");
    }
    return ctx.Decrypt(message);
  };
  auto result = run();
  if (!result) return Fail(std::move(result).error().WithContext(command == "decrypt" ? "cannot decrypt" : "cannot " + command), o.verbose);
  if (auto st = WriteFileAtomically(o.out, *result, command == "decrypt" ? 0600 : 0644); !st) return Fail(st.error(), o.verbose);
  return kExitGood;
}

// verify / read: print the verdict (and for read, the content).
int RunExamine(const Options& o, bool is_read) {
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
  int code = smime::ExitCodeFor(*report, !is_read);
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
  if (code != 0) std::cerr << "sealpost: the message did not pass every check (exit " << code << ")\n";
  return code;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"Sealpost: sign, encrypt, decrypt and verify S/MIME e-mail", "sealpost"};
  app.require_subcommand(1);
  Options o;
  app.add_option("--profile", o.profile_dir, "Profile directory (default: $SEALPOST_HOME, else ~/.sealpost)");
  app.add_flag("-v,--verbose", o.verbose, "Show library diagnostics with errors");

  auto* identity = app.add_subcommand("identity", "Manage your own certificates and keys");
  identity->require_subcommand(1);
  auto* identity_add = identity->add_subcommand("add", "Add a certificate and its private key (PEM)");
  identity_add->add_option("--cert", o.cert_path, "Certificate (PEM or DER)")->required();
  identity_add->add_option("--key", o.key_path, "Unencrypted private key (PEM or DER)")->required();
  identity_add->add_option("--as", o.as, "Use it for signing, encryption or both (default: from its key usage)")
      ->check(CLI::IsMember({"signing", "encryption", "both", "auto"}));

  auto* trust = app.add_subcommand("trust", "Manage trust anchors");
  trust->require_subcommand(1);
  auto* trust_add = trust->add_subcommand("add", "Trust a CA certificate (or add an untrusted intermediate)");
  trust_add->add_option("cert", o.trust_path, "CA certificate (PEM or DER)")->required();
  trust_add->add_flag("--intermediate", o.intermediate, "Only a helper for building chains, not trusted");

  auto add_io = [&](CLI::App* cmd) {
    cmd->add_option("--in", o.in, "Input message ('-' = standard input)")->required();
    cmd->add_option("--out", o.out, "Output message ('-' = standard output)");
  };
  auto add_sign_opts = [&](CLI::App* cmd) {
    cmd->add_flag("--opaque", o.opaque, "Opaque signed-data instead of multipart/signed");
    cmd->add_option("--digest", o.digest, "sha256 (default), sha384 or sha512");
    cmd->add_flag("--pss", o.pss, "RSA-PSS signature (RSA keys)");
  };
  auto add_encrypt_opts = [&](CLI::App* cmd) {
    cmd->add_option("--recipient-cert", o.recipient_certs, "Recipient certificate (repeatable)");
    cmd->add_option("--cipher", o.cipher, "aes-256-gcm, aes-128-gcm, aes-256-cbc or aes-128-cbc (default: chosen per recipient)");
    cmd->add_flag("--oaep", o.oaep, "RSA-OAEP key transport for RSA recipients");
  };
  auto* sign = app.add_subcommand("sign", "Sign a message with your signing identity");
  add_io(sign);
  add_sign_opts(sign);
  auto* encrypt = app.add_subcommand("encrypt", "Encrypt a message to its recipients and yourself");
  add_io(encrypt);
  add_encrypt_opts(encrypt);
  auto* protect = app.add_subcommand("protect", "Sign and/or encrypt in one step");
  add_io(protect);
  add_sign_opts(protect);
  add_encrypt_opts(protect);
  protect->add_flag("--sign", o.do_sign, "Sign");
  protect->add_flag("--encrypt", o.do_encrypt, "Encrypt (after signing)");
  auto* decrypt = app.add_subcommand("decrypt", "Remove the encryption layer with your keys");
  add_io(decrypt);

  auto add_examine = [&](CLI::App* cmd) {
    cmd->add_option("--in", o.in, "Message or CMS file ('-' = standard input)")->required();
    cmd->add_flag("--json", o.json, "Print the verdict as JSON");
    cmd->add_option("--at", o.at, "Validate certificates as of this RFC 3339 time");
    cmd->add_flag("--allow-legacy", o.allow_legacy, "Accept SHA-1, RSA < 2048 and 3DES/RC2 to read old mail");
  };
  auto* verify = app.add_subcommand("verify", "Check every signature of a message");
  add_examine(verify);
  verify->add_option("--content", o.content_path, "Detached content for a bare signature file");
  auto* read = app.add_subcommand("read", "Decrypt and verify every layer, then show the message");
  add_examine(read);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (identity_add->parsed()) return RunIdentityAdd(o);
  if (trust_add->parsed()) return RunTrustAdd(o);
  if (sign->parsed()) return RunTransform(o, "sign");
  if (encrypt->parsed()) return RunTransform(o, "encrypt");
  if (protect->parsed()) return RunTransform(o, "protect");
  if (decrypt->parsed()) return RunTransform(o, "decrypt");
  if (verify->parsed()) return RunExamine(o, false);
  if (read->parsed()) return RunExamine(o, true);
  return kExitUsage;
}

}  // namespace sealpost::cli

int main(int argc, char** argv) {
  // The one last-resort catch: nothing below throws by design, but a bug must not crash
  // silently or leave a half-written file (outputs are written atomically).
  try {
    return sealpost::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sealpost: internal error: " << e.what() << "\n";
    return 3;
  }
}

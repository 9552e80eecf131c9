// SPDX-License-Identifier: Apache-2.0
// sealpost: the command-line client. Parses arguments and dispatches; no crypto here.
#include <CLI/CLI.hpp>

#include <openssl/crypto.h>
#include <sys/prctl.h>

#include <csignal>
#include <iostream>

#include "cli/commands.h"

namespace sealpost::cli {

int Main(int argc, char** argv) {
  // The process frees OpenSSL's global tables by exiting; its atexit clean-up walks them
  // all for nothing (~0.3 ms of a 30 ms mailbox run).
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  CLI::App app{"Sealpost: sign, encrypt, decrypt and verify S/MIME e-mail", "sealpost"};
  app.require_subcommand(1);
  // The contract: errors are one line on stderr.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("sealpost: ") + e.what() + " (see 'sealpost --help')\n";
  });
  Options o;
  app.add_option("--profile", o.profile_dir, "Profile directory (default: $SEALPOST_HOME, else ~/.sealpost)");
  app.add_flag("-v,--verbose", o.verbose, "Show library diagnostics with errors");
  app.add_option("--passphrase-file", o.passphrase_file, "Read the key vault's passphrase from this file (or $SEALPOST_PASSPHRASE_FILE)");
  app.add_option("--policy", o.policy_file, "The administrator's policy file (default: $SEALPOST_POLICY, else /etc/sealpost/policy.toml)");

  auto* policy = app.add_subcommand("policy", "Show or set policies (the administrator's file wins and may lock keys)");
  policy->require_subcommand(1);
  auto* policy_show = policy->add_subcommand("show", "Every policy, its value and where it came from");
  policy_show->add_flag("--json", o.json, "Print JSON");
  auto* policy_set = policy->add_subcommand("set", "Write KEY=VALUE pairs to the profile's policy.toml");
  policy_set->add_option("assignments", o.assignments, "KEY=VALUE ...")->required();

  auto* settings = app.add_subcommand("settings", "Your S/MIME settings");
  settings->add_flag("--json", o.json, "Print JSON");
  auto* settings_set = settings->add_subcommand("set", "smime=on|off signing_cert=ID encryption_cert=ID encrypt_by_default=on|off sign_by_default=on|off");
  settings_set->add_option("assignments", o.assignments, "KEY=VALUE ...")->required();

  auto* identity = app.add_subcommand("identity", "Add your own certificate and key from PEM files");
  identity->require_subcommand(1);
  auto* identity_add = identity->add_subcommand("add", "Add a certificate and its private key (PEM or DER)");
  identity_add->add_option("--cert", o.cert_path, "Certificate (PEM or DER)")->required();
  identity_add->add_option("--key", o.key_path, "Unencrypted private key (PEM or DER)")->required();
  identity_add->add_option("--as", o.as, "Use it for signing, encryption or both (default: from its key usage)")
      ->check(CLI::IsMember({"signing", "encryption", "both", "auto"}));

  auto* cert = app.add_subcommand("cert", "Your certificates: import PKCS#12, list, show, remove, export");
  cert->require_subcommand(1);
  auto* cert_import = cert->add_subcommand("import", "Import a PKCS#12 (.p12/.pfx) file");
  cert_import->add_option("file", o.cert_path, "The .p12/.pfx file")->required();
  cert_import->add_option("--password-file", o.password_file, "Read the file's password from this file");
  cert_import->add_option("--as", o.as, "Use it for signing, encryption or both (needed for dual-purpose certificates)")
      ->check(CLI::IsMember({"signing", "encryption", "both", "auto"}));
  auto* cert_list = cert->add_subcommand("list", "List your certificates");
  cert_list->add_flag("--json", o.json, "Print JSON");
  auto* cert_show = cert->add_subcommand("show", "Show one certificate");
  cert_show->add_option("id", o.cert_id, "Certificate id (from 'cert list')")->required();
  cert_show->add_flag("--json", o.json, "Print JSON");
  auto* cert_remove = cert->add_subcommand("remove", "Remove a certificate and its key");
  cert_remove->add_option("id", o.cert_id, "Certificate id (from 'cert list')")->required();
  auto* cert_export = cert->add_subcommand("export", "Export a certificate (never its key)");
  cert_export->add_option("id", o.cert_id, "Certificate id (from 'cert list')")->required();
  cert_export->add_flag("--public", o.public_only, "Export the public certificate as PEM")->required();
  cert_export->add_option("--out", o.out, "Output file ('-' = standard output)");

  auto* cert_request = cert->add_subcommand("request", "Make a key in the vault and a PKCS#10 request for it");
  cert_request->add_option("--purpose", o.purpose, "signing or encryption")->required()->check(CLI::IsMember({"signing", "encryption"}));
  cert_request->add_option("--email", o.email, "Your e-mail address")->required();
  auto* rsa_opt = cert_request->add_option("--rsa", o.rsa_bits, "RSA key of 2048, 3072 (default) or 4096 bits");
  cert_request->add_option("--ec", o.ec_curve, "EC key on P-256 or P-384")->excludes(rsa_opt);
  cert_request->add_option("--out", o.out, "Where to write the request (PEM)")->required();
  auto* cert_import_issued = cert->add_subcommand("import-issued", "Attach an issued certificate to its waiting key");
  cert_import_issued->add_option("cert", o.cert_path, "The issued certificate (PEM, may include its chain)")->required();

  auto* keystore = app.add_subcommand("keystore", "The encrypted vault holding your private keys");
  keystore->require_subcommand(1);
  auto* change_passphrase = keystore->add_subcommand("change-passphrase", "Re-wrap the vault under a new passphrase");
  change_passphrase->add_option("--new-passphrase-file", o.new_passphrase_file, "Read the new passphrase from this file");
  auto* unlock = keystore->add_subcommand(
      "unlock", "Keep the vault unlocked for this login session (kernel keyring; no passphrase until it ends)");
  unlock->add_option("--for", o.unlock_for, "How long: 10m (the default), 1h, 600s; at most the policy's limit");
  auto* lock = keystore->add_subcommand("lock", "Forget the session's unlock key now");

  auto* contacts = app.add_subcommand("contacts", "Other people's certificates (the local directory)");
  contacts->require_subcommand(1);
  auto* contacts_add = contacts->add_subcommand("add", "Add a certificate (PEM/DER) or a .p7b bundle");
  contacts_add->add_option("cert", o.cert_path, "Certificate or PKCS#7 bundle")->required();
  auto* contacts_list = contacts->add_subcommand("list", "List contacts");
  contacts_list->add_flag("--json", o.json, "Print JSON");
  auto* contacts_remove = contacts->add_subcommand("remove", "Remove a contact");
  contacts_remove->add_option("fingerprint", o.cert_id, "SHA-256 fingerprint prefix (from 'contacts list')")->required();

  auto* lookup = app.add_subcommand("lookup", "Which certificate encryption would use for each address, and why");
  lookup->add_option("address", o.addresses, "E-mail addresses")->required();
  lookup->add_flag("--json", o.json, "Print JSON");
  lookup->add_flag("--refresh", o.refresh, "Bypass the directory cache");

  auto* secret = app.add_subcommand("secret", "Passwords Sealpost needs, kept in the vault");
  secret->require_subcommand(1);
  auto* secret_set = secret->add_subcommand("set", "Store a secret (ldap_bind_password)");
  secret_set->add_option("name", o.secret_name, "ldap_bind_password")->required();
  secret_set->add_option("--from-file", o.password_file, "Read the value from this file (else a prompt)");

  auto* trust = app.add_subcommand("trust", "Manage trust anchors");
  trust->require_subcommand(1);
  auto* trust_add = trust->add_subcommand("add", "Trust a CA certificate (or add an untrusted intermediate)");
  trust_add->add_option("cert", o.trust_path, "CA certificate (PEM or DER)")->required();
  trust_add->add_flag("--intermediate", o.intermediate, "Only a helper for building chains, not trusted");
  auto* trust_list = trust->add_subcommand("list", "List trust anchors and intermediates");
  trust_list->add_flag("--json", o.json, "Print JSON");
  auto* trust_remove = trust->add_subcommand("remove", "Stop trusting a certificate");
  trust_remove->add_option("fingerprint", o.trust_id, "SHA-256 fingerprint prefix (from 'trust list')")->required();

  auto add_io = [&](CLI::App* cmd) {
    cmd->add_option("--in", o.in, "Input message ('-' = standard input)")->required();
    cmd->add_option("--out", o.out, "Output message ('-' = standard output)");
    cmd->add_flag("--stream", o.stream, "Stream the message from file to file in bounded memory (automatic above 16 MiB)");
  };
  auto add_sign_opts = [&](CLI::App* cmd) {
    cmd->add_flag("--opaque", o.opaque, "Opaque signed-data instead of multipart/signed");
    cmd->add_option("--digest", o.digest, "sha256, sha384 or sha512 (default: matched to the key)");
    cmd->add_flag("--pss", o.pss, "RSA-PSS signature (RSA keys)");
  };
  auto add_encrypt_opts = [&](CLI::App* cmd) {
    cmd->add_option("--recipient-cert", o.recipient_certs,
                    "Recipient certificate (repeatable; default: the To/Cc/Bcc addresses, from the directory)");
    cmd->add_option("--cipher", o.cipher, "aes-256-gcm, aes-128-gcm, aes-256-cbc or aes-128-cbc (default: chosen per recipient)");
    cmd->add_flag("--oaep", o.oaep, "RSA-OAEP key transport for RSA recipients");
    cmd->add_flag("--allow-unencrypted", o.allow_unencrypted,
                  "If a recipient has no usable certificate, send this message unencrypted to everyone "
                  "(only where the policy's missing_certificate_action is ask)");
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
    auto* in = cmd->add_option("--in", o.in, "Message or CMS file ('-' = standard input)");
    cmd->add_flag("--json", o.json, "Print the verdict as JSON");
    cmd->add_option("--at", o.at, "Validate certificates as of this RFC 3339 time");
    cmd->add_flag("--allow-legacy", o.allow_legacy, "Accept SHA-1, RSA < 2048 and 3DES/RC2 to read old mail");
    cmd->add_flag("--stream", o.stream, "Walk the message from its file in bounded memory (automatic above 16 MiB)");
    return in;
  };
  auto* verify = app.add_subcommand("verify", "Check every signature of a message (or of a whole mailbox)");
  auto* verify_in = add_examine(verify);
  auto* verify_content = verify->add_option("--content", o.content_path, "Detached content for a bare signature file");
  auto* verify_maildir = verify->add_option("--maildir", o.maildir,
                                            "Verify every message of a Maildir (cur/ and new/) or of a folder of message files")
                             ->excludes(verify_in)
                             ->excludes(verify_content);
  verify->add_option("--jobs", o.jobs, "With --maildir: threads (default: the number of cores plus one)")
      ->needs(verify_maildir)
      ->check(CLI::Range(1u, 1024u));
  auto* read = app.add_subcommand("read", "Decrypt and verify every layer, then show the message");
  add_examine(read)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitGood : kExitUsage;
  }
  if (policy_show->parsed()) return RunPolicyShow(o);
  if (policy_set->parsed()) return RunPolicySet(o);
  if (settings_set->parsed()) return RunSettingsSet(o);
  if (settings->parsed()) return RunSettingsShow(o);
  if (cert_request->parsed()) return RunCertRequest(o);
  if (cert_import_issued->parsed()) return RunCertImportIssued(o);
  if (change_passphrase->parsed()) return RunChangePassphrase(o);
  if (unlock->parsed()) return RunKeystoreUnlock(o);
  if (lock->parsed()) return RunKeystoreLock(o);
  if (contacts_add->parsed()) return RunContactsAdd(o);
  if (contacts_list->parsed()) return RunContactsList(o);
  if (contacts_remove->parsed()) return RunContactsRemove(o);
  if (lookup->parsed()) return RunLookup(o);
  if (secret_set->parsed()) return RunSecretSet(o);
  if (identity_add->parsed()) return RunIdentityAdd(o);
  if (cert_import->parsed()) return RunCertImport(o);
  if (cert_list->parsed()) return RunCertList(o);
  if (cert_show->parsed()) return RunCertShow(o);
  if (cert_remove->parsed()) return RunCertRemove(o);
  if (cert_export->parsed()) return RunCertExport(o);
  if (trust_add->parsed()) return RunTrustAdd(o);
  if (trust_list->parsed()) return RunTrustList(o);
  if (trust_remove->parsed()) return RunTrustRemove(o);
  if (sign->parsed()) return RunTransform(o, "sign");
  if (encrypt->parsed()) return RunTransform(o, "encrypt");
  if (protect->parsed()) return RunTransform(o, "protect");
  if (decrypt->parsed()) return RunTransform(o, "decrypt");
  if (verify->parsed() && verify_maildir->count()) return RunVerifyMailbox(o);
  if (verify->parsed() && !verify_in->count()) {
    std::cerr << "sealpost: verify needs --in FILE or --maildir DIR (see 'sealpost verify --help')\n";
    return kExitUsage;
  }
  if (verify->parsed()) return RunExamine(o, false);
  if (read->parsed()) return RunExamine(o, true);
  return kExitUsage;
}

}  // namespace sealpost::cli

int main(int argc, char** argv) {
  // Catalogue V7: no core dump, and no ptrace attach by the same user, can copy the vault's
  // keys or passphrase out of this process. (They are also wiped after use: SecretBytes.)
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) std::cerr << "sealpost: warning: cannot disable core dumps\n";
  // A peer closing a socket (LDAP, HTTP) must be an error, not the end of the process.
  std::signal(SIGPIPE, SIG_IGN);
  // The one last-resort catch: nothing below throws by design, but a bug must not crash
  // silently (outputs are written atomically, so nothing is left half-written).
  try {
    return sealpost::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sealpost: internal error: " << e.what() << "\n";
    return 3;
  }
}

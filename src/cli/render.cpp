// SPDX-License-Identifier: Apache-2.0
// Plain-text verdict rendering. Wording avoids any green word unless exit code is 0.
#include "cli/render.h"

#include <vector>

#include "mime/entity.h"
#include "pki/certificate.h"

namespace sealpost::cli {
namespace {

using smime::LayerVerdict;
using smime::Report;
using smime::SignatureVerdict;

// Header values go to a terminal: control characters from hostile mail (NUL, ESC, DEL, and
// the C1 controls U+0080-U+009F in UTF-8, among them the one-character CSI U+009B) are shown
// as '?' so they can neither cut the line short nor drive the terminal (catalogue R11).
std::string Printable(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const auto b = static_cast<unsigned char>(value[i]);
    if ((b < 0x20 && b != '\t') || b == 0x7f) {
      out += '?';
    } else if (b == 0xc2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(value[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(b);
    }
  }
  return out;
}

std::string Who(const SignatureVerdict& s) {
  if (!s.signer_email.empty()) return s.signer_email;
  if (s.signer) return s.signer->Subject();
  return "an unknown signer";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::vector<std::string> Reasons(const Report& r, bool require_signature) {
  std::vector<std::string> out;
  for (const auto& l : r.layers) {
    if (l.status != "ok") out.push_back(l.error.empty() ? "a " + l.form + " layer failed: " + l.status : l.error);
  }
  for (const auto& s : r.signatures) {
    if (s.status != cms::SignatureStatus::kValid) {
      out.push_back("the signature by " + Who(s) + " is " + std::string(cms::SignatureStatusName(s.status)) +
                    (s.detail.empty() ? "" : " (" + s.detail + ")"));
      continue;
    }
    if (!s.trusted) out.push_back("the signer " + Who(s) + " is not trusted (" + Join(s.chain_problems) + ")");
    if (!s.covers_whole_message) out.push_back("the signature by " + Who(s) + " covers only part of the message");
    if (!s.email_matches_from)
      out.push_back("the signer " + Who(s) + " is not the sender in From (" + (r.from.empty() ? "none" : r.from) + ")");
    if (s.revocation == "revoked") out.push_back("the signer's certificate is revoked");
    if (s.revocation == "unknown" && s.revocation_hard_fail)
      out.push_back("the signer's revocation status could not be checked (" + s.revocation_detail + "), and policy requires it");
  }
  for (const auto& m : r.malformed) out.push_back("malformed: " + m);
  if (require_signature && !r.is_signed && r.signatures.empty()) out.push_back("the message is not signed");
  return out;
}

}  // namespace

std::string RenderVerdict(const Report& r, int exit_code, bool require_signature) {
  std::string out;
  const LayerVerdict* enc = r.Encryption();
  if (exit_code == 0) {
    if (r.is_signed) {
      std::string who;
      for (const auto& s : r.signatures) who += (who.empty() ? "" : ", ") + Who(s);
      out += "VERDICT: GOOD - signed by " + who + (r.is_encrypted ? " and encrypted" : "") +
             "; every check passed.\n";
    } else if (r.is_encrypted) {
      out += "VERDICT: ENCRYPTED, NOT SIGNED - the sender is not proven.\n";
    } else {
      out += "VERDICT: NOT PROTECTED - this message is neither signed nor encrypted.\n";
    }
  } else {
    out += exit_code == 3 ? "VERDICT: MALFORMED - this message is damaged or deliberately malformed; do not trust it\n"
                          : "VERDICT: DO NOT TRUST THIS MESSAGE\n";
    for (const auto& reason : Reasons(r, require_signature)) out += "  - " + reason + "\n";
  }
  int n = 0;
  for (const auto& s : r.signatures) {
    out += "Signature " + std::to_string(++n) + ": " + std::string(cms::SignatureStatusName(s.status)) + ", " +
           (s.trusted ? "certificate trusted" : "certificate NOT trusted") + ", signer " + Who(s) +
           (s.email_matches_from ? " (matches From)" : " (does NOT match From)") +
           (s.covers_whole_message ? "" : ", covers only part " + r.layers[static_cast<size_t>(s.layer)].part) +
           ", " + s.digest + (s.weak ? " (weak)" : "") +
           (s.signing_time ? ", signing time claimed " + pki::FormatRfc3339(*s.signing_time) : "") +
           (s.valid_at_signing_time && !*s.valid_at_signing_time ? " (the certificate was NOT valid then)" : "") + "\n";
    if (s.revocation == "unknown")
      out += "  Revocation: UNKNOWN - not confirmed as not revoked (" + s.revocation_detail + ")\n";
    else if (s.revocation == "good")
      out += "  Revocation: checked, not revoked\n";
  }
  if (enc) {
    out += "Encryption: " + enc->algorithm + (enc->authenticated ? " (authenticated)" : " (not integrity-protected)") +
           (enc->status == "ok" ? "" : " - " + enc->error) + "\n";
  }
  for (const auto& w : r.warnings) out += "Warning: " + w + "\n";
  return out;
}

std::string FirstReason(const Report& r, bool require_signature) {
  auto reasons = Reasons(r, require_signature);
  return reasons.empty() ? "the message did not pass every check" : reasons.front();
}

std::string RenderContent(const Report& r, std::string_view message) {
  std::string out;
  auto top = mime::ParseEntity(message);
  if (top) {
    for (const char* name : {"From", "To", "Cc", "Subject", "Date"}) {
      if (const mime::HeaderField* h = top->Find(name)) out += std::string(name) + ": " + Printable(h->value) + "\n";
    }
  }
  out += "\n";
  out += !r.content.text_plain.empty() ? r.content.text_plain : r.content.text_html;
  if (!out.empty() && out.back() != '\n') out += "\n";
  if (!r.content.attachments.empty()) {
    out += "\nAttachments:\n";
    for (const auto& a : r.content.attachments)
      out += "  " + (a.filename.empty() ? std::string("(unnamed)") : a.filename) + " (" + a.content_type + ", " +
             std::to_string(a.size) + " bytes)\n";
  }
  return out;
}

}  // namespace sealpost::cli

// SPDX-License-Identifier: Apache-2.0
// Report → JSON with nlohmann::json.
#include "smime/report_json.h"

#include <nlohmann/json.hpp>

namespace sealpost::smime {

nlohmann::json ReportToJsonValue(const Report& report, const JsonOptions& options) {
  using nlohmann::json;
  json out;
  out["signed"] = report.is_signed;
  out["encrypted"] = report.is_encrypted;
  if (const LayerVerdict* enc = report.Encryption()) {
    out["encryption"] = {{"algorithm", enc->algorithm.empty() ? "unknown" : enc->algorithm},
                         {"authenticated", enc->authenticated},
                         {"weak", enc->weak}};
  } else {
    out["encryption"] = nullptr;
  }
  out["layers"] = json::array();
  for (const auto& layer : report.layers) {
    json l = {{"kind", layer.kind == LayerVerdict::Kind::kSigned ? "signed" : "encrypted"},
              {"covers_whole_message", layer.covers_whole_message},
              {"form", layer.form},
              {"part", layer.part},
              {"status", layer.status}};
    if (!layer.error.empty()) l["error"] = layer.error;
    out["layers"].push_back(l);
  }
  out["signatures"] = json::array();
  for (const auto& sig : report.signatures) {
    json s = {{"status", std::string(cms::SignatureStatusName(sig.status))},
              {"signer_email", sig.signer_email},
              {"signer_emails", sig.signer_emails},
              {"trusted", sig.trusted},
              {"chain_problems", sig.chain_problems},
              {"revocation", sig.revocation},
              {"email_matches_from", sig.email_matches_from},
              {"covers_whole_message", sig.covers_whole_message},
              {"weak", sig.weak},
              {"digest", sig.digest},
              {"signature_algorithm", sig.signature_algorithm},
              {"layer", sig.layer}};
    s["signing_time"] = sig.signing_time ? json(pki::FormatRfc3339(*sig.signing_time)) : json(nullptr);
    s["valid_at_signing_time"] = sig.valid_at_signing_time ? json(*sig.valid_at_signing_time) : json(nullptr);
    if (sig.signer) {
      s["signer_subject"] = sig.signer->Subject();
      s["signer_fingerprint"] = sig.signer->Sha256Fingerprint();
    }
    if (!sig.detail.empty()) s["detail"] = sig.detail;
    if (!sig.revocation_detail.empty()) s["revocation_detail"] = sig.revocation_detail;
    out["signatures"].push_back(s);
  }
  out["from"] = report.from.empty() ? json(nullptr) : json(report.from);
  out["warnings"] = report.warnings;
  out["malformed"] = report.malformed;
  out["exit_code"] = options.exit_code;
  if (options.include_content) {
    out["body"] = !report.content.text_plain.empty() ? report.content.text_plain : report.content.text_html;
    out["attachments"] = json::array();
    for (const auto& a : report.content.attachments)
      out["attachments"].push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.size}});
  }
  return out;
}

std::string DumpJson(const nlohmann::json& value) {
  // Invalid UTF-8 in a hostile body must not abort the dump: replace it.
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ReportToJson(const Report& report, const JsonOptions& options) {
  return DumpJson(ReportToJsonValue(report, options));
}

}  // namespace sealpost::smime

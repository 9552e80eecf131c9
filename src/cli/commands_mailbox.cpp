// SPDX-License-Identifier: Apache-2.0
// verify --maildir: every message of a mailbox, one line (or one JSON object) each, then a
// summary; the exit code is the worst message's (smime::WorseExitCode).
#include <unistd.h>

#include <chrono>
#include <future>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/render.h"
#include "smime/mailbox_verifier.h"
#include "smime/report_json.h"

namespace sealpost::cli {
namespace {

// "verified 120 of 1000" on a terminal, redrawn at most ten times a second; nothing when
// stderr is a file or a pipe.
class ProgressLine {
 public:
  ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}
  void Update(size_t done, size_t total) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::fprintf(stderr, "\rsealpost: verified %zu of %zu", done, total);
    std::fflush(stderr);
    shown_ = true;
  }
  ~ProgressLine() {
    if (shown_) std::fputs("\r\033[K", stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int RunVerifyMailbox(const Options& o) {
  // The folder is listed while the context loads (policy, trust store): two independent
  // millisecond-scale start-up steps of a run that takes tens of milliseconds.
  auto listing = std::async(std::launch::async, [&] { return smime::ListMailbox(o.maildir); });
  auto ctx = MakeContext(o);
  auto files = listing.get();
  if (!files) return Fail(files.error(), o.verbose);
  if (!ctx) return Fail(ctx.error(), o.verbose);

  smime::MailboxRun run;
  {
    ProgressLine progress;
    smime::MailboxOptions options;
    options.jobs = o.jobs;
    options.progress = [&](size_t done, size_t total) { progress.Update(done, total); };
    options.error_exit_code = ExitCodeForError;
    run = smime::VerifyMailbox(*ctx, o.maildir, *files, options);
  }

  int worst = 0;
  std::map<std::string, size_t> counts;
  for (const auto& r : run.results) {
    worst = smime::WorseExitCode(worst, r.exit_code);
    ++counts[smime::MailboxStatus(r)];
  }
  if (o.json) {
    nlohmann::json out;
    out["messages"] = nlohmann::json::array();
    for (const auto& r : run.results) {
      nlohmann::json m;
      if (r.report) {
        smime::JsonOptions jo;
        jo.exit_code = r.exit_code;
        m = smime::ReportToJsonValue(*r.report, jo);
      } else {
        m["error"] = r.error->message();
        m["exit_code"] = r.exit_code;
      }
      m["file"] = r.file;
      out["messages"].push_back(std::move(m));
    }
    nlohmann::json summary = {{"total", run.results.size()}, {"exit_code", worst}};
    for (const char* status : {"good", "unsigned", "invalid", "untrusted", "not-good", "malformed", "unreadable", "network"})
      summary[status] = counts[status];
    out["summary"] = summary;
    std::cout << smime::DumpJson(out);
  } else {
    for (const auto& r : run.results) {
      std::string status = smime::MailboxStatus(r);
      std::string why = r.error ? r.error->message() : r.exit_code == 0 ? "" : FirstReason(*r.report, true);
      std::cout << status << std::string(status.size() < 11 ? 11 - status.size() : 1, ' ') << r.file
                << (why.empty() ? "" : ": " + why) << "\n";
    }
    std::cout << run.results.size() << " messages:";
    for (const auto& [status, n] : counts) std::cout << " " << n << " " << status;
    std::cout << "\n";
  }
  if (o.verbose)
    std::cerr << "sealpost: signer trust cache: " << run.trust_cache_hits << " hits, " << run.trust_cache_misses << " misses\n";
  return worst;
}

}  // namespace sealpost::cli

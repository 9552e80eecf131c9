// SPDX-License-Identifier: Apache-2.0
// MailboxVerifier: verifies every message of a mailbox (Maildir cur/ and new/, or a plain
// directory of message files) in one process, on several threads, sharing the context's
// trust store and, per thread, a SignerTrustCache. Results come in file-name order whatever the threads.
#pragma once

#include <cstddef>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "smime/context.h"
#include "smime/report.h"

namespace sealpost::smime {

// The files of the mailbox at `dir`, relative to it and sorted: cur/* and new/* when `dir`
// is a Maildir (has cur/ or new/), else the regular files directly in `dir`. Hidden files
// (Maildir's tmp/ is never read) are skipped. Errors: kNotFound, kIo.
Result<std::vector<std::string>> ListMailbox(const std::string& dir);

// One message's outcome: a report (with the displayed content dropped), or the error that
// kept it from being examined (unreadable file, not a message).
struct MailboxResult {
  std::string file;  // relative to the mailbox
  std::optional<Report> report;
  std::optional<Error> error;
  int exit_code = 0;  // smime::ExitCodeFor(report, true), or the error's code
};

struct MailboxOptions {
  unsigned jobs = 0;  // threads; 0 = the number of cores plus one
  // Called after each message from the worker that finished it (serialised, never
  // concurrently): how many are done of how many.
  std::function<void(size_t done, size_t total)> progress;
  // The exit code for a message that could not be examined (the CLI's error mapping).
  std::function<int(const Error&)> error_exit_code;
};

struct MailboxRun {
  std::vector<MailboxResult> results;  // in the order of `files`
  size_t trust_cache_hits = 0;
  size_t trust_cache_misses = 0;
};

// Verifies `files` (relative to `dir`) as `verify` would, each as of the same moment.
MailboxRun VerifyMailbox(const SecureMimeContext& ctx, const std::string& dir, const std::vector<std::string>& files,
                         const MailboxOptions& options);

// One word for a message's outcome, for the run's summary: "good", "unsigned", "invalid"
// (a signature or signed layer does not check out), "untrusted" (valid, but the signer's
// path is not trusted or is revoked), "not-good" (anything else exit 1: sender mismatch,
// partial coverage, ...), "malformed", "unreadable" (the file could not be read),
// "network" (exit 4).
std::string MailboxStatus(const MailboxResult& result);

// "Worst" of two exit codes, for the exit code of a whole mailbox, in this order:
// 0 good < 4 a server did not answer < 3 a message could not be examined < 1 a security
// verdict is not good (the one a user scanning mail must never miss). Anything else (2, a
// usage error) ranks above all.
int WorseExitCode(int a, int b);

}  // namespace sealpost::smime

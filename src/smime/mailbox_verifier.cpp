// SPDX-License-Identifier: Apache-2.0
// A fixed pool of threads takes messages by index from an atomic counter; each result is
// written to its own slot, so the output order is the sorted file order.
#include "smime/mailbox_verifier.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "core/file_io.h"
#include "smime/signer_trust_cache.h"

namespace sealpost::smime {
namespace fs = std::filesystem;
namespace {

// Lists with readdir: std::filesystem built several paths per entry, 14 allocations per
// message of a bulk run. Hidden entries are skipped; unreadable or odd entries are listed
// too, so the run reports them instead of skipping them silently; only folders are not
// messages (a link to a folder included).
Status AddFiles(const std::string& dir, const std::string& prefix, std::vector<std::string>& out) {
  auto cannot_read = [&](int err) {
    return Error(ErrorCode::kIo, "cannot read the mailbox folder " + dir + ": " + std::strerror(err));
  };
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), ::closedir);
  if (!listing) return cannot_read(errno);
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(listing.get());
    if (!entry) {
      if (errno != 0) return cannot_read(errno);
      return Ok();
    }
    if (entry->d_name[0] == '.') continue;
    if (entry->d_type == DT_DIR) continue;
    if (entry->d_type != DT_REG) {
      struct stat st {};
      if (::fstatat(::dirfd(listing.get()), entry->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) continue;
    }
    out.push_back(prefix + entry->d_name);
  }
}

int RankOf(int code) {
  switch (code) {
    case 0: return 0;
    case 4: return 1;
    case 3: return 2;
    case 1: return 3;
    default: return 4;
  }
}

}  // namespace

Result<std::vector<std::string>> ListMailbox(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error(ErrorCode::kNotFound, "no mailbox folder at " + dir);
  std::vector<std::string> files;
  bool maildir = fs::is_directory(fs::path(dir) / "cur", ec) || fs::is_directory(fs::path(dir) / "new", ec);
  if (maildir) {
    for (const char* sub : {"cur", "new"}) {
      if (fs::is_directory(fs::path(dir) / sub, ec))
        RETURN_IF_ERROR(AddFiles((fs::path(dir) / sub).string(), std::string(sub) + "/", files));
    }
  } else {
    RETURN_IF_ERROR(AddFiles(dir, "", files));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string MailboxStatus(const MailboxResult& r) {
  if (r.error) {
    bool unreadable = r.error->code() == ErrorCode::kIo || r.error->code() == ErrorCode::kNotFound;
    return unreadable ? "unreadable" : r.exit_code == 1 ? "not-good" : "malformed";
  }
  if (r.exit_code == 0) return "good";
  if (r.exit_code == 3) return "malformed";
  if (r.exit_code == 4) return "network";
  const Report& report = *r.report;
  for (const auto& layer : report.layers) {
    if (layer.kind == LayerVerdict::Kind::kSigned && layer.status != "ok") return "invalid";
  }
  for (const auto& sig : report.signatures) {
    if (sig.status != cms::SignatureStatus::kValid) return "invalid";
  }
  for (const auto& sig : report.signatures) {
    if (!sig.trusted) return "untrusted";
  }
  if (!report.is_signed && report.signatures.empty()) return "unsigned";
  return "not-good";
}

int WorseExitCode(int a, int b) { return RankOf(b) > RankOf(a) ? b : a; }

MailboxRun VerifyMailbox(const SecureMimeContext& ctx, const std::string& dir, const std::vector<std::string>& files,
                         const MailboxOptions& options) {
  MailboxRun run;
  run.results.resize(files.size());
  ReadOptions read_options;
  read_options.at = ctx.Now();  // one moment for all, so trust decisions can be reused
  read_options.want_content = false;  // the verdict is kept, the displayed content is not
  read_options.want_sender_preferences = false;  // a mailbox run harvests no contacts
  // Keys are loaded once for the run (the vault and its passphrase prompt are not meant for
  // several threads), and only when a message needs them.
  std::mutex keys_mutex;
  std::optional<Result<std::vector<cms::Identity>>> keys;
  read_options.load_keys = [&]() -> Result<std::vector<cms::Identity>> {
    std::lock_guard lock(keys_mutex);
    if (!keys) keys = ctx.DecryptionKeys();
    return *keys;
  };

  // Messages are opened relative to the folder, so the kernel does not walk its whole path
  // for each; if the folder cannot be opened, each message reports why.
  Result<Directory> folder = Directory::Open(dir);
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  size_t done = 0;
  std::mutex trust_compute_mutex;
  std::atomic<size_t> trust_hits{0}, trust_misses{0};
  auto work = [&] {
    // Each thread has its own caches: shared OpenSSL objects would make every message bump
    // the same reference counts and take the same locks (~4 % of a run's CPU on two cores).
    pki::CertificateCache thread_certificates;
    SignerTrustCache thread_trust(&trust_compute_mutex);
    ReadOptions thread_options = read_options;
    thread_options.certificate_cache = &thread_certificates;
    thread_options.trust_cache = &thread_trust;
    cms::SignerKeyCache thread_keys;
    thread_options.signer_key_cache = &thread_keys;
    for (size_t i = next++; i < files.size(); i = next++) {
      MailboxResult& r = run.results[i];
      r.file = files[i];
      auto message = folder ? ReadFileAt(*folder, files[i]) : ReadFile((fs::path(dir) / files[i]).string());
      Result<Report> report = message ? ctx.Read(*message, thread_options) : Result<Report>(message.error());
      if (report) {
        r.exit_code = ExitCodeFor(*report, true);
        r.report = std::move(report).value();
      } else {
        r.error = report.error();
        r.exit_code = options.error_exit_code ? options.error_exit_code(*r.error) : 3;
      }
      if (options.progress) {
        std::lock_guard lock(progress_mutex);
        options.progress(++done, files.size());
      }
    }
    trust_hits += thread_trust.hits();
    trust_misses += thread_trust.misses();
  };
  // One worker more than cores by default: a worker now and then waits in the kernel for a
  // page-cache page while reading a message (seen in scheduler traces), and the spare one
  // keeps every core busy meanwhile (1,000 messages on two cores, medians of four rounds:
  // 27.5 -> 26.6 ms, with a third of the run-to-run spread; a fourth gained nothing more).
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency()) + 1;
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(files.size(), 1)));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();  // the calling thread is one of the workers
  for (auto& t : threads) t.join();
  run.trust_cache_hits = trust_hits;
  run.trust_cache_misses = trust_misses;
  return run;
}

}  // namespace sealpost::smime

// SPDX-License-Identifier: Apache-2.0
// Allocation-failure injection (catalogue R10): OpenSSL's allocator is hooked
// (CRYPTO_set_mem_functions) to fail its n-th allocation, and the seed corpora of the
// verify, decrypt, PKCS#12 and certificate targets go through the same entry points for
// each n. Under ASan/LSan (make test-asan) that checks no crash and no leak; here it checks
// that every run ends in a value or a typed error, and that a failure never makes the
// answer better: no good verdict, plaintext, import or address that the run without
// failures did not give. GLib aborts on allocation failure by design, so GMime is left
// alone; only OpenSSL's allocations fail.
//   alloc_failure [--all] KIND=DIR...      KIND: verify, decrypt, pkcs12, certificate
// Without --all (or SEALPOST_ALLOC_FAILURE_ALL=1) a sample of indices runs per input: the
// first few allocations and an even spread over the rest.
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "pki/pkcs12.h"

namespace {

namespace fs = std::filesystem;
using sealpost::fuzz::Check;

// --- the failing allocator ---
bool g_armed = false;
long g_count = 0;    // OpenSSL allocations since arming
long g_fail_at = 0;  // fail this one (1-based); 0: count only
long g_failed = 0;   // how many allocations were failed (the n-th only)
long g_cbc_garbage = 0;  // CBC decryptions that "succeeded" with a random key
long g_poisoned = 0;     // inputs whose clean run differed from the first run of the process

bool ShouldFail() {
  if (!g_armed) return false;
  ++g_count;
  if (g_count != g_fail_at) return false;
  ++g_failed;
  return true;
}
void* Malloc(size_t n, const char*, int) { return ShouldFail() ? nullptr : std::malloc(n); }
void* Realloc(void* p, size_t n, const char*, int) { return ShouldFail() ? nullptr : std::realloc(p, n); }
void Free(void* p, const char*, int) { std::free(p); }

// The engine call is over: the checks that follow allocate too and must not fail.
void Disarm() { g_armed = false; }

// --- what one run gives: compared with the run without failures ---
struct Outcome {
  bool ok = false;
  sealpost::ErrorCode code = sealpost::ErrorCode::kInternal;
  int exit_code = -1;   // verdicts
  std::string output;   // plaintext, certificate fingerprint, ...
  std::set<std::string> addresses;
  bool authenticated = false;  // decrypt: the root encryption layer is AEAD (AES-GCM)
};

template <typename T>
Outcome FromResult(const sealpost::Result<T>& r) {
  Outcome o;
  o.ok = r.has_value();
  if (!o.ok) {
    o.code = r.error().code();
    Check(!r.error().message().empty(), "an error without a message");
  }
  return o;
}

Outcome RunVerify(std::string_view bytes) {
  static const auto* ctx = new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(false));
  auto report = ctx->Read(bytes);
  Disarm();
  Outcome o = FromResult(report);
  if (report) {
    sealpost::fuzz::CheckReport(*report);
    o.exit_code = sealpost::smime::ExitCodeFor(*report, true);
    o.output = report->content.text_plain;
  }
  return o;
}

Outcome RunDecrypt(std::string_view bytes) {
  static const auto* ctx = new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(true));
  auto plaintext = ctx->Decrypt(bytes);
  bool armed = g_armed;
  Disarm();
  Outcome o = FromResult(plaintext);
  if (plaintext) o.output = *plaintext;
  g_armed = armed;  // the same failure index, now counted through Read
  auto report = ctx->Read(bytes);
  Disarm();
  if (report) {
    sealpost::fuzz::CheckReport(*report);
    o.exit_code = sealpost::smime::ExitCodeFor(*report, false);
    o.authenticated = report->Encryption() && report->Encryption()->authenticated;
  }
  return o;
}

Outcome RunPkcs12(std::string_view bytes) {
  auto contents = sealpost::pki::ParsePkcs12(bytes, sealpost::SecretBytes(sealpost::fuzz::kPkcs12Password));
  Disarm();
  Outcome o = FromResult(contents);
  if (contents) o.output = contents->certificate.ToDer();
  return o;
}

Outcome RunCertificate(std::string_view bytes) {
  // Everything the engine derives is taken while armed; only then are results compared.
  auto certs = sealpost::pki::Certificate::ParseAll(bytes);
  std::string der;
  std::set<std::string> addresses;
  bool any_trusted = false;
  if (certs) {
    for (const auto& c : *certs) {
      der += c.ToDer();
      for (auto& e : c.Emails()) addresses.insert(e);
      any_trusted |= sealpost::fuzz::Pki()
                         .trust.Validate(c, {}, sealpost::fuzz::kFuzzTime, sealpost::pki::CertUse::kSigning, 2048)
                         .trusted;
      (void)c.Purpose();
      (void)c.TemplateName();
    }
  }
  Disarm();
  Outcome o = FromResult(certs);
  o.output = std::move(der);
  o.addresses = std::move(addresses);
  o.exit_code = any_trusted ? 0 : 1;
  return o;
}

// A run with a failed allocation may end worse than the clean run, never better.
void CheckNotBetter(const std::string& kind, const Outcome& clean, const Outcome& failed) {
  if (!failed.ok) return;
  if (kind == "verify") {
    Check(failed.exit_code != 0 || clean.exit_code == 0, "an allocation failure turned a bad verdict good");
    if (failed.exit_code == 0) Check(failed.output == clean.output, "an allocation failure changed good content");
  } else if (kind == "decrypt") {
    if (!clean.ok) {
      // See below: random-key CBC garbage can also "open" what the clean run could not.
      Check(!clean.authenticated && !failed.authenticated, "an allocation failure let an undecryptable message decrypt");
      ++g_cbc_garbage;
      return;
    }
    // A key-transport failure makes OpenSSL decrypt with a random key rather than say so
    // (the MMA/Bleichenbacher countermeasure, catalogue E7); CBC then yields garbage that
    // passes the padding check about once in 256. That is CBC's lack of integrity (E2),
    // which the verdict states; AES-GCM must never release anything but the plaintext.
    if (failed.output != clean.output) {
      Check(!clean.authenticated, "an allocation failure changed AES-GCM plaintext");
      ++g_cbc_garbage;
    }
  } else if (kind == "pkcs12") {
    Check(clean.ok && failed.output == clean.output, "an allocation failure changed a PKCS#12 import");
  } else if (kind == "certificate") {
    Check(clean.ok, "an allocation failure made garbage parse as a certificate");
    Check(std::includes(clean.addresses.begin(), clean.addresses.end(), failed.addresses.begin(), failed.addresses.end()),
          "an allocation failure added an address to a certificate");
    Check(failed.exit_code != 0 || clean.exit_code == 0, "an allocation failure made a certificate trusted");
  }
}

std::vector<long> Indices(long total, bool all) {
  std::vector<long> out;
  if (all) {
    for (long n = 1; n <= total; ++n) out.push_back(n);
    return out;
  }
  constexpr long kFirst = 4, kSpread = 12;
  for (long n = 1; n <= std::min(total, kFirst); ++n) out.push_back(n);
  for (long i = 1; i <= kSpread; ++i) out.push_back(std::max(1L, total * i / (kSpread + 1)));
  out.push_back(total);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  // Must come before OpenSSL's first allocation, or OpenSSL refuses the hooks.
  if (!CRYPTO_set_mem_functions(Malloc, Realloc, Free)) {
    std::fprintf(stderr, "FAIL: OpenSSL allocated before the hooks could be installed\n");
    return 1;
  }
  bool all = false;
  if (const char* env = std::getenv("SEALPOST_ALLOC_FAILURE_ALL"); env && std::string(env) == "1") all = true;
  std::map<std::string, std::function<Outcome(std::string_view)>> runners = {
      {"verify", RunVerify}, {"decrypt", RunDecrypt}, {"pkcs12", RunPkcs12}, {"certificate", RunCertificate}};
  std::vector<std::pair<std::string, fs::path>> jobs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--all") {
      all = true;
      continue;
    }
    size_t eq = arg.find('=');
    if (eq == std::string::npos || !runners.count(arg.substr(0, eq)) || !fs::is_directory(arg.substr(eq + 1))) {
      std::fprintf(stderr, "usage: alloc_failure [--all] KIND=DIR... (KIND: verify, decrypt, pkcs12, certificate); bad: %s\n",
                   arg.c_str());
      return 2;
    }
    jobs.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
  }
  (void)sealpost::fuzz::Pki();  // parse the test PKI before any failure is injected

  // Each input's outcome before any failure was injected in this process: the baseline.
  // (A run after earlier failures that differs from it means a failure left lasting state.)
  std::map<std::string, std::vector<fs::path>> files_of;
  std::map<fs::path, Outcome> reference;
  for (const auto& [kind, dir] : jobs) {
    auto& files = files_of[kind + "=" + dir.string()];
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string bytes = ReadAll(file);
      runners[kind](bytes);  // warm OpenSSL's caches (fetched algorithms, providers)
      reference[file] = runners[kind](bytes);
    }
  }

  long total_runs = 0;
  for (const auto& [kind, dir] : jobs) {
    const auto& files = files_of[kind + "=" + dir.string()];
    std::map<std::string, long> codes;
    long runs = 0, failed_ok = 0;
    for (const auto& file : files) {
      std::string bytes = ReadAll(file);
      std::fprintf(stderr, "%s %s ...\n", kind.c_str(), file.filename().c_str());
      const auto& run = runners[kind];
      g_armed = true;
      g_count = 0;
      g_fail_at = 0;
      Outcome counted = run(bytes);
      long allocations = g_count;
      g_armed = false;
      const Outcome& clean = reference[file];
      if (counted.ok != clean.ok || counted.output != clean.output) {
        ++g_poisoned;
        std::fprintf(stderr, "  after earlier failures this input gives %s where it first gave %s\n",
                     counted.ok ? "ok" : std::string(sealpost::ErrorCodeName(counted.code)).c_str(),
                     clean.ok ? "ok" : std::string(sealpost::ErrorCodeName(clean.code)).c_str());
      }
      for (long n : Indices(allocations, all)) {
        g_armed = true;
        g_count = 0;
        g_fail_at = n;
        Outcome failed = run(bytes);
        g_armed = false;
        if (failed.ok && clean.ok && failed.output != clean.output)
          std::fprintf(stderr, "  allocation %ld failed: a different result (%zu bytes, the clean run %zu)\n", n,
                       failed.output.size(), clean.output.size());
        if (failed.ok && !clean.ok)
          std::fprintf(stderr, "  allocation %ld failed: ok where the clean run gave %s\n", n,
                       std::string(sealpost::ErrorCodeName(clean.code)).c_str());
        CheckNotBetter(kind, clean, failed);
        ++runs;
        if (failed.ok) {
          ++failed_ok;
        } else {
          ++codes[std::string(sealpost::ErrorCodeName(failed.code))];
        }
      }
      std::fprintf(stderr, "%s %s: %s, exit %d; %ld OpenSSL allocations\n", kind.c_str(), file.filename().c_str(),
                   clean.ok ? "ok" : std::string(sealpost::ErrorCodeName(clean.code)).c_str(), clean.exit_code, allocations);
    }
    std::printf("%-11s %3zu inputs, %6ld failure points: %ld completed (verdict or value)", kind.c_str(), files.size(),
                runs, failed_ok);
    for (const auto& [code, count] : codes) std::printf(", %ld %s", count, code.c_str());
    std::printf("\n");
    total_runs += runs;
  }
  std::printf("%ld runs with one failed OpenSSL allocation each (%s), %ld allocations failed; "
              "%ld CBC decryptions gave random-key garbage (unauthenticated, flagged); "
              "%ld inputs answered differently after earlier failures\n",
              total_runs, all ? "every index" : "sampled indices", g_failed, g_cbc_garbage, g_poisoned);
  return 0;
}

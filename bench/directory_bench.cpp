// SPDX-License-Identifier: Apache-2.0
// Google Benchmark for the directory cache: a cached lookup (SQLite row, freshness check,
// certificates) and a whole 100-recipient resolution answered from the cache. Not a test:
// `build/bench/directory_bench`. Issue target: cached lookups >= 100,000/s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "directory/lookup_cache.h"
#include "pki/testing/throwaway_certificate.h"

namespace sealpost::bench {
namespace {

constexpr int kPeople = 100;

// A cache file in a temp folder holding one answer (one certificate of their own) for
// each of kPeople addresses, removed when the process ends.
struct CacheFixture {
  std::filesystem::path dir;
  std::shared_ptr<directory::LookupCache> cache;
  std::vector<std::string> addresses;
  std::time_t now = std::time(nullptr);

  CacheFixture() {
    dir = std::filesystem::temp_directory_path() / ("sealpost-directory-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cache = std::make_shared<directory::LookupCache>(directory::LookupCache::Open((dir / "cache.db").string()).value());
    for (int i = 0; i < kPeople; ++i) {
      addresses.push_back("person-" + std::to_string(i) + "@example.org");
      auto x509 = pki::testing::ThrowawayCertificate(addresses.back().c_str(), i + 1);
      if (!cache->Put("ldap", addresses.back(), {pki::Certificate::FromNative(x509.get())}, now)) std::abort();
    }
  }
  ~CacheFixture() {
    cache.reset();
    std::filesystem::remove_all(dir);
  }
};

CacheFixture& Fixture() {
  static CacheFixture fixture;
  return fixture;
}

// One cached lookup; the addresses rotate, so each certificate is met again only after
// the other 99 (the first round parses them, as a fresh process would).
void BM_CachedLookup(benchmark::State& state) {
  CacheFixture& f = Fixture();
  const directory::CacheLifetimes lifetimes;
  std::size_t i = 0;
  for (auto _ : state) {
    auto answer = f.cache->Get("ldap", f.addresses[i++ % kPeople], f.now, lifetimes).value();
    if (!answer || answer->size() != 1) state.SkipWithError("cache miss");
    benchmark::DoNotOptimize(answer);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_CachedLookup);

// The cache as `encrypt` consults it: 100 recipients through CachedSource, none reaching
// the directory behind it.
class NoDirectory final : public directory::CertificateSource {
 public:
  std::string Name() const override { return "ldap"; }
  std::vector<Result<std::vector<directory::Candidate>>> Find(const std::vector<std::string>& addresses) override {
    return std::vector<Result<std::vector<directory::Candidate>>>(
        addresses.size(), Error(ErrorCode::kNetwork, "the benchmark's directory is never asked"));
  }
};

void BM_CachedSourceFind100(benchmark::State& state) {
  CacheFixture& f = Fixture();
  directory::CachedSource source(std::make_unique<NoDirectory>(), f.cache, {}, /*refresh=*/false);
  for (auto _ : state) {
    auto answers = source.Find(f.addresses);
    for (const auto& answer : answers) {
      if (!answer) state.SkipWithError("an address was not answered from the cache");
    }
    benchmark::DoNotOptimize(answers);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kPeople);
}
BENCHMARK(BM_CachedSourceFind100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sealpost::bench

BENCHMARK_MAIN();

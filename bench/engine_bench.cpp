// SPDX-License-Identifier: Apache-2.0
// Google Benchmark for the engine's inner operations: base64, canonicalisation, sign and
// verify of a 4 KiB message, encrypt/decrypt at a few sizes, and one message of a mailbox
// verify (with and without the bulk caches). Not a test: `build/bench/engine_bench`.
//
// Keys and certificates come from a tests/support/testpki.py folder named by
// $SEALPOST_BENCH_PKI (bench/compare.sh makes one); without it the program says so and
// exits 77.
#include <benchmark/benchmark.h>
#include <openssl/cms.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "cms/signed_data.h"
#include "cms/signer.h"
#include "pki/certificate_cache.h"
#include "core/file_io.h"
#include "mime/base64.h"
#include "mime/composer.h"
#include "mime/entity.h"
#include "smime/context.h"
#include "smime/signer_trust_cache.h"

namespace sealpost::bench {
namespace {

class FixedKeys final : public smime::KeySource {
 public:
  explicit FixedKeys(pki::PrivateKey key) : key_(std::move(key)) {}
  Result<pki::PrivateKey> PrivateKeyFor(const pki::Certificate&) override { return key_; }

 private:
  pki::PrivateKey key_;
};

struct Fixture {
  std::unique_ptr<smime::SecureMimeContext> ctx;
  std::optional<pki::Certificate> cert;
  std::optional<pki::PrivateKey> key;
};

std::string Pki(const std::string& file) { return std::string(std::getenv("SEALPOST_BENCH_PKI")) + "/" + file; }

// alice's dual-purpose RSA-2048 identity under the test intermediate, the root trusted.
const Fixture& Alice() {
  static Fixture f = [] {
    Fixture out;
    auto cert = pki::Certificate::Parse(ReadFile(Pki("alice-rsa.pem")).value()).value();
    auto key = pki::PrivateKey::Parse(ReadFile(Pki("alice-rsa.key")).value()).value();
    pki::TrustStore trust;
    trust.AddAnchor(pki::Certificate::Parse(ReadFile(Pki("root.pem")).value()).value());
    trust.AddIntermediate(pki::Certificate::Parse(ReadFile(Pki("intermediate.pem")).value()).value());
    std::vector<smime::Identity> ids{{cert, true, true}};
    out.ctx = std::make_unique<smime::SecureMimeContext>(ids, std::make_shared<FixedKeys>(key), trust,
                                                          policy::AlgorithmPolicy{});
    out.cert = cert;
    out.key = key;
    return out;
  }();
  return f;
}

const smime::SecureMimeContext& Context() { return *Alice().ctx; }

std::string Message(size_t body_bytes) {
  std::string m =
      "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: bench\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  std::string line = "The quarterly numbers, line after line of ordinary text for the benchmark.\r\n";
  while (m.size() < body_bytes) m += line;
  m.resize(body_bytes);
  return m + "\r\n";
}

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

void BM_Base64Encode(benchmark::State& state) {
  std::string data = Bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(mime::Base64Encode(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Encode)->Arg(4 << 10)->Arg(1 << 20);

void BM_Base64Decode(benchmark::State& state) {
  std::string text = mime::Base64Encode(Bytes(static_cast<size_t>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(mime::Base64Decode(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Decode)->Arg(4 << 10)->Arg(1 << 20);

void BM_CanonicalizeLineEndings(benchmark::State& state) {
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) text += "a line of text that ends in a bare LF\n";
  for (auto _ : state) benchmark::DoNotOptimize(mime::CanonicalizeLineEndings(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_CanonicalizeLineEndings)->Arg(4 << 10)->Arg(1 << 20);

void BM_PrepareForSigning(benchmark::State& state) {
  std::string m = Message(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(mime::PrepareForSigning(m));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PrepareForSigning)->Arg(4 << 10);

void BM_Sign4K(benchmark::State& state) {
  std::string m = Message(4 << 10);
  for (auto _ : state) benchmark::DoNotOptimize(Context().Sign(m, {}).value());
}
BENCHMARK(BM_Sign4K);

void BM_Verify4K(benchmark::State& state) {
  std::string s = Context().Sign(Message(4 << 10), {}).value();
  for (auto _ : state) benchmark::DoNotOptimize(Context().Read(s).value());
}
BENCHMARK(BM_Verify4K);

// One message of a mailbox run: the certificate and signer-trust caches already warm.
void BM_MailboxVerifyPerMessage(benchmark::State& state) {
  std::string s = Context().Sign(Message(4 << 10), {}).value();
  pki::CertificateCache certificates;
  smime::SignerTrustCache trust;
  cms::SignerKeyCache keys;
  smime::ReadOptions options;
  options.at = Context().Now();
  options.certificate_cache = &certificates;
  options.trust_cache = &trust;
  options.signer_key_cache = &keys;
  options.want_sender_preferences = false;  // as `verify --maildir` reads: no contacts
  options.want_content = false;              // and no content to display
  for (auto _ : state) benchmark::DoNotOptimize(Context().Read(s, options).value());
}
BENCHMARK(BM_MailboxVerifyPerMessage);

// One SignedData of a bulk run at the cms layer, both caches warm: the common-shape path
// (arg 1) against OpenSSL's decoder with the same caches (arg 0, every message before it).
void BM_SignedDataVerify(benchmark::State& state) {
  const std::string content = Message(4 << 10);
  const std::string der = cms::Sign(content, *Alice().cert, *Alice().key, {}).value();
  pki::CertificateCache certificates;
  cms::SignerKeyCache keys;
  cms::VerifyOptions options;
  options.certificate_cache = &certificates;
  options.key_cache = &keys;
  options.want_sender_preferences = false;
  options.common_shape_fast_path = state.range(0) == 1;
  for (auto _ : state) {
    auto result = cms::VerifySignedData(der, content, options);
    if (!result || result->signers.size() != 1 || result->signers[0].status != cms::SignatureStatus::kValid)
      state.SkipWithError("the signature did not verify");
  }
}
BENCHMARK(BM_SignedDataVerify)->Arg(0)->Arg(1);

// The reference the issue measures against: a plain in-process OpenSSL loop, d2i of the
// S/MIME signature and CMS_verify against a store with the root, per message.
void BM_PlainOpenSslCmsVerify(benchmark::State& state) {
  std::string s = Context().Sign(Message(4 << 10), {}).value();
  BIO* in = BIO_new_mem_buf(s.data(), static_cast<int>(s.size()));
  BIO* content = nullptr;
  CMS_ContentInfo* parsed = SMIME_read_CMS(in, &content);
  BIO_free(in);
  // Keep the signature DER and the signed content, as a verify loop over files would read them.
  unsigned char* der = nullptr;
  int der_len = i2d_CMS_ContentInfo(parsed, &der);
  std::string signed_content;
  char buf[4096];
  for (int n; (n = BIO_read(content, buf, sizeof buf)) > 0;) signed_content.append(buf, static_cast<size_t>(n));
  CMS_ContentInfo_free(parsed);
  BIO_free(content);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, Context().trust().anchors().front().native());
  for (auto _ : state) {
    const unsigned char* p = der;
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, der_len);
    BIO* data = BIO_new_mem_buf(signed_content.data(), static_cast<int>(signed_content.size()));
    int ok = CMS_verify(cms, nullptr, store, data, nullptr, CMS_BINARY);
    if (ok != 1) state.SkipWithError("CMS_verify failed");
    BIO_free(data);
    CMS_ContentInfo_free(cms);
  }
  X509_STORE_free(store);
  OPENSSL_free(der);
}
BENCHMARK(BM_PlainOpenSslCmsVerify);

void BM_Encrypt(benchmark::State& state) {
  std::string m = Message(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Context().Encrypt(m, {}).value());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Encrypt)->Arg(4 << 10)->Arg(100 << 10)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMicrosecond);

void BM_Decrypt(benchmark::State& state) {
  std::string e = Context().Encrypt(Message(static_cast<size_t>(state.range(0))), {}).value();
  for (auto _ : state) benchmark::DoNotOptimize(Context().Decrypt(e).value());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Decrypt)->Arg(4 << 10)->Arg(100 << 10)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sealpost::bench

int main(int argc, char** argv) {
  if (!std::getenv("SEALPOST_BENCH_PKI")) {
    std::fprintf(stderr, "engine_bench: set SEALPOST_BENCH_PKI to a tests/support/testpki.py output folder "
                         "(python3 tests/support/testpki.py DIR); skipped\n");
    return 77;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

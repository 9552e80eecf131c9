# Sealpost — the two commands of the quick start, and the longer jobs.
#   make demo   build and run the demo organisation story
#   make test   build and run every test (unit, end-to-end, interop, corpora)

BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
WERROR ?= OFF
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEALPOST_WERROR=$(WERROR)

.PHONY: all deps build demo test test-asan check-long bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@SEALPOST_BIN=$(BUILD_DIR)/src/cli/sealpost scripts/demo.sh

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer), but
# bench_smoke: it checks that the comparison script prints a complete table, and timing a
# sanitizer build says nothing (the Sealpost paths it drives are all covered by other suites).
ASAN_EXCLUDE ?= bench_smoke
test-asan: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSEALPOST_SANITIZE=ON -DSEALPOST_WERROR=$(WERROR) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -E '$(ASAN_EXCLUDE)'

# The long sweeps: everything in CI, plus 1,000 kill points against the vault (CI samples 30)
# OpenSSL allocation failure at every index over the seed corpora under ASan (CI samples), and
# ten minutes of libFuzzer per target (CI replays the corpora).
check-long: test test-asan
	@cd $(BUILD_DIR) && SEALPOST_VAULT_KILLS=1000 ctest --output-on-failure -R vault_kill_safety
	@cd $(ASAN_DIR) && SEALPOST_ALLOC_FAILURE_ALL=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -R alloc_failure_sample
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(LONG_FUZZ_SECONDS)
LONG_FUZZ_SECONDS ?= 600

# libFuzzer: every target in fuzz/ for FUZZ_SECONDS each (clang, ASan+UBSan, in FUZZ_DIR).
# New inputs go to FUZZ_DIR/corpus/<target> (not committed); crashes to FUZZ_DIR/artifacts.
# The committed seeds and the shared testdata are read in place as extra seed folders.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_JOBS ?= 1
FUZZ_TARGETS ?= mime_structure verify stream_verify decrypt signed_data pkcs12 ldap_choice vault_open address certificate_identity
fuzz:
	@scripts/install-deps.sh --fuzz
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEALPOST_FUZZ=ON \
	  -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addsuffix _fuzzer,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  fuzz/run_fuzzer.sh $(FUZZ_DIR) $$t $(FUZZ_SECONDS) $(FUZZ_JOBS) || exit 1; \
	done

# Sealpost against openssl cms, gpgsm and NSS (bench/compare.sh; BENCH_QUICK=1, BENCH_HUGE=1),
# then the engine's inner operations and the directory cache (Google Benchmark), then
# directory lookups against the test slapd (one vs 100 sequential vs LookupMany).
bench: build
	@bench/compare.sh $(BUILD_DIR)/src/cli/sealpost
	@[ ! -x $(BUILD_DIR)/bench/engine_bench ] || { d=$$(mktemp -d) && python3 tests/support/testpki.py $$d >/dev/null && \
	  SEALPOST_BENCH_PKI=$$d $(BUILD_DIR)/bench/engine_bench; rc=$$?; rm -rf $$d; exit $$rc; }
	@[ ! -x $(BUILD_DIR)/bench/directory_bench ] || $(BUILD_DIR)/bench/directory_bench
	@python3 bench/directory_lookup.py $(BUILD_DIR)/src/directory/ldap_probe --repeat 10 --processes 3

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target for a while: new inputs merge into FUZZ_DIR/corpus/<target>
# (not committed), crashes land in FUZZ_DIR/artifacts/<target>/. Committed seeds and the
# shared testdata's files are read in place as extra seed folders.
#   fuzz/run_fuzzer.sh FUZZ_DIR TARGET SECONDS [JOBS]
set -euo pipefail
fuzz_dir=$1 target=$2 seconds=$3 jobs=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
testdata=${SEALPOST_TESTDATA:-$here/../../shared/testdata}
bin=$fuzz_dir/fuzz/${target}_fuzzer
work=$fuzz_dir/corpus/$target
artifacts=$fuzz_dir/artifacts/$target
mkdir -p "$work" "$artifacts"

# Shared seeds: the files of the kind the target reads, linked (not copied) into one folder.
seeds=("$here/corpus/$target")
case $target in
  mime_structure|verify|stream_verify|decrypt) pattern='.*\.(eml|p7m|p7s|msg|cms|env|opaque|multipart|bin|sig|mime)$' ;;
  signed_data) pattern='.*\.(p7s|sig|cms|der)$' ;;
  pkcs12) pattern='.*\.(p12|pfx)$' ;;
  ldap_choice) pattern='.*\.(crt|cer|der|p7b)$' ;;
  certificate_identity) pattern='.*\.(crt|cer|pem|der|p7b)$' ;;
  *) pattern='' ;;
esac
if [ -n "$pattern" ] && [ -d "$testdata" ]; then
  links=$fuzz_dir/shared-seeds/$target
  rm -rf "$links" && mkdir -p "$links"
  find "$testdata" -type f -regextype posix-extended -iregex "$pattern" -size -2M | while read -r f; do
    ln -s "$f" "$links/$(echo "$f" | md5sum | cut -c1-16)-$(basename "$f")"
  done
  seeds+=("$links")
elif [ -n "$pattern" ]; then
  echo "SKIP shared seeds for $target: no testdata at $testdata"
fi

# Messages may be large (two targets take inputs over 1 MiB); the rest stay small.
max_len=65536
case $target in mime_structure|verify) max_len=1200000 ;; esac
dict=$here/dictionaries/$target.dict
extra=()
[ -f "$dict" ] && extra+=("-dict=$dict")
# Parallel jobs (-jobs) log to fuzz-N.log files in the current folder.
[ "$jobs" -gt 1 ] && extra+=("-jobs=$jobs" "-workers=$jobs")

echo "== $target: ${seconds}s, $jobs job(s), max_len $max_len"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$bin" "$work" "${seeds[@]}" -max_total_time="$seconds" -max_len=$max_len -timeout=25 -rss_limit_mb=3072 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "${extra[@]}" \
  2>&1 | tee "$fuzz_dir/$target.log" | grep -E '^(#[0-9]+.*(DONE|pulse)|==[0-9]+==ERROR|SUMMARY|stat::|INFO: Seed|.*invariant)' || true
# libFuzzer writes new inputs only into the first folder ($work); the seeds stay untouched.
if ls "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* >/dev/null 2>&1; then
  echo "FINDINGS for $target in $artifacts:"; ls "$artifacts"
  exit 1
fi

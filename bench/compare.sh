#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Sealpost against openssl cms, gpgsm and NSS cmsutil on the same inputs; prints one table
# (throughput, peak RSS from /usr/bin/time -v, ratio to each peer). See bench/compare.py.
#   bench/compare.sh [SEALPOST_BIN]          (make bench)
#   BENCH_QUICK=1  small sizes only (< 2 minutes; CTest bench_smoke)
#   BENCH_HUGE=1   adds 1 GiB messages
#   BENCH_CHECK=1  fails unless every cell of the table is filled (or marked n/a)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/compare.py" "$@"

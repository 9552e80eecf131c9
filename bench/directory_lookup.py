# SPDX-License-Identifier: Apache-2.0
"""Benchmark (not a test): 100 addresses looked up with LdapDirectory::LookupMany versus 100
sequential Lookup calls, against the test slapd from tests/directory/slapd_fixture.py.

    python3 bench/directory_lookup.py BUILD/.../ldap_probe [--addresses 100] [--repeat 20]
                                      [--processes 3] [--pool-size 8] [--in-flight 50]

For each transport (ldap://, ldaps://, StartTLS with a bind) it runs ldap_probe in both
modes; each process does `--repeat` runs on one LdapDirectory. The first run of a process
("cold") includes opening the connections (one for sequential, up to pool_size for
LookupMany); the others ("warm") reuse them. Prints medians in ms for one address, 100
sequential and 100 with LookupMany, the sequential/LookupMany ratio and LookupMany against
one lookup (issue 6's target: 100 addresses in at most 3x the time of one).
slapd shares the machine, so the ratio is bounded by the cores available (printed).
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "directory"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import slapd_fixture  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402


def run_probe(probe, url, extra, addresses_file, repeat, many, pool_size, in_flight):
    cmd = [probe, "--url", url, "--base", slapd_fixture.BASE_DN, "--addresses-file", addresses_file,
           "--repeat", str(repeat), "--pool-size", str(pool_size), "--in-flight", str(in_flight), *extra]
    if many:
        cmd.append("--many")
    out = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, env=slapd_fixture.ENV).stdout)
    failed = [r for r in out["results"] if not r["ok"]]
    if failed:
        raise SystemExit(f"lookup failed: {failed[0]}")
    return out["runs_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe")
    parser.add_argument("--addresses", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--pool-size", type=int, default=8)
    parser.add_argument("--in-flight", type=int, default=50, help="searches outstanding per connection")
    parser.add_argument("--bulk", type=int, default=1000, help="people loaded into ou=bulk")
    parser.add_argument("--rtt-ms", default="0,1,20",
                        help="round trips to simulate, comma-separated (0: plain loopback; else through "
                             "bench/latency_proxy.py)")
    args = parser.parse_args()

    # Each address has a certificate of its own, as real recipients do (the shared bulk
    # certificate would be parsed once and flatter the client's certificate cache).
    with slapd_fixture.SlapdFixture(bulk_count=max(args.bulk, args.addresses),
                                    distinct_bulk_certs=args.addresses) as ldap, \
            tempfile.TemporaryDirectory() as tmp:
        addresses = Path(tmp) / "addresses"
        addresses.write_text("".join(f"{ldap.bulk_mail(i)}\n" for i in range(args.addresses)))
        one_address = Path(tmp) / "one-address"
        one_address.write_text(f"{ldap.bulk_mail(0)}\n")
        password = ldap.write_reader_password(Path(tmp) / "password")
        transports = [
            ("ldap:// anonymous", "ldap", ldap.ldap_port, []),
            ("ldaps:// anonymous", "ldaps", ldap.ldaps_port, ["--ca-file", ldap.ca_file]),
            ("StartTLS + bind", "ldap", ldap.ldap_port, ["--starttls", "--ca-file", ldap.ca_file, "--bind-dn",
                                                         slapd_fixture.READER_DN, "--bind-password-file", password]),
        ]
        print(f"{args.addresses} addresses, pool_size {args.pool_size}, {args.in_flight} searches in flight per "
              f"connection, {args.processes} processes x {args.repeat} runs, {os.cpu_count()} CPUs "
              f"(slapd on the same machine); every address has its own certificate")

        def measure(name, url, extra, file, many, label, count, repeat):
            cold, warm = [], []
            for _ in range(args.processes):
                runs = run_probe(args.probe, url, extra, str(file), repeat, many, args.pool_size, args.in_flight)
                cold.append(runs[0])
                warm.extend(runs[1:] or runs)
            result = (statistics.median(cold), statistics.median(warm))
            print(f"{name:<20} {label:<16} {result[0]:>9.1f} {result[1]:>9.1f} {result[1] / count:>16.3f}")
            return result

        for rtt in [float(r) for r in args.rtt_ms.split(",")]:
            # Sequential lookups cost a round trip each: fewer runs where that is slow.
            repeat = args.repeat if rtt < 5 else max(2, min(args.repeat, 3))
            print(f"\nround trip {rtt:g} ms" + (" (plain loopback)" if rtt == 0 else " (bench/latency_proxy.py)"))
            print(f"{'transport':<20} {'mode':<16} {'cold ms':>9} {'warm ms':>9} {'warm ms/address':>16}")
            for name, scheme, port, extra in transports:
                with contextlib.ExitStack() as stack:
                    if rtt > 0:
                        port = stack.enter_context(LatencyProxy(port, rtt)).port
                    url = f"{scheme}://127.0.0.1:{port}"
                    one = measure(name, url, extra, one_address, False, "one address", 1, repeat)
                    sequential = measure(name, url, extra, addresses, False, "sequential", args.addresses, repeat)
                    many = measure(name, url, extra, addresses, True, "LookupMany", args.addresses, repeat)
                print(f"{name:<20} {'seq/LookupMany':<16} {sequential[0] / many[0]:>8.2f}x "
                      f"{sequential[1] / many[1]:>8.2f}x")
                print(f"{name:<20} {'LookupMany/one':<16} {many[0] / one[0]:>8.2f}x {many[1] / one[1]:>8.2f}x"
                      f"   (issue target: <= 3x)")


if __name__ == "__main__":
    main()

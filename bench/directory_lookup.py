# SPDX-License-Identifier: Apache-2.0
"""Benchmark (not a test): 100 addresses looked up with LdapDirectory::LookupMany versus 100
sequential Lookup calls, against the test slapd from tests/directory/slapd_fixture.py.

    python3 bench/directory_lookup.py BUILD/.../ldap_probe [--addresses 100] [--repeat 20]
                                      [--processes 3] [--pool-size 8]

For each transport (ldap://, ldaps://, StartTLS with a bind) it runs ldap_probe in both
modes; each process does `--repeat` runs on one LdapDirectory. The first run of a process
("cold") includes opening the connections (one for sequential, up to pool_size for
LookupMany); the others ("warm") reuse them. Prints medians in ms and sequential/many.
slapd shares the machine, so the ratio is bounded by the cores available (printed).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "directory"))
import slapd_fixture  # noqa: E402


def run_probe(probe, url, extra, addresses_file, repeat, many, pool_size):
    cmd = [probe, "--url", url, "--base", slapd_fixture.BASE_DN, "--addresses-file", addresses_file,
           "--repeat", str(repeat), "--pool-size", str(pool_size), *extra]
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
    parser.add_argument("--bulk", type=int, default=1000, help="people loaded into ou=bulk")
    args = parser.parse_args()

    with slapd_fixture.SlapdFixture(bulk_count=max(args.bulk, args.addresses)) as ldap, \
            tempfile.TemporaryDirectory() as tmp:
        addresses = Path(tmp) / "addresses"
        step = max(1, ldap.bulk_count // args.addresses)
        addresses.write_text("".join(f"{ldap.bulk_mail(i * step)}\n" for i in range(args.addresses)))
        password = ldap.write_reader_password(Path(tmp) / "password")
        transports = [
            ("ldap:// anonymous", ldap.ldap_url, []),
            ("ldaps:// anonymous", ldap.ldaps_url, ["--ca-file", ldap.ca_file]),
            ("StartTLS + bind", ldap.ldap_url, ["--starttls", "--ca-file", ldap.ca_file, "--bind-dn",
                                                slapd_fixture.READER_DN, "--bind-password-file", password]),
        ]
        print(f"{args.addresses} addresses, pool_size {args.pool_size}, {args.processes} processes x "
              f"{args.repeat} runs, {os.cpu_count()} CPUs (slapd on the same machine)")
        print(f"{'transport':<20} {'mode':<11} {'cold ms':>9} {'warm ms':>9} {'warm ms/address':>16}")
        for name, url, extra in transports:
            medians = {}
            for many in (False, True):
                cold, warm = [], []
                for _ in range(args.processes):
                    runs = run_probe(args.probe, url, extra, str(addresses), args.repeat, many, args.pool_size)
                    cold.append(runs[0])
                    warm.extend(runs[1:] or runs)
                mode = "LookupMany" if many else "sequential"
                medians[many] = (statistics.median(cold), statistics.median(warm))
                print(f"{name:<20} {mode:<11} {medians[many][0]:>9.1f} {medians[many][1]:>9.1f} "
                      f"{medians[many][1] / args.addresses:>16.3f}")
            print(f"{name:<20} {'ratio':<11} {medians[False][0] / medians[True][0]:>8.2f}x "
                  f"{medians[False][1] / medians[True][1]:>8.2f}x   (sequential / LookupMany)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""x509-limbo conformance of Sealpost's path validation (pki::TrustStore::Validate).

Runs limbo_runner (one process over all cases) on the shared C2SP x509-limbo suite and on
our own S/MIME cases (gen_smime_cases.py, made with the openssl CLI at test time), then
prints the agreement with the expected results per family, OpenSSL 3.0.19's agreement on
the same file beside it, and every case where we differ with its reason from
known_differences.tsv.

Fails when the limbo agreement is below 99 %, when a difference has no listed reason, when
a listed difference no longer differs (the list must stay true), or when any of our S/MIME
cases differs. Exits 77 (CTest skip) when the shared testdata is absent.

Testdata: $SEALPOST_TESTDATA, else ../shared/testdata relative to the repository.
Usage: run_limbo.py --runner build/tests/limbo/limbo_runner [--work DIR] [--verbose]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
THRESHOLD = 0.99
SKIP = 77


def family(case_id: str) -> str:
    return case_id.split("::", 1)[0]


def load_reasons(path: Path) -> dict:
    """id → reason, from the tab-separated table (comments start with #)."""
    reasons = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            raise SystemExit(f"{path.name}:{n}: want 'id<TAB>reason', got {line!r}")
        if fields[0] in reasons:
            raise SystemExit(f"{path.name}:{n}: {fields[0]} listed twice")
        reasons[fields[0]] = fields[1]
    return reasons


def schema_problems(document: dict, schema_path: Path) -> list:
    """Violations of the limbo schema ($defs/Limbo) by `document`."""
    import jsonschema  # Debian: python3-jsonschema (the CLI harness needs it too)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema = dict(schema, **{"$ref": "#/$defs/Limbo"})
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def run_runner(runner: Path, suite: Path, out: Path) -> dict:
    started = time.monotonic()
    proc = subprocess.run([str(runner), str(suite), str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"limbo_runner failed ({proc.returncode}) on {suite}: {proc.stderr.strip()}")
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    print(f"  {suite.name}: {len(results)} cases in {time.monotonic() - started:.1f} s")
    return {r["id"]: r for r in results}


def compare(cases: list, ours: dict, openssl: dict, reasons: dict, verbose: bool):
    """Prints the per-family table; returns (agree, total, differing ids)."""
    fam = collections.OrderedDict()
    differing = []
    for case in cases:
        cid = case["id"]
        row = fam.setdefault(family(cid), {"n": 0, "ok": 0, "ossl_run": 0, "ossl_ok": 0})
        row["n"] += 1
        mine = ours.get(cid, {}).get("actual_result", "MISSING")
        if mine == case["expected_result"]:
            row["ok"] += 1
        else:
            differing.append(cid)
        theirs = openssl.get(cid, {}).get("actual_result")
        if theirs in ("SUCCESS", "FAILURE"):
            row["ossl_run"] += 1
            row["ossl_ok"] += theirs == case["expected_result"]
    print(f"  {'family':<14}{'cases':>7}{'agree':>8}{'sealpost':>10}   {'openssl 3.0.19 (run)':>22}")
    tot = {"n": 0, "ok": 0, "ossl_run": 0, "ossl_ok": 0}
    for name, row in sorted(fam.items(), key=lambda kv: -kv[1]["n"]):
        for k in tot:
            tot[k] += row[k]
        ossl = (f"{row['ossl_ok']}/{row['ossl_run']} {100 * row['ossl_ok'] / row['ossl_run']:.1f}%"
                if row["ossl_run"] else "-")
        print(f"  {name:<14}{row['n']:>7}{row['ok']:>8}{100 * row['ok'] / row['n']:>9.1f}%   {ossl:>22}")
    ossl = (f"{tot['ossl_ok']}/{tot['ossl_run']} {100 * tot['ossl_ok'] / tot['ossl_run']:.1f}%"
            if tot["ossl_run"] else "-")
    print(f"  {'overall':<14}{tot['n']:>7}{tot['ok']:>8}{100 * tot['ok'] / tot['n']:>9.1f}%   {ossl:>22}")
    by_id = {c["id"]: c for c in cases}
    for cid in differing:
        reason = reasons.get(cid, "NO REASON LISTED")
        mine = ours.get(cid, {})
        print(f"  DIFF {cid}: expected {by_id[cid]['expected_result']}, "
              f"got {mine.get('actual_result', 'MISSING')} ({mine.get('context') or '-'}) -- {reason}")
    if verbose:
        for case in cases:
            if case["id"] not in differing:
                r = ours[case["id"]]
                print(f"  ok   {case['id']}: {r['actual_result']} ({r.get('context') or '-'})")
    return tot["ok"], tot["n"], differing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runner", required=True, type=Path)
    ap.add_argument("--work", type=Path, default=Path("limbo-work"))
    ap.add_argument("--verbose", action="store_true", help="also list the agreeing cases")
    args = ap.parse_args()

    testdata = Path(os.environ.get("SEALPOST_TESTDATA") or (REPO.parent / "shared" / "testdata"))
    limbo_dir = testdata / "x509-limbo"
    if not (limbo_dir / "limbo.json").is_file():
        print(f"SKIP limbo: {limbo_dir / 'limbo.json'} not found "
              f"(set SEALPOST_TESTDATA to the shared testdata); nothing was run")
        return SKIP
    args.work.mkdir(parents=True, exist_ok=True)
    reasons = load_reasons(HERE / "known_differences.tsv")
    failures = []

    print("x509-limbo (C2SP), shared testdata:")
    suite = json.loads((limbo_dir / "limbo.json").read_text(encoding="utf-8"))
    ours = run_runner(args.runner, limbo_dir / "limbo.json", args.work / "limbo-results.json")
    openssl = {r["id"]: r for r in
               json.loads((limbo_dir / "openssl-3.0-results.json").read_text(encoding="utf-8"))["results"]}
    agree, total, differing = compare(suite["testcases"], ours, openssl, reasons, args.verbose)
    if agree / total < THRESHOLD:
        failures.append(f"limbo agreement {100 * agree / total:.2f}% is below {100 * THRESHOLD:.0f}%")

    print("Sealpost S/MIME cases (gen_smime_cases.py, openssl CLI):")
    smime_file = args.work / "smime-limbo.json"
    gen = subprocess.run([sys.executable, str(HERE / "gen_smime_cases.py"), str(smime_file),
                          "--scratch", str(args.work / "smime-pki")], capture_output=True, text=True)
    if gen.returncode != 0:
        raise SystemExit(f"gen_smime_cases.py failed: {gen.stderr.strip()}")
    smime = json.loads(smime_file.read_text(encoding="utf-8"))
    schema_errors = schema_problems(smime, limbo_dir / "limbo-schema.json")
    if schema_errors:
        failures.append("generated S/MIME cases violate limbo-schema.json: " + "; ".join(schema_errors[:5]))
    smime_ours = run_runner(args.runner, smime_file, args.work / "smime-results.json")
    s_agree, s_total, s_differing = compare(smime["testcases"], smime_ours, {}, reasons, args.verbose)
    if s_agree != s_total:
        failures.append(f"{s_total - s_agree} of our own S/MIME cases differ")

    unlisted = [c for c in differing + s_differing if c not in reasons]
    if unlisted:
        failures.append(f"{len(unlisted)} differences have no reason in known_differences.tsv: "
                        + ", ".join(unlisted[:20]) + (" ..." if len(unlisted) > 20 else ""))
    stale = sorted(set(reasons) - set(differing) - set(s_differing))
    if stale:
        failures.append("listed in known_differences.tsv but no longer different: " + ", ".join(stale))
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        return 1
    print(f"PASS limbo {agree}/{total} ({100 * agree / total:.2f}%), S/MIME {s_agree}/{s_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

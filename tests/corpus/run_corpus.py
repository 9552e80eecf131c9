#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Sealpost corpus suite: run the sealpost CLI over the shared real-world corpora.

    SEALPOST_BIN=build/src/cli/sealpost tests/corpus/run_corpus.py [CORPUS...] [options]

Every case of tests/corpus/<corpus>.tsv is run in a fresh temporary profile
(`sealpost --profile DIR ...`): trust anchors, intermediates and identities are
added first, then `read`/`verify --json` runs on the corpus file *in place*
(testdata is never copied into the project; keys in PKCS#12 or DER form are
converted to PEM in a temporary directory with the openssl CLI).  The JSON verdict
is validated against docs/verdict.schema.json and every stated fact is compared.
A case passes only when every stated fact matches.  PKCS#12 rows (cmd=p12-import) run
`cert import` on the corpus file in place and state facts about `certs` (cert list
--json afterwards) and `profile_files` (what the import left in the profile).

Testdata: $SEALPOST_TESTDATA, else ../shared/testdata relative to the repository
root.  When it is absent the whole suite prints a SKIP line and exits 0.

Table format (see README.md beside this script): tab-separated columns
    file  variant  run  expect  skip  note
"run" and "expect" are ';'-separated lists; "#@defaults RUN" and
"#@id NAME = SPEC" directives at the top of a table set per-corpus defaults.

Fact language (expect column), one fact per ';':
    exit=1            process exit code; alternatives with '|': exit=1|3
    signed=true       any JSON path: encryption.algorithm=aes-128-cbc, layers[0].kind=signed
    sig[0].status=valid   sig/sigs = signatures; layer = layers
    sig[email:a@b].trusted=true   the signature whose signer_email is a@b (must exist)
    sig[*].status!=valid          every signature (vacuously true for none)
    sig[any].status=valid         at least one signature
    sigs#=2           length of a list;  warnings#>=1
    layers=signed,encrypted       the kinds of all layers, outermost first ('' = none)
    body~TEXT   body!~TEXT        substring / not a substring (lists: contains element)
    X=@path           a value read from a corpus file (line endings normalised)
Strings compare exactly, except *email* and *algorithm* fields (case-insensitive).
When the process exits 3 without printing a verdict, facts are checked against the
empty verdict (not signed, not encrypted, no layers, no signatures, no body).
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

CORPORA = [
    "thunderbird-smime",
    "rfc4134-bc-csharp",
    "rfc9216-examples-cms",
    "notmuch-smime",
    "openssl-smime",
    "gnupg-cms",
    "pyca-vectors",
    "johnny-fired",
]
SKIP_REASONS = {"later-issue", "openssl-3.0", "no-key", "engine-bug"}
RUN_KEYS = {"cmd", "at", "allow-legacy", "trust", "inter", "id", "content", "dearmor", "password", "as"}
LIST_KEYS = {"trust", "inter", "id"}
CASE_TIMEOUT = 120  # seconds per sealpost invocation

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCHEMA_PATH = REPO / "docs" / "verdict.schema.json"
EMPTY_VERDICT = {"signed": False, "encrypted": False, "encryption": None, "layers": [], "signatures": []}


# ----------------------------------------------------------------------------- tables

@dataclass
class Case:
    corpus: str
    file: str
    variant: str
    run: dict
    facts: list
    skip: str
    note: str
    line: int

    @property
    def name(self) -> str:
        return f"{self.corpus}:{self.file}" + (f" [{self.variant}]" if self.variant else "")


class TableError(Exception):
    pass


def parse_run(text: str, where: str) -> dict:
    run: dict = {}
    for item in filter(None, (s.strip() for s in text.split(";"))):
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if key not in RUN_KEYS:
            raise TableError(f"{where}: unknown run option {key!r}")
        if key in ("allow-legacy", "dearmor"):
            if eq and value not in ("", "true"):
                raise TableError(f"{where}: {key} takes no value")
            run[key] = True
        elif key in LIST_KEYS:
            run[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            run[key] = value
    return run


FACT_RE = re.compile(r"^\s*([A-Za-z0-9_.\[\]:@*+\-]+?)\s*(!~|!=|#>=|#=|~|=)(.*)$")


def parse_facts(text: str, where: str) -> list:
    facts = []
    for item in filter(None, (s.strip() for s in text.split(";"))):
        m = FACT_RE.match(item)
        if not m:
            raise TableError(f"{where}: cannot parse fact {item!r}")
        path, op, value = m.group(1), m.group(2), m.group(3).strip()
        facts.append((path, op, value, item))
    if not facts:
        raise TableError(f"{where}: a case must state at least one fact")
    return facts


def load_table(corpus: str) -> list[Case]:
    path = HERE / f"{corpus}.tsv"
    defaults: dict = {}
    ids: dict = {}
    cases: list[Case] = []
    header_seen = False
    seen_names = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{lineno}"
        if not raw.strip():
            continue
        if raw.startswith("#@"):
            directive, _, rest = raw[2:].partition(" ")
            if directive == "defaults":
                defaults = parse_run(rest, where)
            elif directive == "id":
                name, eq, spec = rest.partition("=")
                if not eq:
                    raise TableError(f"{where}: #@id NAME = SPEC")
                ids[name.strip()] = spec.strip()
            else:
                raise TableError(f"{where}: unknown directive #@{directive}")
            continue
        if raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if not header_seen:
            if cols[:4] != ["file", "variant", "run", "expect"]:
                raise TableError(f"{where}: header must be file/variant/run/expect/skip/note")
            header_seen = True
            continue
        cols += [""] * (6 - len(cols))
        if len(cols) > 6:
            raise TableError(f"{where}: too many columns ({len(cols)})")
        file, variant, run_text, expect_text, skip, note = (c.strip() for c in cols)
        run = dict(defaults)
        run.update(parse_run(run_text, where))
        run["id"] = [ids.get(i, i) for i in run.get("id", [])]
        if skip and skip not in SKIP_REASONS:
            raise TableError(f"{where}: skip must be one of {sorted(SKIP_REASONS)}, not {skip!r}")
        case = Case(corpus, file, variant, run, parse_facts(expect_text, where), skip, note, lineno)
        if case.name in seen_names:
            raise TableError(f"{where}: duplicate case {case.name}")
        seen_names.add(case.name)
        cases.append(case)
    return cases


# ----------------------------------------------------------------------------- key material

def _once_per(kind: str):
    """Makes a Materials conversion run once per (kind, arguments), under the lock; later
    calls get the cached result."""
    def wrap(make):
        @functools.wraps(make)
        def cached(self, *args):
            key = (kind, *map(str, args))
            with self.lock:
                if key not in self.cache:
                    self.cache[key] = make(self, *args)
                return self.cache[key]
        return cached
    return wrap


class Materials:
    """Converts corpus certificates and keys to PEM files in a scratch directory (once)."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.lock = threading.Lock()
        self.cache: dict = {}
        self.counter = 0

    def _new(self, suffix: str) -> Path:
        self.counter += 1
        return self.scratch / f"m{self.counter}{suffix}"

    @staticmethod
    def _openssl(args: list, data: bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=60)

    @_once_per("cert")
    def cert_pem(self, src: Path) -> Path:
        """Any certificate file (PEM or DER) → PEM holding just the certificates."""
        raw = src.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in raw:
            blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", raw, re.S)
            pem = b"\n".join(blocks) + b"\n"
        else:
            r = self._openssl(["x509", "-inform", "DER", "-in", str(src)])
            if r.returncode != 0:
                raise RuntimeError(f"openssl cannot read certificate {src}: {r.stderr.decode(errors='replace')}")
            pem = r.stdout
        out = self._new(".crt.pem")
        out.write_bytes(pem)
        return out

    @_once_per("key")
    def key_pem(self, src: Path) -> Path:
        """Any private key file (PEM, or DER PKCS#8) → unencrypted PEM PKCS#8."""
        raw = src.read_bytes()
        form = "PEM" if b"-----BEGIN" in raw else "DER"
        r = self._openssl(["pkey", "-inform", form, "-in", str(src), "-passin", "pass:"])
        if r.returncode != 0:
            raise RuntimeError(f"openssl cannot read key {src}: {r.stderr.decode(errors='replace')}")
        out = self._new(".key.pem")
        out.write_bytes(r.stdout)
        os.chmod(out, 0o600)
        return out

    @_once_per("p12")
    def p12_pair(self, src: Path, password: str) -> tuple[Path, Path]:
        """PKCS#12 (DER, or PEM-armoured with an optional preamble) → (cert PEM, key PEM).
        Tries the default provider first, then -legacy (RC2-40 bags)."""
        raw = src.read_bytes()
        m = re.search(rb"-----BEGIN PKCS12-----(.*?)-----END PKCS12-----", raw, re.S)
        if m:
            der = base64.b64decode(b"".join(m.group(1).split()))
        else:
            der = raw
        p12 = self._new(".p12")
        p12.write_bytes(der)
        errors = []
        for extra in ([], ["-legacy"]):
            common = ["pkcs12", "-in", str(p12), "-passin", f"pass:{password}", *extra]
            rc = self._openssl([*common, "-clcerts", "-nokeys"])
            rk = self._openssl([*common, "-nocerts", "-nodes"])
            if rc.returncode == 0 and rk.returncode == 0 and b"BEGIN" in rk.stdout:
                cert = self._new(".crt.pem")
                cert.write_bytes(b"\n".join(re.findall(
                    rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", rc.stdout, re.S)) + b"\n")
                keyf = self._new(".key.pem")
                keyf.write_bytes(b"\n".join(re.findall(
                    rb"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", rk.stdout, re.S)) + b"\n")
                os.chmod(keyf, 0o600)
                return cert, keyf
            errors.append((rc.stderr + rk.stderr).decode(errors="replace").strip()[:300])
        raise RuntimeError(f"openssl cannot open PKCS#12 {src}: {' / '.join(errors)}")

    def identity(self, spec: str, base: Path) -> tuple[Path, Path]:
        """SPEC = FILE.p12:PASSWORD | CERT+KEY | COMBINED.pem (certificate and key in one file)."""
        if "+" in spec:
            c, k = spec.split("+", 1)
            return self.cert_pem(base / c), self.key_pem(base / k)
        m = re.match(r"^(.*\.(?:p12|pfx)):(.*)$", spec)
        if m:
            return self.p12_pair(base / m.group(1), m.group(2))
        return self.cert_pem(base / spec), self.key_pem(base / spec)

    @_once_per("dearmor")
    def dearmor(self, src: Path) -> Path:
        """gpgsm '-----BEGIN SIGNED/ENCRYPTED MESSAGE-----' armour → DER (a test-harness step;
        Sealpost's contract takes DER or '-----BEGIN CMS/PKCS7-----' PEM)."""
        text = src.read_text(encoding="latin-1")
        m = re.search(r"-----BEGIN [A-Z0-9 ]+-----\n(.*?)-----END [A-Z0-9 ]+-----", text, re.S)
        if not m:
            raise RuntimeError(f"no armour found in {src}")
        out = self._new(".der")
        out.write_bytes(base64.b64decode("".join(m.group(1).split())))
        return out


# ----------------------------------------------------------------------------- facts

ALIASES = {"sig": "signatures", "sigs": "signatures", "layer": "layers"}
SEG_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?$")
MISSING = object()


def literal(text: str):
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def norm_text(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


def resolve(verdict: dict, exit_code: int, path: str):
    """Returns a list of (label, value) pairs and a quantifier ('one', 'all', 'any')."""
    if path == "exit":
        return [("exit", exit_code)], "one"
    segs = re.findall(r"(?:[^.\[]|\[[^\]]*\])+", path)
    nodes = [("", verdict)]
    quant = "one"
    for seg in segs:
        m = SEG_RE.match(seg)
        if not m:
            raise TableError(f"bad path segment {seg!r} in {path!r}")
        name, sel = ALIASES.get(m.group(1), m.group(1)), m.group(2)
        nxt = []
        for label, node in nodes:
            value = node.get(name, MISSING) if isinstance(node, dict) else MISSING
            lab = f"{label}.{name}" if label else name
            if sel is None:
                nxt.append((lab, value))
                continue
            items = value if isinstance(value, list) else []
            if sel in ("*", "any"):
                quant = "all" if sel == "*" else "any"
                nxt.extend((f"{lab}[{i}]", v) for i, v in enumerate(items))
            elif re.fullmatch(r"-?\d+", sel):
                i = int(sel)
                nxt.append((f"{lab}[{i}]", items[i] if -len(items) <= i < len(items) else MISSING))
            elif sel.startswith("email:"):
                want = sel[6:].lower()
                hits = [(f"{lab}[{i}]", v) for i, v in enumerate(items)
                        if isinstance(v, dict) and str(v.get("signer_email", "")).lower() == want]
                if hits:
                    nxt.extend(hits)
                    quant = "all" if quant == "one" else quant
                else:
                    nxt.append((f"{lab}[email:{want}]", MISSING))
            else:
                raise TableError(f"bad selector [{sel}] in {path!r}")
        nodes = nxt
    return nodes, quant


def compare(key: str, op: str, actual, wanted_text: str, base: Path) -> bool:
    alts = wanted_text.split("|") if op in ("=", "!=") else [wanted_text]
    fold = "email" in key or "algorithm" in key

    def want_value(t):
        if t.startswith("@"):
            return norm_text((base / t[1:]).read_text(encoding="utf-8", errors="replace"))
        return literal(t) if op in ("=", "!=") else t

    def eq(a, w):
        if isinstance(a, bool) or isinstance(w, bool):
            return a is w
        if isinstance(a, str) and isinstance(w, str):
            a2, w2 = norm_text(a), w
            return a2.lower() == w2.lower() if fold else a2 == w2
        return a == w

    if op in ("=", "!="):
        if key == "layers" and isinstance(actual, list):
            # layers=signed,encrypted : the kinds of all layers, outermost first
            kinds = [x.get("kind") if isinstance(x, dict) else x for x in actual]
            hit = any(kinds == [k for k in w.split(",") if k] for w in alts)
        else:
            hit = actual is not MISSING and any(eq(actual, want_value(w)) for w in alts)
        return hit if op == "=" else not hit
    if op in ("~", "!~"):
        w = want_value(wanted_text)
        if actual is MISSING or actual is None:
            hit = False
        elif isinstance(actual, list):
            hit = any(eq(x, w) for x in actual)
        else:
            a = norm_text(str(actual))
            hit = (w.lower() in a.lower()) if fold else (w in a)
        return hit if op == "~" else not hit
    if op in ("#=", "#>="):
        if not isinstance(actual, (list, str)):
            return False
        n = int(wanted_text)
        return len(actual) == n if op == "#=" else len(actual) >= n
    raise TableError(f"unknown operator {op}")


def show(v) -> str:
    if v is MISSING:
        return "<absent>"
    if isinstance(v, list) and v and all(isinstance(x, dict) and "kind" in x for x in v):
        return ",".join(str(x.get("kind")) for x in v)
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 120 else s[:117] + "..."


def check_facts(case: Case, verdict: dict, exit_code: int, base: Path) -> list[str]:
    bad = []
    for path, op, wanted, text in case.facts:
        nodes, quant = resolve(verdict, exit_code, path)
        key = re.findall(r"(?:[^.\[]|\[[^\]]*\])+", path)[-1].split("[")[0]
        results = [(lab, val, compare(key, op, val, wanted, base)) for lab, val in nodes]
        if quant == "all":
            ok = all(r for _, _, r in results)
        elif quant == "any":
            ok = any(r for _, _, r in results)
        else:
            ok = all(r for _, _, r in results) and bool(results)
        if not ok:
            got = "; ".join(f"{lab}={show(val)}" for lab, val, r in results if not r or quant == "any") or "<none>"
            bad.append(f"{text} (got {got})")
    return bad


# ----------------------------------------------------------------------------- running

@dataclass
class Result:
    case: Case
    status: str  # PASS FAIL SKIP
    details: list = field(default_factory=list)


def contract_failure(case: Case, code: int, err: str):
    """A FAIL Result when the exit code is a crash or outside the CLI contract (0-4), else None."""
    if code < 0:
        return Result(case, "FAIL", [f"killed by signal {-code} (crash)", err[-300:]])
    if code not in (0, 1, 2, 3, 4):
        return Result(case, "FAIL", [f"exit code {code} is outside the contract (0-4)", err[-300:]])
    return None


def outcome(case: Case, details: list, err: str, note) -> Result:
    """PASS without details; else FAIL with them, the last stderr line and `note` (if any)."""
    if not details:
        return Result(case, "PASS")
    if err:
        details.append(f"stderr: {err.splitlines()[-1][:200]}")
    if note:
        details.append(note)
    return Result(case, "FAIL", details)


class Runner:
    def __init__(self, binary: Path, testdata: Path, scratch: Path, validator, verbose: bool, keep: bool):
        self.binary = binary
        self.testdata = testdata
        self.scratch = scratch
        self.validator = validator
        self.verbose = verbose
        self.keep = keep
        self.materials = Materials(scratch)

    def sealpost(self, profile: Path, args: list) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        env["HOME"] = str(profile)
        env.pop("SEALPOST_PROFILE", None)
        env.pop("SEALPOST_HOME", None)
        return subprocess.run([str(self.binary), "--profile", str(profile), *args],
                              capture_output=True, timeout=CASE_TIMEOUT, env=env, stdin=subprocess.DEVNULL)

    def source(self, case: Case, base: Path):
        """The case's corpus file (dearmored when the table says so), or a FAIL Result if it is missing."""
        src = base / case.file
        if not src.exists():
            return Result(case, "FAIL", [f"corpus file missing: {src}"])
        return self.materials.dearmor(src) if case.run.get("dearmor") else src

    def run_command(self, case: Case, profile: Path, args: list):
        """Runs the case's command, adding --allow-legacy to args when the table says so: the
        finished process, or a FAIL Result on timeout."""
        if case.run.get("allow-legacy"):
            args.append("--allow-legacy")
        try:
            return self.sealpost(profile, args)
        except subprocess.TimeoutExpired:
            return Result(case, "FAIL", [f"timeout after {CASE_TIMEOUT}s"])

    def run_case(self, case: Case, include_skipped: bool) -> Result:
        if case.skip and not include_skipped:
            return Result(case, "SKIP")
        base = self.testdata / case.corpus
        details: list = []
        profile = Path(tempfile.mkdtemp(prefix="profile-", dir=self.scratch))
        try:
            run = case.run
            cmd = run.get("cmd", "read")
            if cmd == "p12-import":
                return self.run_p12_import(case, base, profile)
            if cmd not in ("read", "verify"):
                return Result(case, "FAIL", [f"command {cmd!r} is not in the CLI contract yet"])
            # --- setup
            setup: list = []
            for t in run.get("trust", []):
                setup.append(["trust", "add", str(self.materials.cert_pem(base / t))])
            for t in run.get("inter", []):
                setup.append(["trust", "add", "--intermediate", str(self.materials.cert_pem(base / t))])
            for spec in run.get("id", []):
                cert, key = self.materials.identity(spec, base)
                setup.append(["identity", "add", "--cert", str(cert), "--key", str(key), "--as", "encryption"])
            for args in setup:
                r = self.sealpost(profile, args)
                if r.returncode != 0:
                    return Result(case, "FAIL", [f"setup `sealpost {' '.join(args[:2])}` exited {r.returncode}: "
                                                 f"{r.stderr.decode(errors='replace').strip()[:300]}"])
            # --- the command
            src = self.source(case, base)
            if isinstance(src, Result):
                return src
            args = [cmd, "--in", str(src), "--json"]
            if run.get("content"):
                args += ["--content", str(base / run["content"])]
            if run.get("at"):
                args += ["--at", run["at"]]
            r = self.run_command(case, profile, args)
            if isinstance(r, Result):
                return r
            code = r.returncode
            out = r.stdout.decode("utf-8", errors="replace")
            err = r.stderr.decode("utf-8", errors="replace").strip()
            broken = contract_failure(case, code, err)
            if broken is not None:
                return broken
            verdict = None
            if out.strip():
                try:
                    verdict = json.loads(out)
                except json.JSONDecodeError as e:
                    if code in (0, 1):
                        details.append(f"stdout is not JSON ({e}): {out[:200]!r}")
            if code in (0, 1) and verdict is None and not details:
                details.append("no JSON verdict on stdout")
            if isinstance(verdict, dict) and (code in (0, 1) or "signed" in verdict):
                errs = sorted(self.validator.iter_errors(verdict), key=lambda e: list(e.path))
                for e in errs[:5]:
                    details.append(f"schema: {'/'.join(map(str, e.path)) or '(root)'}: {e.message[:200]}")
                if "exit_code" in verdict and verdict["exit_code"] != code:
                    details.append(f"JSON exit_code={verdict['exit_code']} but the process exited {code}")
            if verdict is None or not isinstance(verdict, dict) or "signed" not in verdict:
                verdict = EMPTY_VERDICT if code == 3 else {}
            details += check_facts(case, verdict, code, base)
            return outcome(case, details, err, self.verbose and f"command: sealpost --profile P {' '.join(args)}")
        except (RuntimeError, TableError, OSError, subprocess.SubprocessError) as e:
            return Result(case, "FAIL", [f"harness: {e}"])
        finally:
            if not self.keep:
                shutil.rmtree(profile, ignore_errors=True)


    def run_p12_import(self, case: Case, base: Path, profile: Path) -> Result:
        """`cert import FILE --password-file F [--as ROLE]` on the corpus file in place, then
        facts over a pseudo-verdict: `certs` (`cert list --json` afterwards) and
        `profile_files` (files the import left in the profile; empty after a clean refusal)."""
        run = case.run
        src = self.source(case, base)
        if isinstance(src, Result):
            return src
        pw = Path(tempfile.mkstemp(prefix="p12pw-", dir=self.scratch)[1])
        pw.write_bytes(run.get("password", "").encode("utf-8"))
        args = ["cert", "import", str(src), "--password-file", str(pw)]
        if run.get("as"):
            args += ["--as", run["as"]]
        try:
            r = self.run_command(case, profile, args)
        finally:
            pw.unlink(missing_ok=True)
        if isinstance(r, Result):
            return r
        code = r.returncode
        err = r.stderr.decode("utf-8", errors="replace").strip()
        broken = contract_failure(case, code, err)
        if broken is not None:
            return broken
        details = []
        if code != 0 and (not err or len(err.splitlines()) != 1):
            details.append(f"a refused import must print one error line, got {err[-300:]!r}")
        files = sorted(str(p.relative_to(profile)) for p in profile.rglob("*") if p.is_file())
        listed = self.sealpost(profile, ["cert", "list", "--json"])
        try:
            certs = json.loads(listed.stdout) if listed.returncode == 0 else MISSING
        except json.JSONDecodeError:
            certs = MISSING
        if certs is MISSING:
            details.append(f"`cert list --json` exited {listed.returncode}: "
                           f"{listed.stderr.decode(errors='replace').strip()[:200]}")
            certs = []
        verdict = {"certs": certs, "profile_files": files}
        details += check_facts(case, verdict, code, base)
        return outcome(case, details, err,
                       self.verbose and f"command: sealpost --profile P {' '.join(args)}; certs: {show(certs)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="*", help=f"corpora to run (default all): {', '.join(CORPORA)}")
    ap.add_argument("-j", "--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("-k", "--filter", default="", help="only cases whose name contains this text")
    ap.add_argument("--include-skipped", action="store_true", help="also run cases marked skip (they may fail)")
    ap.add_argument("--keep", action="store_true", help="keep scratch profiles for debugging")
    ap.add_argument("--check-tables", action="store_true", help="only parse the tables and exit")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()

    corpora = opts.corpora or CORPORA
    for c in corpora:
        if c not in CORPORA:
            print(f"unknown corpus {c!r}; known: {', '.join(CORPORA)}", file=sys.stderr)
            return 2
    try:
        tables = {c: load_table(c) for c in corpora}
    except (TableError, OSError) as e:
        print(f"corpus: table error: {e}", file=sys.stderr)
        return 2
    if opts.check_tables:
        for c, cases in tables.items():
            print(f"{c}: {len(cases)} cases, {sum(1 for x in cases if x.skip)} marked skip")
        return 0

    testdata = Path(os.environ.get("SEALPOST_TESTDATA") or (REPO.parent / "shared" / "testdata"))
    if not testdata.is_dir():
        print(f"SKIP corpus: testdata directory not found at {testdata} "
              f"(set SEALPOST_TESTDATA to the shared testdata); nothing was run")
        # 77: CTest reports the test as skipped (SKIP_RETURN_CODE), never as passed.
        return 77
    missing = [c for c in corpora if not (testdata / c).is_dir()]
    if missing:
        print(f"corpus: testdata present at {testdata} but corpora missing: {', '.join(missing)}", file=sys.stderr)
        return 2

    binary = os.environ.get("SEALPOST_BIN") or str(REPO / "build" / "src" / "cli" / "sealpost")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"corpus: sealpost binary not found or not executable: {binary} (set SEALPOST_BIN)", file=sys.stderr)
        return 2
    if shutil.which("openssl") is None:
        print("corpus: the openssl CLI is needed to convert corpus keys", file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("corpus: python3-jsonschema is missing (apt-get install python3-jsonschema)", file=sys.stderr)
        return 2
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)

    scratch = Path(tempfile.mkdtemp(prefix="sealpost-corpus-"))
    # Run a private copy, so that a rebuild during the run cannot swap the binary under us.
    snapshot = scratch / "sealpost"
    shutil.copy2(Path(binary).resolve(), snapshot)
    runner = Runner(snapshot, testdata, scratch, validator, opts.verbose, opts.keep)
    totals = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    summary_lines = []
    try:
        for corpus in corpora:
            cases = [c for c in tables[corpus] if opts.filter in c.name]
            counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
            with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
                results = list(pool.map(lambda c: runner.run_case(c, opts.include_skipped), cases))
            for res in results:
                counts[res.status] += 1
                if res.status == "PASS":
                    print(f"PASS {res.case.name}")
                elif res.status == "SKIP":
                    print(f"SKIP({res.case.skip}) {res.case.name}")
                else:
                    tag = f" (marked skip: {res.case.skip})" if res.case.skip else ""
                    print(f"FAIL {res.case.name}{tag}")
                    for d in res.details:
                        print(f"    - {d}")
            line = f"{corpus}: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped"
            print(line)
            summary_lines.append(line)
            sys.stdout.flush()
            for k in totals:
                totals[k] += counts[k]
    finally:
        if not opts.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"(scratch kept in {scratch})")
    if len(summary_lines) > 1:
        for line in summary_lines:
            print(line)
    print(f"corpus: {totals['PASS']} passed, {totals['FAIL']} failed, {totals['SKIP']} skipped")
    return 1 if totals["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())

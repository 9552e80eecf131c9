# SPDX-License-Identifier: Apache-2.0
"""Run the `sealpost` binary from Python tests: throwaway profiles, exit codes, and --json
verdicts validated against docs/verdict.schema.json (every JSON verdict, every time).

Binary: $SEALPOST_BIN, else `--sealpost PATH` on the test's command line (see
take_binary_arg), else build/src/cli/sealpost in the repository. A missing binary makes the
calling test FAIL, never skip: a suite that silently skips proves nothing.
"""

import json
import os
import signal
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "docs" / "verdict.schema.json"
DEFAULT_BIN = REPO / "build" / "src" / "cli" / "sealpost"

# Exit codes of the CLI contract.
OK, NOT_GOOD, USAGE, BAD_INPUT, NETWORK = 0, 1, 2, 3, 4

_binary_arg = None
_validator = None


def take_binary_arg(argv):
    """Removes `--sealpost PATH` from argv (before unittest sees it) and remembers PATH."""
    global _binary_arg
    if "--sealpost" in argv:
        i = argv.index("--sealpost")
        _binary_arg = argv[i + 1]
        del argv[i:i + 2]
    return argv


def binary_path():
    return Path(os.environ.get("SEALPOST_BIN") or _binary_arg or DEFAULT_BIN)


def _schema_validator():
    global _validator
    if _validator is None:
        import jsonschema  # Debian: python3-jsonschema
        schema = json.loads(SCHEMA_PATH.read_text())
        _validator = jsonschema.Draft202012Validator(schema)
    return _validator


def validate_verdict(verdict, rc=None):
    """Raises AssertionError unless verdict matches the schema (and its exit_code, if any, rc)."""
    errors = sorted(_schema_validator().iter_errors(verdict), key=lambda e: list(e.path))
    problems = [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]
    # `read --json` may add the decoded text of the first text leaf; not in the schema yet.
    if "body" in verdict and not isinstance(verdict["body"], (str, type(None))):
        problems.append("body: must be a string or null")
    if rc is not None and "exit_code" in verdict and verdict["exit_code"] != rc:
        problems.append(f"exit_code {verdict['exit_code']} differs from the process exit code {rc}")
    if problems:
        raise AssertionError("verdict violates docs/verdict.schema.json:\n  "
                             + "\n  ".join(problems) + "\n" + json.dumps(verdict, indent=2))
    return verdict


class Result:
    def __init__(self, args, proc):
        self.args, self.rc = args, proc.returncode
        self.stdout, self.stderr = proc.stdout, proc.stderr

    def describe(self):
        return (f"$ {' '.join(map(str, self.args))}\n-> exit {self.rc}\n"
                f"stdout: {self.stdout.decode(errors='replace')[:2000]}\n"
                f"stderr: {self.stderr.decode(errors='replace')[:2000]}")


def crashed(result):
    """A description of a crash (signal exit, sanitizer report, uncaught exception), or None."""
    problems = []
    if result.rc < 0:
        problems.append(f"killed by signal {signal.Signals(-result.rc).name}")
    if result.rc >= 128:
        problems.append(f"exit {result.rc} looks like a signal")
    err = result.stderr.decode(errors="replace")
    for marker in ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
                   "internal error", "terminate called", "Segmentation fault"):
        if marker in err:
            problems.append(f"stderr mentions {marker!r}")
    return "; ".join(problems) or None


class Sealpost:
    """One profile directory and the binary that works on it."""

    def __init__(self, profile, binary=None, timeout=60):
        self.binary = Path(binary) if binary else binary_path()
        if not (self.binary.is_file() and os.access(self.binary, os.X_OK)):
            raise AssertionError(f"sealpost binary not found or not executable: {self.binary} "
                                 "(build it, or set SEALPOST_BIN)")
        self.profile = Path(profile)
        self.timeout = timeout

    def run(self, *args, expect=None, input=None):
        """Runs `sealpost --profile P ARGS` (`input`: bytes on its standard input); with
        expect, asserts the exit code."""
        argv = [self.binary, "--profile", self.profile, *args]
        # HOME points into the sandbox so a profile-handling bug cannot touch ~/.sealpost.
        env = dict(os.environ, HOME=str(self.profile.parent))
        env.pop("SEALPOST_HOME", None)
        proc = subprocess.run([str(a) for a in argv], capture_output=True, env=env,
                              timeout=self.timeout, input=input)
        result = Result(argv, proc)
        if expect is not None and result.rc != expect:
            raise AssertionError(f"expected exit {expect}\n{result.describe()}")
        return result

    def json(self, *args, expect=None):
        """Runs a --json command; returns (Result, verdict) after schema validation."""
        result = self.run(*args, "--json", expect=expect)
        try:
            verdict = json.loads(result.stdout)
        except ValueError as e:
            raise AssertionError(f"stdout is not JSON ({e})\n{result.describe()}") from None
        try:
            validate_verdict(verdict, result.rc)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{result.describe()}") from None
        return result, verdict

    # The commands of the CLI contract.
    def identity_add(self, cert, key, as_=None):
        return self.run("identity", "add", "--cert", cert, "--key", key,
                        *(["--as", as_] if as_ else []), expect=OK)

    def trust_add(self, ca):
        return self.run("trust", "add", ca, expect=OK)

    def trust_add_intermediate(self, ca):
        return self.run("trust", "add", "--intermediate", ca, expect=OK)

    def sign(self, inp, out, opaque=False, digest=None, pss=False, expect=OK):
        return self.run("sign", "--in", inp, "--out", out, *(["--opaque"] if opaque else []),
                        *(["--digest", digest] if digest else []), *(["--pss"] if pss else []),
                        expect=expect)

    def encrypt(self, inp, out, recipients=(), cipher=None, oaep=False, expect=OK):
        return self.run("encrypt", "--in", inp, "--out", out, *_recipients(recipients),
                        *(["--cipher", cipher] if cipher else []), *(["--oaep"] if oaep else []),
                        expect=expect)

    def protect(self, inp, out, recipients=(), expect=OK):
        return self.run("protect", "--sign", "--encrypt", "--in", inp, "--out", out,
                        *_recipients(recipients), expect=expect)

    def decrypt(self, inp, out, expect=None):
        return self.run("decrypt", "--in", inp, "--out", out, expect=expect)

    def verify(self, inp, *extra, expect=None):
        return self.json("verify", "--in", inp, *extra, expect=expect)

    def read(self, inp, *extra, expect=None):
        return self.json("read", "--in", inp, *extra, expect=expect)


def _recipients(certs):
    return [a for c in certs for a in ("--recipient-cert", c)]


def make_profile(directory, identities=(), anchors=(), intermediates=(), binary=None):
    """Creates a profile in directory/profile.

    identities: (cert, key, as) triples, as in signing|encryption|both|None."""
    sp = Sealpost(Path(directory) / "profile", binary)
    sp.profile.mkdir(mode=0o700, parents=True, exist_ok=True)
    for ca in anchors:
        sp.trust_add(ca)
    for ca in intermediates:
        sp.trust_add_intermediate(ca)
    for cert, key, as_ in identities:
        sp.identity_add(cert, key, as_)
    return sp

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Sealpost against the three peers, same plaintexts, one run, one table.

Each tool signs, verifies, encrypts and decrypts in its own usual form: Sealpost and
`openssl cms` S/MIME messages (base64), gpgsm and NSS `cmsutil` binary DER CMS (they have no
S/MIME output). Every figure is the median wall time of three runs (one run at 1 GiB; a
single run at 200 MiB moved by up to 2x on this VM) of one process per operation, like a mail client calling the tool; peak RSS comes
from `/usr/bin/time -v`. Sealpost is driven through its CLI (`sealpost sign|verify|encrypt|
decrypt --in F --out F`) with its vault unlocked for the session (`keystore unlock`), as
gpgsm's figures have gpg-agent's cached passphrase; the rows "sign, vault locked" and
"decrypt, vault locked" show the same work unlocking the vault in every process (scrypt at
the release floor N=32768, as the test policy sets). The mailbox row: 1,000 signed 4 KiB
messages, `sealpost verify --maildir` against one process per message for each peer, two
processes at a time (both cores).

Environment: BENCH_QUICK=1 (4 KiB and 100 KiB, 100-message mailbox), BENCH_HUGE=1 (adds
1 GiB), BENCH_SIZES=200M,1G,mailbox (only these rows), BENCH_CHECK=1 (exit 1
unless the table is complete), BENCH_KEEP=DIR (work there).
"""

import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "support"))
sys.path.insert(0, str(REPO / "tests" / "interop"))

import testpki  # noqa: E402
from interop_mime import split_signed  # noqa: E402
from peers import sha1_fingerprint  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
HUGE = os.environ.get("BENCH_HUGE") == "1"
CHECK = os.environ.get("BENCH_CHECK") == "1"
KIB, MIB = 1 << 10, 1 << 20
SIZES = [4 * KIB, 100 * KIB] if QUICK else [4 * KIB, 100 * KIB, 10 * MIB, 200 * MIB] + ([1024 * MIB] if HUGE else [])
ONLY = [t for t in os.environ.get("BENCH_SIZES", "").split(",") if t]
if ONLY:  # e.g. "200M,1G": only these rows; "mailbox" among them adds the mailbox row
    units = {"K": KIB, "M": MIB, "G": 1024 * MIB}
    SIZES = [int(t[:-1]) * units[t[-1].upper()] for t in ONLY if t != "mailbox"]
MAILBOX = 100 if QUICK else 1000
PEERS = ["openssl", "gpgsm", "nss"]
NA = "n/a"


def size_name(n):
    return f"{n // MIB} MiB" if n >= MIB else f"{n // KIB} KiB"


def run(args, env=None, input=None, check=True):
    p = subprocess.run([str(a) for a in args], capture_output=True, env=env, input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr.decode(errors='replace')[-2000:]}")
    return p


def timed(args, env=None, input=None, ok=lambda p: p.returncode == 0):
    """(seconds, peak RSS in MiB) of one run under /usr/bin/time -v."""
    # Every run starts with nothing dirty in the page cache: the peers do not fsync their
    # output, so the kernel would otherwise write it back during the next run (Sealpost's
    # fsync waited for NSS's 270 MB, halving its 10-recipient row).
    os.sync()
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *map(str, args)], capture_output=True, env=env, input=input)
    seconds = time.perf_counter() - start
    if not ok(p):
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr.decode(errors='replace')[-2000:]}")
    m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return seconds, int(m.group(1)) / 1024 if m else float("nan")


def measure(args, size, env=None, input=None, ok=lambda p: p.returncode == 0):
    reps = 1 if size >= 1024 * MIB else 3
    runs = [timed(args, env, input, ok) for _ in range(reps)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


class Setup:
    def __init__(self, work, sealpost):
        self.work, self.sealpost = work, sealpost
        self.pki = testpki.build(work / "pki")
        p = self.pki
        self.extra = {"rsa": [], "ec": []}
        self._extra_recipients()
        # Sealpost: alice signs and encrypts, bob decrypts; both trust the test root.
        self.passphrase = work / "passphrase"
        self.passphrase.write_text("bench vault passphrase\n")
        self.policy = work / "policy.toml"
        self.policy.write_text('vault_kdf_n = 32768\nrevocation = "off"\n')
        self.env = dict(os.environ, SEALPOST_PASSPHRASE_FILE=str(self.passphrase), SEALPOST_POLICY=str(self.policy))
        for prof, ids in {"alice-rsa": [("alice", "rsa")], "alice-ec": [("alice", "ec256")],
                          "bob-rsa": [("bob", "rsa")], "bob-ec": [("bob", "ec256")]}.items():
            d = work / prof
            d.mkdir(mode=0o700)
            self.sp(prof, "trust", "add", p.root)
            self.sp(prof, "trust", "add", "--intermediate", p.intermediate)  # carried in what alice signs
            for n, k in ids:
                self.sp(prof, "identity", "add", "--cert", p.cert(n, k), "--key", p.key(n, k), "--as", "both")
        self.profiles = ["alice-rsa", "alice-ec", "bob-rsa", "bob-ec"]
        self.unlocked = all(self.unlock(prof) for prof in self.profiles)
        if not self.unlocked:
            print("compare: no kernel keyring here: Sealpost's sign and decrypt unlock the vault every time",
                  file=sys.stderr)
        # gpgsm (RSA only: 2.2 crashes importing EC keys from PKCS#12).
        self.gnupg = Path(tempfile.mkdtemp(prefix="gb-", dir="/tmp"))
        (self.gnupg / "gpgsm.conf").write_text("disable-crl-checks\ndisable-trusted-cert-crl-check\ndisable-dirmngr\nno-common-certs-import\n")
        (self.gnupg / "gpg-agent.conf").write_text("allow-loopback-pinentry\n")
        self.genv = dict(os.environ, GNUPGHOME=str(self.gnupg))
        self.gpgsm("--import", p.root, p.intermediate)
        (self.gnupg / "trustlist.txt").write_text(f"{sha1_fingerprint(p.root)} S relax\n")
        for n in ("alice", "bob"):
            imported = p.import_legacy_p12(n, "rsa", lambda path: run(
                self.gpgsm_args("--import", path), env=self.genv, input=b"test\n", check=False).returncode == 0)
            if not imported:
                raise RuntimeError(f"gpgsm cannot import {n}'s PKCS#12")
        for c in self.extra["rsa"]:
            self.gpgsm("--import", c)
        # NSS.
        self.nssdb = "sql:" + str(work / "nssdb")
        (work / "nssdb").mkdir()
        run(["certutil", "-N", "-d", self.nssdb, "--empty-password"])
        for n, k in (("alice", "rsa"), ("alice", "ec256"), ("bob", "rsa"), ("bob", "ec256")):
            run(["pk12util", "-i", p.p12(n, k), "-d", self.nssdb, "-W", "test", "-K", ""])
        run(["certutil", "-A", "-n", "root", "-t", "C,C,C", "-i", p.root, "-d", self.nssdb])
        for i, c in enumerate(self.extra["rsa"]):
            run(["certutil", "-A", "-n", f"extra-rsa-{i}", "-t", ",,", "-i", c, "-d", self.nssdb])

    def _extra_recipients(self):
        """Nine more encryption certificates per key type, so 10 recipients are distinct."""
        p, d = self.pki, self.work / "extra"
        d.mkdir()
        for kind, spec, ku in (("rsa", ["-newkey", "rsa:2048"], "keyEncipherment"),
                               ("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "keyAgreement")):
            for i in range(9):
                key, cert, ext = d / f"{kind}{i}.key", d / f"{kind}{i}.pem", d / f"{kind}{i}.ext"
                ext.write_text(f"basicConstraints=critical,CA:false\nkeyUsage=critical,{ku}\n"
                               f"extendedKeyUsage=emailProtection\nsubjectAltName=email:r{i}@example.org\n")
                run(["openssl", "req", "-new", *spec, "-nodes", "-keyout", key, "-subj", f"/CN=r{i} {kind}",
                     "-out", d / f"{kind}{i}.csr"])
                run(["openssl", "x509", "-req", "-in", d / f"{kind}{i}.csr", "-CA", p.intermediate,
                     "-CAkey", p.intermediate_key, "-CAcreateserial", "-days", "365", "-extfile", ext, "-out", cert])
                self.extra[kind].append(cert)

    def unlock(self, prof):
        done = subprocess.run([str(self.sealpost), "--profile", str(self.work / prof), "keystore", "unlock", "--for", "1h"],
                              env=self.env, capture_output=True)
        return done.returncode == 0

    def lock(self, prof):
        subprocess.run([str(self.sealpost), "--profile", str(self.work / prof), "keystore", "lock"],
                       env=self.env, capture_output=True)

    def sp(self, prof, *args):
        return run([self.sealpost, "--profile", self.work / prof, *args], env=self.env)

    def sp_args(self, prof, *args):
        return [self.sealpost, "--profile", self.work / prof, *args]

    def gpgsm_args(self, *args):
        return ["gpgsm", "--batch", "--pinentry-mode", "loopback", "--passphrase-fd", "0", *args]

    def gpgsm(self, *args):
        return run(self.gpgsm_args(*args), env=self.genv, input=b"test\n")

    def close(self):
        for prof in self.profiles:
            self.lock(prof)  # never leave unlock keys in the user's keyring
        subprocess.run(["gpgconf", "--kill", "all"], env=self.genv, capture_output=True)
        shutil.rmtree(self.gnupg, ignore_errors=True)


def make_inputs(work, size):
    """The plaintext at `size` as an RFC 5322 message (Sealpost), a MIME entity (openssl)
    and bare data (gpgsm, NSS): the same text in each."""
    line = b"The quarterly numbers, line after line of ordinary text for the benchmark.\r\n"
    body = (line * (size // len(line) + 1))[:size]
    entity_head = b"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
    headers = (b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: bench\r\n"
               b"MIME-Version: 1.0\r\n")
    d = work / f"in-{size}"
    d.mkdir(exist_ok=True)
    (d / "message.eml").write_bytes(headers + entity_head + body)
    (d / "entity.txt").write_bytes(entity_head + body)
    (d / "data.bin").write_bytes(body)
    return d


def bench_size(s, size, results):
    d = make_inputs(s.work, size)
    p = s.pki
    msg, entity, data = d / "message.eml", d / "entity.txt", d / "data.bin"
    for key, alice, bob, sp_alice, sp_bob in (("RSA-2048", ("alice", "rsa"), ("bob", "rsa"), "alice-rsa", "bob-rsa"),
                                              ("P-256", ("alice", "ec256"), ("bob", "ec256"), "alice-ec", "bob-ec")):
        rsa = key == "RSA-2048"
        # --- sign / verify -------------------------------------------------------------
        row = results.setdefault(("sign", size, key, 1), {})
        row["sealpost"] = measure(s.sp_args(sp_alice, "sign", "--in", msg, "--out", d / "sp.sig.eml"), size, s.env)
        row["openssl"] = measure(["openssl", "cms", "-sign", "-binary", "-in", entity, "-signer", p.cert(*alice),
                                  "-inkey", p.key(*alice), "-certfile", p.ca_chain, "-out", d / "os.sig.eml"], size)
        row["gpgsm"] = (measure(s.gpgsm_args("--yes", "--detach-sign", "--include-certs", "-2", "--local-user",
                                             sha1_fingerprint(p.cert(*alice), colons=False), "--output", d / "g.p7s", data),
                                size, s.genv, b"test\n") if rsa else NA)
        row["nss"] = measure(["cmsutil", "-S", "-N", nss_nick(s, alice), "-G", "-P",
                              "-Y", nss_nick(s, alice), "-T", "-i", data, "-o", d / "n.p7s", "-d", s.nssdb], size)
        locked_row(s, results, ("sign, vault locked", size, key, 1), row, sp_alice,
                   s.sp_args(sp_alice, "sign", "--in", msg, "--out", d / "sp.sig.eml"), size)
        row = results.setdefault(("verify", size, key, 1), {})
        row["sealpost"] = measure(s.sp_args(sp_bob, "verify", "--in", d / "sp.sig.eml"), size, s.env)
        row["openssl"] = measure(["openssl", "cms", "-verify", "-in", d / "os.sig.eml", "-CAfile", p.root,
                                  "-out", "/dev/null"], size)
        row["gpgsm"] = (measure(s.gpgsm_args("--verify", d / "g.p7s", data), size, s.genv, b"test\n") if rsa else NA)
        row["nss"] = measure(["cmsutil", "-D", "-n", "-h", "2", "-i", d / "n.p7s", "-c", data, "-d", s.nssdb, "-u", "4"], size,
                             ok=lambda pr: pr.returncode == 0 and b"GoodSignature" in pr.stdout)
        # --- encrypt / decrypt, 1 and 10 recipients ---------------------------------------
        for n in (1, 10):
            extra = s.extra["rsa" if rsa else "ec"][: n - 1]
            certs = [p.cert(*bob), *extra]
            row = results.setdefault(("encrypt", size, key, n), {})
            row["sealpost"] = measure(s.sp_args(sp_alice, "encrypt", "--in", msg, "--out", d / f"sp.enc{n}.eml",
                                                *[a for c in certs for a in ("--recipient-cert", c)]), size, s.env)
            row["openssl"] = measure(["openssl", "cms", "-encrypt", "-binary", "-stream", "-aes256", "-in", entity,
                                      "-out", d / f"os.enc{n}.eml", *certs], size)
            row["gpgsm"] = (measure(s.gpgsm_args("--yes", "--encrypt", "--cipher-algo", "AES256",
                                                 *[a for c in certs for a in ("--recipient", sha1_fingerprint(c, colons=False))],
                                                 "--output", d / f"g.enc{n}", data), size, s.genv, b"test\n") if rsa else NA)
            row["nss"] = (measure(["cmsutil", "-E", "-r", ",".join([nss_nick(s, bob)] + [f"extra-rsa-{i}" for i in range(n - 1)]),
                                   "-i", data, "-o", d / f"n.enc{n}", "-d", s.nssdb], size) if rsa else NA)
            row = results.setdefault(("decrypt", size, key, n), {})
            row["sealpost"] = measure(s.sp_args(sp_bob, "decrypt", "--in", d / f"sp.enc{n}.eml", "--out", d / "sp.dec"),
                                      size, s.env)
            row["openssl"] = measure(["openssl", "cms", "-decrypt", "-binary", "-in", d / f"os.enc{n}.eml",
                                      "-recip", p.cert(*bob), "-inkey", p.key(*bob), "-out", d / "os.dec"], size)
            row["gpgsm"] = (measure(s.gpgsm_args("--yes", "--decrypt", "--output", d / "g.dec", d / f"g.enc{n}"),
                                    size, s.genv, b"test\n") if rsa else NA)
            row["nss"] = (measure(["cmsutil", "-D", "-i", d / f"n.enc{n}", "-o", d / "n.dec", "-d", s.nssdb], size)
                          if rsa else NA)
            if n == 1:
                locked_row(s, results, ("decrypt, vault locked", size, key, 1), row, sp_bob,
                           s.sp_args(sp_bob, "decrypt", "--in", d / f"sp.enc{n}.eml", "--out", d / "sp.dec"), size)
        if rsa:
            bench_gcm(s, results, d, size, key, p.cert(*bob), p.key(*bob), sp_alice, sp_bob)
    shutil.rmtree(d, ignore_errors=True)


def bench_gcm(s, results, d, size, key, bob_cert, bob_key, sp_alice, sp_bob):
    """AES-256-GCM (AuthEnvelopedData) beside the AES-256-CBC rows above. CBC encryption
    is serial (each block waits for the last), ~0.9 GB/s per core here for Sealpost and
    openssl alike, so the CBC rows measure that; GCM shows what the engine itself costs.
    gpgsm 2.2 and NSS 3.87 cannot write AuthEnvelopedData."""
    msg, entity = d / "message.eml", d / "entity.txt"
    row = results.setdefault(("encrypt, AES-256-GCM", size, key, 1), {})
    row["sealpost"] = measure(s.sp_args(sp_alice, "encrypt", "--cipher", "aes-256-gcm", "--in", msg,
                                        "--out", d / "sp.gcm.eml", "--recipient-cert", bob_cert), size, s.env)
    row["openssl"] = measure(["openssl", "cms", "-encrypt", "-binary", "-stream", "-aes-256-gcm", "-in", entity,
                              "-out", d / "os.gcm.eml", bob_cert], size)
    row["gpgsm"] = row["nss"] = NA
    row = results.setdefault(("decrypt, AES-256-GCM", size, key, 1), {})
    row["sealpost"] = measure(s.sp_args(sp_bob, "decrypt", "--in", d / "sp.gcm.eml", "--out", d / "sp.dec"), size, s.env)
    row["openssl"] = measure(["openssl", "cms", "-decrypt", "-binary", "-in", d / "os.gcm.eml",
                              "-recip", bob_cert, "-inkey", bob_key, "-out", d / "os.dec"], size)
    row["gpgsm"] = row["nss"] = NA


def locked_row(s, results, name, unlocked_row, prof, args, size):
    """The same Sealpost command with the vault locked (scrypt in the process), against the
    same peer figures; nothing when the session could not be unlocked in the first place."""
    if not s.unlocked:
        return
    s.lock(prof)
    try:
        row = results.setdefault(name, {})
        row["sealpost"] = measure(args, size, s.env)
        for peer in PEERS:
            row[peer] = unlocked_row[peer]
    finally:
        s.unlock(prof)


def nss_nick(s, identity):
    """pk12util names an imported key by the PKCS#12 friendly name, name-kind."""
    return f"{identity[0]}-{identity[1]}"


def bench_mailbox(s, results):
    mbox = s.work / "Maildir"
    run(["/usr/bin/python3", HERE / "make_mailbox.py", s.pki.dir, mbox, MAILBOX, "rsa"])
    files = sorted((mbox / "cur").iterdir())
    jobs = os.cpu_count() or 2
    row = results.setdefault(("mailbox", 4 * KIB, "RSA-2048", 1), {})
    row["sealpost"] = measure(s.sp_args("bob-rsa", "verify", "--maildir", mbox), 0, s.env)
    row["sealpost-1"] = measure(s.sp_args("bob-rsa", "verify", "--maildir", mbox, "--jobs", "1"), 0, s.env)
    # The peers' inputs: openssl reads the messages; gpgsm and NSS the DER signature and
    # the signed entity, split out beforehand (not timed).
    split = s.work / "split"
    split.mkdir()
    for i, f in enumerate(files):
        content, sig = split_signed(f.read_bytes())
        (split / f"{i}.p7s").write_bytes(sig)
        (split / f"{i}.txt").write_bytes(content)

    def per_message(make_args, env=None, input=None, ok=lambda p: p.returncode == 0):
        def one(i):
            return timed(make_args(i), env, input, ok)[1]
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            rss = max(pool.map(one, range(len(files))))
        return time.perf_counter() - start, rss

    row["openssl"] = per_message(lambda i: ["openssl", "cms", "-verify", "-in", files[i], "-CAfile", s.pki.root,
                                            "-out", "/dev/null"])
    row["gpgsm"] = per_message(lambda i: s.gpgsm_args("--verify", split / f"{i}.p7s", split / f"{i}.txt"),
                               s.genv, b"test\n")
    row["nss"] = per_message(lambda i: ["cmsutil", "-D", "-n", "-h", "2", "-i", split / f"{i}.p7s", "-c", split / f"{i}.txt",
                                        "-d", s.nssdb, "-u", "4"],
                             ok=lambda pr: pr.returncode == 0 and b"GoodSignature" in pr.stdout)


def versions(sealpost):
    out = []
    for name, args in (("sealpost", ["git", "-C", REPO, "describe", "--always", "--dirty"]), ("openssl", ["openssl", "version"]),
                       ("gpgsm", ["gpgsm", "--version"]), ("nss", ["dpkg-query", "-W", "-f", "${Version}", "libnss3"])):
        p = subprocess.run([str(a) for a in args], capture_output=True)
        text = (p.stdout or p.stderr).decode(errors="replace").splitlines()
        out.append(f"{name} {text[0] if text else '?'}")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "?")
    return f"{os.cpu_count()} cores, {cpu}; " + "; ".join(out)


def render(results):
    """One Markdown table: each tool's throughput and peak RSS, and Sealpost's ratio to it."""
    lines = ["| operation | size | key | rcpts | Sealpost | openssl cms | × | gpgsm | × | NSS cmsutil | × |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    complete = True

    def cell(v, size, count=None):
        if v == NA:
            return NA
        seconds, rss = v
        if count:
            return f"{count / seconds:,.0f} msg/s, {rss:.0f} MB"
        rate = size / MIB / seconds
        return (f"{rate:,.1f} MiB/s" if size >= MIB else f"{1 / seconds:,.1f} op/s") + f", {rss:.0f} MB"

    for (op, size, key, n), row in results.items():
        count = MAILBOX if op == "mailbox" else None
        sp = row.get("sealpost")
        cols = [cell(sp, size, count) if sp else "missing"]
        if op == "mailbox" and "sealpost-1" in row:
            cols[0] += f" ({cell(row['sealpost-1'], size, count).split(' msg/s')[0]} msg/s on 1 thread)"
        for peer in PEERS:
            v = row.get(peer)
            if v is None:
                complete = False
                cols += ["missing", ""]
                continue
            cols.append(cell(v, size, count))
            cols.append(NA if v == NA or not sp else f"{v[0] / sp[0]:.2f}")
        label = f"{MAILBOX} × 4 KiB" if op == "mailbox" else size_name(size)
        lines.append(f"| {op} | {label} | {key} | {n} | " + " | ".join(cols) + " |")
    return "\n".join(lines), complete


def main():
    sealpost = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build" / "src" / "cli" / "sealpost").resolve()
    if not os.access(sealpost, os.X_OK):
        print(f"compare: no sealpost binary at {sealpost} (build it first)", file=sys.stderr)
        return 2
    for tool in ("openssl", "gpgsm", "cmsutil", "certutil", "pk12util", "/usr/bin/time"):
        if not shutil.which(tool):
            print(f"compare: {tool} is missing (scripts/install-deps.sh installs it)", file=sys.stderr)
            return 2
    keep = os.environ.get("BENCH_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="sealpost-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    s = Setup(work, sealpost)
    results = {}
    try:
        for size in SIZES:
            print(f"compare: {size_name(size)} ...", file=sys.stderr, flush=True)
            bench_size(s, size, results)
        if not ONLY or "mailbox" in ONLY:
            print(f"compare: mailbox of {MAILBOX} ...", file=sys.stderr, flush=True)
            bench_mailbox(s, results)
    finally:
        s.close()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    table, complete = render(results)
    print(f"Sealpost vs peers, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}{' (quick)' if QUICK else ''}")
    print(versions(sealpost))
    print("Throughput (op/s for one process per small message, MiB/s from 10 MiB), peak RSS; "
          "× = peer time / Sealpost time (above 1: Sealpost is faster).\n")
    print(table)
    print(f"\n({time.time() - started:.0f} s)")
    if CHECK and not complete:
        print("compare: the table is incomplete", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

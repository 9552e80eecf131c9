#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Identities: PKCS#12 import of every flavour, the key vault, cert list/show/export/remove,
settings and policy, and enrolment (cert request / import-issued), through the real binary.

Every case that must work has a twin that must fail for the stated reason (a wrong
password, a missing chain, a wrong purpose, a locked key, ...), and the assertion checks
that reason (the message, the stored state), not only the exit code.

Run:  /usr/bin/python3 tests/identities/test_identities.py [-v] [-k PATTERN] [--sealpost BIN]
      (or SEALPOST_BIN=...; default build/src/cli/sealpost; ctest -L identities)
Without ctest's environment the suite makes its own vault passphrase file and uses
tests/support/test-policy.toml as the administrator policy, as ctest does.
"""

import calendar
import hashlib
import hmac
import json
import os
import re
import shutil
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

import sealpost_cli  # noqa: E402
import testpki  # noqa: E402
from der import children as der_children, oid_content, read_tlv as der_read, tlv as der  # noqa: E402
from sealpost_cli import OK, NOT_GOOD, USAGE, BAD_INPUT, crashed  # noqa: E402

OPENSSL = os.environ.get("OPENSSL", "openssl")
PASSWORD = testpki.P12_PASSWORD
ALICE, BOB, DAVE, ERIN = "alice@example.org", "bob@example.org", "dave@example.org", "erin@example.org"

_TMP = Path(tempfile.mkdtemp(prefix="sealpost-ident-"))


def _cleanup():
    shutil.rmtree(_TMP, ignore_errors=True)


# Same environment as ctest gives (tests/CMakeLists.txt) when run by hand.
if not os.environ.get("SEALPOST_PASSPHRASE_FILE"):
    _pf = _TMP / "test-passphrase"
    _pf.write_text("test vault passphrase, never used outside tests\n")
    _pf.chmod(0o600)
    os.environ["SEALPOST_PASSPHRASE_FILE"] = str(_pf)
if not os.environ.get("SEALPOST_POLICY"):
    os.environ["SEALPOST_POLICY"] = str(REPO / "tests" / "support" / "test-policy.toml")


# ---------------------------------------------------------------------------------------
# small helpers


def openssl(*args, input=None, check=True):
    p = subprocess.run([OPENSSL, *map(str, args)], capture_output=True, input=input)
    if check and p.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))} failed:\n{p.stderr.decode()}")
    return p


def secret_file(path, text):
    path = Path(path)
    path.write_text(text)
    path.chmod(0o600)
    return path


def cert_der(pem_path):
    text = Path(pem_path).read_text()
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)
    return ssl.PEM_cert_to_DER_cert(m.group(0))


def fingerprint(pem_path):
    return hashlib.sha256(cert_der(pem_path)).hexdigest()


def cert_dates(pem_path):
    """(not_before, not_after) as RFC 3339 strings, read by openssl."""
    out = openssl("x509", "-in", pem_path, "-noout", "-startdate", "-enddate").stdout.decode()
    dates = {}
    for line in out.splitlines():
        k, v = line.split("=", 1)
        t = time.strptime(v.strip(), "%b %d %H:%M:%S %Y GMT")
        dates[k] = time.strftime("%Y-%m-%dT%H:%M:%SZ", t)
    return dates["notBefore"], dates["notAfter"]


def rfc3339_epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def nonblank_lines(data):
    return [l for l in data.decode(errors="replace").splitlines() if l.strip()]


def message(sender, to=BOB, body="Hello,\r\n\r\nthe numbers are attached. MARKER-1d3f\r\n"):
    return (f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: identities test\r\n"
            "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\nMessage-ID: <ident-1@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
            f"Content-Transfer-Encoding: 7bit\r\n\r\n{body}").encode()


def signed_certificate_subjects(signed_path):
    """The subjects of the certificates a signed message carries (openssl's view)."""
    p7 = openssl("smime", "-pk7out", "-in", signed_path).stdout
    out = openssl("pkcs7", "-print_certs", "-noout", input=p7).stdout.decode()
    return [l.split("=", 1)[1].strip() for l in out.splitlines() if l.startswith("subject=")]


def openssl_verify(signed_path, cafile):
    """openssl cms -verify with only cafile trusted (no -untrusted: the chain must come from
    the message). Returns the CompletedProcess."""
    return openssl("cms", "-verify", "-in", signed_path, "-CAfile", cafile, "-out", os.devnull,
                   check=False)


def snapshot(directory):
    """Every path under directory with its mode and content hash: "nothing stored" means
    this does not change."""
    out = {}
    d = Path(directory)
    if not d.exists():
        return out
    for p in sorted(d.rglob("*")):
        st = p.lstat()
        rel = str(p.relative_to(d))
        if stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", oct(st.st_mode & 0o777))
        else:
            out[rel] = ("file", oct(st.st_mode & 0o777), hashlib.sha256(p.read_bytes()).hexdigest())
    return out


# ---------------------------------------------------------------------------------------
# private-key material and the scanner


def _hex_blocks(text):
    """name -> bytes for each hex block of `openssl pkey -text -noout`."""
    blocks, name, buf = {}, None, []
    for line in text.splitlines():
        if re.match(r"^\S[^:]*:\s*$", line):
            if name and buf:
                blocks[name] = bytes.fromhex("".join(buf).replace(":", ""))
            name, buf = line.strip().rstrip(":"), []
        elif name and re.match(r"^\s+[0-9a-f:]+$", line):
            buf.append(line.strip())
        else:
            if name and buf:
                blocks[name] = bytes.fromhex("".join(buf).replace(":", ""))
            name, buf = None, []
    if name and buf:
        blocks[name] = bytes.fromhex("".join(buf).replace(":", ""))
    return blocks


def pkcs8_der(key_path):
    return openssl("pkcs8", "-topk8", "-nocrypt", "-in", key_path, "-outform", "DER").stdout


def key_material(key_path):
    """(form, bytes) pairs that would reveal the private key if found in a file."""
    key_path = Path(key_path)
    pem = key_path.read_bytes()
    forms = [("PEM text", pem.strip()), ("PEM marker", b"PRIVATE KEY")]
    body = [l for l in pem.splitlines() if l and not l.startswith(b"-----")]
    forms += [(f"PEM base64 line {i}", l) for i, l in enumerate(body) if len(l) >= 40]
    pkcs8 = pkcs8_der(key_path)
    forms.append(("PKCS#8 DER", pkcs8))
    # `openssl pkey -outform DER` (OpenSSL 3.0 writes the type-specific form) and -traditional
    for name, opts in (("pkey DER", []), ("traditional DER", ["-traditional"])):
        p = openssl("pkey", "-in", key_path, "-outform", "DER", *opts, check=False)
        if p.returncode == 0 and p.stdout not in [f for _, f in forms]:
            forms.append((name, p.stdout))
    text = openssl("pkey", "-in", key_path, "-text", "-noout").stdout.decode()
    blocks = _hex_blocks(text)
    secret_names = [n for n in ("prime1", "prime2", "privateExponent", "priv") if n in blocks]
    assert secret_names, f"no private numbers parsed from openssl pkey -text for {key_path}"
    for n in secret_names:
        raw = blocks[n].lstrip(b"\x00")
        forms.append((f"{n} raw bytes", raw))
        forms.append((f"{n} hex (lower)", raw.hex().encode()))
        forms.append((f"{n} hex (upper)", raw.hex().upper().encode()))
    return forms


def scan_for_key(directory, forms):
    """[(file, form)] for every key form found in any file under directory."""
    hits = []
    for p in sorted(Path(directory).rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        for name, needle in forms:
            if needle and needle in data:
                hits.append((str(p.relative_to(directory)), name))
    return hits


# ---------------------------------------------------------------------------------------
# DER, for a PKCS#12 whose key does not belong to its certificate (openssl refuses to make
# one), with a real PKCS#12 MAC so that the file is well-formed and password-checked.


def der_oid(dotted):
    return der(0x06, oid_content(dotted))


OID_DATA = der_oid("1.2.840.113549.1.7.1")
OID_KEY_BAG = der_oid("1.2.840.113549.1.12.10.1.1")
OID_SHA256 = der_oid("2.16.840.1.101.3.4.2.1")


def pkcs12_kdf(password, salt, id_byte, iterations, n):
    """RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64)."""
    v = 64
    pw = password.encode("utf-16-be") + b"\x00\x00" if password else b""

    def fill(x):
        if not x:
            return b""
        length = v * ((len(x) + v - 1) // v)
        return (x * (length // len(x) + 1))[:length]

    d = bytes([id_byte]) * v
    i_buf = bytearray(fill(salt) + fill(pw))
    out = b""
    while len(out) < n:
        a = hashlib.sha256(d + bytes(i_buf)).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes(fill(a)[:v], "big")
        for j in range(0, len(i_buf), v):
            ij = (int.from_bytes(i_buf[j:j + v], "big") + b + 1) % (1 << (8 * v))
            i_buf[j:j + v] = ij.to_bytes(v, "big")
    return out[:n]


def pkcs12_with_foreign_key(plain_p12, foreign_pkcs8_der, password):
    """plain_p12 (unencrypted bags, no MAC) with its key bag's key replaced and a
    SHA-256 MAC under password added."""
    data = Path(plain_p12).read_bytes()
    tag, pfx, _ = der_read(data)
    assert tag == 0x30
    version, auth_ci = der_children(pfx)[:2]
    oid, explicit = der_children(auth_ci[1])
    octet = der_children(explicit[1])[0]
    _, auth_safe, _ = der_read(octet[1])
    replaced = 0
    new_cis = b""
    for _, ci in der_children(auth_safe):
        ci_oid, ci_exp = der_children(ci)
        ci_tlv = der(ci_oid[0], ci_oid[1])
        if ci_tlv != OID_DATA:
            new_cis += der(0x30, ci)
            continue
        sc_octet = der_children(ci_exp[1])[0]
        _, bags, _ = der_read(sc_octet[1])
        new_bags = b""
        for _, bag in der_children(bags):
            parts = der_children(bag)
            if der(parts[0][0], parts[0][1]) == OID_KEY_BAG:
                parts[1] = (0xA0, foreign_pkcs8_der)
                replaced += 1
            new_bags += der(0x30, b"".join(der(t, c) for t, c in parts))
        new_cis += der(0x30, OID_DATA + der(0xA0, der(0x04, der(0x30, new_bags))))
    assert replaced == 1, f"expected one key bag, replaced {replaced}"
    new_auth_safe = der(0x30, new_cis)
    salt, iterations = b"identity", 2048
    mac_key = pkcs12_kdf(password, salt, 3, iterations, 32)
    mac = hmac.new(mac_key, new_auth_safe, hashlib.sha256).digest()
    mac_data = der(0x30, der(0x30, der(0x30, OID_SHA256 + der(0x05, b"")) + der(0x04, mac))
                   + der(0x04, salt) + der(0x02, iterations.to_bytes(2, "big")))
    return der(0x30, der(version[0], version[1])
               + der(0x30, OID_DATA + der(0xA0, der(0x04, new_auth_safe)))
               + mac_data)


# ---------------------------------------------------------------------------------------
# the binary


class SP(sealpost_cli.Sealpost):
    """sealpost_cli.Sealpost with standard input closed (a dual-purpose import must not sit
    at its prompt when the suite runs from a terminal) and global options."""

    def run(self, *args, expect=None, passphrase_file=None, policy=None):
        glob = []
        if passphrase_file:
            glob += ["--passphrase-file", passphrase_file]
        if policy:
            glob += ["--policy", policy]
        argv = [self.binary, "--profile", self.profile, *glob, *args]
        env = dict(os.environ, HOME=str(self.profile.parent))
        env.pop("SEALPOST_HOME", None)
        proc = subprocess.run([str(a) for a in argv], capture_output=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=self.timeout)
        result = sealpost_cli.Result(argv, proc)
        problem = crashed(result)
        if problem:
            raise AssertionError(f"{problem}\n{result.describe()}")
        if expect is not None and result.rc != expect:
            raise AssertionError(f"expected exit {expect}\n{result.describe()}")
        return result

    def popen(self, *args, passphrase_file=None):
        glob = ["--passphrase-file", passphrase_file] if passphrase_file else []
        argv = [str(a) for a in [self.binary, "--profile", self.profile, *glob, *args]]
        env = dict(os.environ, HOME=str(self.profile.parent))
        env.pop("SEALPOST_HOME", None)
        return argv, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, env=env)

    def plain_json(self, *args, **kw):
        """A --json command whose output is not a verdict (cert list, settings, policy)."""
        r = self.run(*args, "--json", expect=OK, **kw)
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            raise AssertionError(f"stdout is not JSON ({e})\n{r.describe()}") from None

    def cert_import(self, p12, as_=None, password_file=None, expect=None, **kw):
        return self.run("cert", "import", p12, "--password-file", password_file or FX.password_file,
                        *(["--as", as_] if as_ else []), expect=expect, **kw)

    def certs(self):
        return {c["id"]: c for c in self.plain_json("cert", "list")}

    def settings(self, **kw):
        return self.plain_json("settings", **kw)


# ---------------------------------------------------------------------------------------
# fixtures: the shared PKI plus the files only this suite needs


_SIGN_SECTION = """\
basicConstraints = critical,CA:false
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = email:$ENV::SAN
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = emailProtection
"""
# plain_sign, and adcs_sign: the same with the certificate template name AD CS puts in.
_EXTRA_CNF = ("[req]\ndistinguished_name = dn\n[dn]\n"
              "[adcs_sign]\n" + _SIGN_SECTION + "1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:Exchange User\n"
              "[plain_sign]\n" + _SIGN_SECTION)


class Fixtures:
    def __init__(self):
        self.pki = testpki.shared()
        d = self.dir = _TMP / "files"
        d.mkdir()
        self.n = 0
        pki = self.pki
        self.password_file = secret_file(d / "p12-password", PASSWORD + "\n")
        self.wrong_password_file = secret_file(d / "p12-wrong-password", "not the password\n")
        self.wrong_passphrase_file = secret_file(d / "wrong-vault-passphrase", "not the vault passphrase\n")
        self.reader_dir = None

        def export(out, name, kind, *opts, chain=True):
            args = ["pkcs12", "-export", "-in", pki.cert(name, kind), "-inkey", pki.key(name, kind),
                    "-name", f"{name}-{kind}", "-passout", f"pass:{PASSWORD}", "-out", out, *opts]
            if chain:
                args += ["-certfile", pki.dir / f"{name}-{kind}-cas.pem"]
            openssl(*args)
            return out

        # Modern: `openssl pkcs12 -export` defaults (AES-256-CBC, PBKDF2, SHA-256 MAC).
        self.modern_sign = export(d / "alice-sign-modern.p12", "alice", "sign")
        self.modern_enc = export(d / "alice-enc-modern.p12", "alice", "enc")
        # Legacy, two spellings: `-legacy`, and the explicit AD CS / Windows algorithms.
        self.legacy_flag = export(d / "bob-sign-legacy.p12", "bob", "sign", "-legacy")
        self.legacy_adcs = export(d / "bob-rsa-adcs.p12", "bob", "rsa", "-legacy", "-keypbe",
                                  "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-RC2-40", "-macalg", "sha1")
        # The same signing identity with and without its chain.
        self.with_chain = export(d / "alice-sign-chain.p12", "alice", "sign")
        self.without_chain = export(d / "alice-sign-nochain.p12", "alice", "sign", chain=False)
        # No key.
        self.no_key = d / "no-key.p12"
        openssl("pkcs12", "-export", "-nokeys", "-in", pki.cert("bob", "sign"), "-passout",
                f"pass:{PASSWORD}", "-out", self.no_key)
        # Key of alice, certificate of bob (same localKeyId on both bags), with a valid MAC.
        plain = d / "bob-sign-plain.p12"
        openssl("pkcs12", "-export", "-in", pki.cert("bob", "sign"), "-inkey", pki.key("bob", "sign"),
                "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", f"pass:{PASSWORD}",
                "-out", plain)
        alice_der = pkcs8_der(pki.key("alice", "sign"))
        self.mismatch = d / "bob-cert-alice-key.p12"
        self.mismatch.write_bytes(pkcs12_with_foreign_key(plain, alice_der, PASSWORD))
        # Damaged copies of a good file.
        good = Path(pki.p12("bob", "sign")).read_bytes()
        self.truncated = d / "truncated.p12"
        self.truncated.write_bytes(good[:len(good) // 2])
        flipped = bytearray(good)
        for i in range(len(good) // 2, len(good) // 2 + 16):
            flipped[i] ^= 0xA5
        self.flipped = d / "flipped.p12"
        self.flipped.write_bytes(bytes(flipped))
        header = bytearray(good)
        header[0] = 0x31  # SET instead of SEQUENCE: not a PFX at all
        self.bad_header = d / "bad-header.p12"
        self.bad_header.write_bytes(bytes(header))

        # AD CS template certificate and a certificate with 10 days left (EC: quick keys).
        cnf = d / "extra.cnf"
        cnf.write_text(_EXTRA_CNF)
        env = dict(os.environ, SAN=ALICE)
        self.adcs_key, self.adcs_cert = d / "alice-adcs.key", d / "alice-adcs.pem"
        self.soon_key, self.soon_cert = d / "erin-soon.key", d / "erin-soon.pem"
        for key in (self.adcs_key, self.soon_key):
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        for key, cert, subj, ext, days, san in (
                (self.adcs_key, self.adcs_cert, "/O=Sealpost Demo Org/CN=Alice (AD CS)", "adcs_sign", 365, ALICE),
                (self.soon_key, self.soon_cert, "/O=Sealpost Demo Org/CN=Erin (soon)", "plain_sign", 10, ERIN)):
            env["SAN"] = san
            p = subprocess.run([OPENSSL, "req", "-new", "-x509", "-config", str(cnf), "-key", str(key),
                                "-subj", subj, "-sha256", "-CA", str(pki.intermediate), "-CAkey",
                                str(pki.intermediate_key), "-days", str(days), "-extensions", ext,
                                "-out", str(cert)], capture_output=True, env=env)
            assert p.returncode == 0, p.stderr.decode()
        self.adcs_p12 = d / "alice-adcs.p12"
        self.soon_p12 = d / "erin-soon.p12"
        for key, cert, out in ((self.adcs_key, self.adcs_cert, self.adcs_p12),
                               (self.soon_key, self.soon_cert, self.soon_p12)):
            openssl("pkcs12", "-export", "-in", cert, "-inkey", key, "-certfile", pki.ca_chain,
                    "-passout", f"pass:{PASSWORD}", "-out", out)

    def scratch(self, name):
        self.n += 1
        d = _TMP / f"{self.n:03d}-{name}"
        d.mkdir()
        return d

    def profile(self, name):
        """A new, empty profile (its directory is made by sealpost itself)."""
        return SP(self.scratch(name) / "profile")

    def reader(self):
        """A profile that trusts only the root and holds nothing else: it must build every
        chain from what a message carries."""
        if self.reader_dir is None:
            sp = self.profile("reader")
            sp.run("trust", "add", self.pki.root, expect=OK)
            self.reader_dir = sp.profile
        return SP(self.reader_dir)

    def message_file(self, directory, sender, to=BOB, name="msg.eml"):
        p = Path(directory) / name
        p.write_bytes(message(sender, to))
        return p


FX = None


def setUpModule():
    global FX
    FX = Fixtures()


def tearDownModule():
    _cleanup()


def not_after_date(cert):
    return cert_dates(cert)[1][:10]


class Base(unittest.TestCase):
    maxDiff = 4000

    def assertOneLineError(self, r, pattern):
        lines = nonblank_lines(r.stderr)
        self.assertEqual(len(lines), 1, f"expected a one-line message\n{r.describe()}")
        self.assertRegex(lines[0], pattern, r.describe())
        return lines[0]

    def assertImported(self, r, what, email, cert):
        self.assertEqual(r.rc, OK, r.describe())
        pattern = (rf"Imported {re.escape(what)} certificate for {re.escape(email)}, valid until "
                   rf"{not_after_date(cert)}; {re.escape(what)} turned on")
        self.assertRegex(r.stdout.decode(), pattern, r.describe())

    def only_cert(self, sp):
        certs = sp.certs()
        self.assertEqual(len(certs), 1, certs)
        return next(iter(certs.values()))

    def sign(self, sp, sender, expect=OK, **kw):
        d = sp.profile.parent
        FX.n += 1
        src = FX.message_file(d, sender, name=f"plain-{FX.n}.eml")
        out = d / f"signed-{FX.n}.eml"
        r = sp.run("sign", "--in", src, "--out", out, expect=expect, **kw)
        return r, out


# ---------------------------------------------------------------------------------------
# 1. PKCS#12 imports of every flavour


class Pkcs12Import(Base):

    def test_modern_default_export_imports_as_signing(self):
        info = openssl("pkcs12", "-info", "-noout", "-in", FX.modern_sign, "-passin",
                       f"pass:{PASSWORD}").stderr.decode()
        self.assertIn("AES-256-CBC", info)
        self.assertIn("PBKDF2", info)
        self.assertIn("MAC: sha256", info)
        sp = FX.profile("modern")
        r = sp.cert_import(FX.modern_sign)
        self.assertImported(r, "signing", ALICE, FX.pki.cert("alice", "sign"))
        c = self.only_cert(sp)
        self.assertEqual((c["purpose"], c["role"], c["source"]), ("signing", "signing", "pkcs12"))
        self.assertEqual(c["sha256"], fingerprint(FX.pki.cert("alice", "sign")))
        s = sp.settings()
        self.assertEqual(s["signing_cert"], c["id"])
        self.assertIsNone(s["encryption_cert"])

    def test_modern_wrong_password_twin_fails(self):
        sp = FX.profile("modern-wrong")
        r = sp.cert_import(FX.modern_sign, password_file=FX.wrong_password_file, expect=BAD_INPUT)
        self.assertOneLineError(r, r"(?i)password")
        self.assertEqual(snapshot(sp.profile), {}, "a failed import stored something")
        self.assertFalse((sp.profile / "vault.db").exists(), "a vault was made for a failed import")

    def _legacy(self, p12, name, kind, as_, what, expect_info):
        info = openssl("pkcs12", "-info", "-noout", "-legacy", "-in", p12, "-passin",
                       f"pass:{PASSWORD}").stderr.decode()
        for s in expect_info:
            self.assertIn(s, info, f"fixture {p12} is not the legacy flavour it claims")
        sp = FX.profile(f"legacy-{kind}")
        r = sp.cert_import(p12, as_=as_)
        self.assertImported(r, what, testpki.email(name), FX.pki.cert(name, kind))
        c = self.only_cert(sp)
        self.assertEqual(c["sha256"], fingerprint(FX.pki.cert(name, kind)))
        # twin: the same legacy file with a wrong password is refused
        sp2 = FX.profile(f"legacy-{kind}-wrong")
        r = sp2.cert_import(p12, as_=as_, password_file=FX.wrong_password_file, expect=BAD_INPUT)
        self.assertOneLineError(r, r"(?i)password")
        return sp

    def test_legacy_flag_export_imports(self):
        self._legacy(FX.legacy_flag, "bob", "sign", None, "signing",
                     ["pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC", "MAC: sha1"])

    def test_legacy_adcs_algorithms_import(self):
        sp = self._legacy(FX.legacy_adcs, "bob", "rsa", "both", "signing and encryption",
                          ["pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC", "MAC: sha1"])
        self.assertEqual(self.only_cert(sp)["role"], "signing+encryption")

    def test_chain_in_p12_is_kept_and_sent(self):
        sp = FX.profile("chain")
        sp.cert_import(FX.with_chain, expect=OK)
        _, signed = self.sign(sp, ALICE)
        subjects = signed_certificate_subjects(signed)
        self.assertTrue(any("Intermediate CA" in s for s in subjects),
                        f"the signature does not carry the intermediate from the p12: {subjects}")
        v = openssl_verify(signed, FX.pki.root)
        self.assertEqual(v.returncode, 0, f"openssl, trusting only the root: {v.stderr.decode()}")
        _, verdict = FX.reader().json("verify", "--in", signed, expect=OK)
        self.assertTrue(verdict["signatures"][0]["trusted"], verdict)

    def test_chain_twin_without_intermediate_does_not_verify_against_root_only(self):
        sp = FX.profile("nochain")
        sp.cert_import(FX.without_chain, expect=OK)
        _, signed = self.sign(sp, ALICE)
        subjects = signed_certificate_subjects(signed)
        self.assertFalse(any("Intermediate CA" in s for s in subjects), subjects)
        v = openssl_verify(signed, FX.pki.root)
        self.assertNotEqual(v.returncode, 0, "verified without the intermediate?")
        self.assertIn("local issuer", v.stderr.decode())
        r, verdict = FX.reader().json("verify", "--in", signed)
        self.assertNotEqual(r.rc, OK, r.describe())
        self.assertFalse(verdict["signatures"][0]["trusted"], verdict)

    def test_encryption_only_sets_encryption_role(self):
        sp = FX.profile("enc-only")
        r = sp.cert_import(FX.modern_enc)
        self.assertImported(r, "encryption", ALICE, FX.pki.cert("alice", "enc"))
        c = self.only_cert(sp)
        self.assertEqual((c["purpose"], c["role"]), ("encryption", "encryption"))
        s = sp.settings()
        self.assertEqual(s["encryption_cert"], c["id"])
        self.assertIsNone(s["signing_cert"])
        # twin: an encryption-only identity cannot sign
        r, _ = self.sign(sp, ALICE, expect=None)
        self.assertNotEqual(r.rc, OK, r.describe())
        self.assertRegex(r.stderr.decode(), r"(?i)signing", r.describe())

    def test_dual_without_as_is_refused_non_interactively(self):
        sp = FX.profile("dual-noas")
        sp.cert_import(FX.modern_enc, expect=OK)  # something already there
        before = snapshot(sp.profile)
        r = sp.cert_import(FX.pki.p12("alice", "rsa"), expect=USAGE)
        self.assertOneLineError(r, r"--as")
        self.assertEqual(snapshot(sp.profile), before, "a refused dual-purpose import stored something")
        self.assertEqual(len(sp.certs()), 1)

    def test_dual_with_as_both_takes_both_roles(self):
        sp = FX.profile("dual-both")
        r = sp.cert_import(FX.pki.p12("alice", "rsa"), as_="both")
        self.assertImported(r, "signing and encryption", ALICE, FX.pki.cert("alice", "rsa"))
        c = self.only_cert(sp)
        self.assertEqual((c["purpose"], c["role"]), ("dual", "signing+encryption"))
        s = sp.settings()
        self.assertEqual((s["signing_cert"], s["encryption_cert"]), (c["id"], c["id"]))

    def test_dual_with_as_signing_takes_only_signing(self):
        sp = FX.profile("dual-sign")
        r = sp.cert_import(FX.pki.p12("alice", "ec256"), as_="signing")
        self.assertImported(r, "signing", ALICE, FX.pki.cert("alice", "ec256"))
        c = self.only_cert(sp)
        self.assertEqual((c["purpose"], c["role"]), ("dual", "signing"))
        self.assertIsNone(sp.settings()["encryption_cert"])

    def test_serverauth_only_is_refused(self):
        sp = FX.profile("serverauth")
        sp.cert_import(FX.modern_enc, expect=OK)
        before = snapshot(sp.profile)
        for as_ in (None, "both"):
            r = sp.cert_import(FX.pki.p12("alice", "serverauth"), as_=as_, expect=NOT_GOOD)
            self.assertOneLineError(r, r"(?i)(e-?mail|emailProtection|extended key usage)")
        self.assertEqual(snapshot(sp.profile), before, "a refused serverAuth import stored something")

    def test_adcs_template_name_is_shown(self):
        sp = FX.profile("adcs")
        r = sp.cert_import(FX.adcs_p12)
        self.assertImported(r, "signing", ALICE, FX.adcs_cert)
        self.assertIn("Exchange User", r.stdout.decode(), r.describe())
        c = self.only_cert(sp)
        self.assertEqual(c.get("template"), "Exchange User", c)
        shown = sp.run("cert", "show", c["id"], expect=OK).stdout.decode()
        self.assertIn("Exchange User", shown)

    def test_adcs_template_twin_absent_without_extension(self):
        sp = FX.profile("no-template")
        r = sp.cert_import(FX.modern_sign, expect=OK)
        self.assertNotIn("template", r.stdout.decode().lower(), r.describe())
        self.assertFalse(self.only_cert(sp).get("template"))


# ---------------------------------------------------------------------------------------
# 2. failures: nothing stored, exit 3, one clear line


class ImportFailures(Base):

    def _refused(self, p12, pattern, password_file=None):
        sp = FX.profile("refused")
        sp.cert_import(FX.modern_enc, expect=OK)
        before, listed = snapshot(sp.profile), sp.certs()
        r = sp.cert_import(p12, password_file=password_file, expect=BAD_INPUT)
        self.assertOneLineError(r, pattern)
        self.assertEqual(snapshot(sp.profile), before, "a failed import changed the profile or vault")
        self.assertEqual(sp.certs(), listed)
        return sp, before

    def test_wrong_password(self):
        sp, before = self._refused(FX.pki.p12("bob", "sign"), r"(?i)wrong password",
                                   password_file=FX.wrong_password_file)
        # twin: the right password imports it, and the snapshot sees the change
        sp.cert_import(FX.pki.p12("bob", "sign"), expect=OK)
        self.assertNotEqual(snapshot(sp.profile), before)
        self.assertEqual(len(sp.certs()), 2)

    def test_wrong_password_legacy(self):
        self._refused(FX.legacy_flag, r"(?i)wrong password", password_file=FX.wrong_password_file)

    def test_truncated(self):
        self._refused(FX.truncated, r"(?i)(damaged|corrupt|truncated|not a PKCS#12)")

    def test_flipped_bytes(self):
        self._refused(FX.flipped, r"(?i)(damaged|corrupt|not a PKCS#12)")

    def test_not_a_pfx(self):
        self._refused(FX.bad_header, r"(?i)(damaged|corrupt|not a PKCS#12)")

    def test_no_key(self):
        self._refused(FX.no_key, r"(?i)no (private )?key")

    def test_key_does_not_match_certificate(self):
        # the fixture is well-formed: openssl verifies its MAC and reads both bags
        p = openssl("pkcs12", "-in", FX.mismatch, "-passin", f"pass:{PASSWORD}", "-nodes", check=False)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"PRIVATE KEY", p.stdout)
        self.assertIn(b"CERTIFICATE", p.stdout)
        self.assertIn(b"Bob (sign)", p.stdout)
        # OpenSSL pairs key and certificate by the key itself, so either message is right
        self._refused(FX.mismatch, r"(?i)(not match|does not belong|mismatch|no certificate for its (private )?key)")

    def test_identity_add_key_does_not_match_certificate(self):
        sp = FX.profile("add-mismatch")
        sp.cert_import(FX.modern_enc, expect=OK)
        before = snapshot(sp.profile)
        r = sp.run("identity", "add", "--cert", FX.pki.cert("bob", "sign"), "--key",
                   FX.pki.key("alice", "sign"), expect=BAD_INPUT)
        self.assertOneLineError(r, r"(?i)(not match|does not belong|mismatch)")
        self.assertEqual(snapshot(sp.profile), before)
        # twin: the matching key is accepted
        sp.run("identity", "add", "--cert", FX.pki.cert("bob", "sign"), "--key",
               FX.pki.key("bob", "sign"), expect=OK)


# ---------------------------------------------------------------------------------------
# 3. the vault


class Vault(Base):

    def test_no_private_key_in_any_profile_file(self):
        sp = FX.profile("scan")
        sp.cert_import(FX.modern_sign, expect=OK)                          # RSA, modern p12
        sp.cert_import(FX.legacy_adcs, as_="encryption", expect=OK)        # RSA, legacy p12
        sp.cert_import(FX.pki.p12("bob", "ec256"), as_="both", expect=OK)  # EC
        sp.run("identity", "add", "--cert", FX.pki.cert("alice", "enc"), "--key",
               FX.pki.key("alice", "enc"), expect=OK)                      # PEM files
        csr = sp.profile.parent / "req.csr"
        sp.run("cert", "request", "--purpose", "signing", "--email", DAVE, "--ec", "P-256",
               "--out", csr, expect=OK)
        self.assertTrue((sp.profile / "vault.db").is_file())
        keys = [FX.pki.key("alice", "sign"), FX.pki.key("bob", "rsa"), FX.pki.key("bob", "ec256"),
                FX.pki.key("alice", "enc")]
        forms = [f for k in keys for f in key_material(k)]
        self.assertIn("prime1 raw bytes", [n for n, _ in forms])
        files = sorted(str(p.relative_to(sp.profile)) for p in sp.profile.rglob("*") if p.is_file())
        self.assertIn("vault.db", files)
        hits = scan_for_key(sp.profile, forms)
        self.assertEqual(hits, [], f"private key material in the profile: {hits} (files: {files})")
        # and still none after the vault is re-wrapped
        new = secret_file(sp.profile.parent / "new-passphrase", "another vault passphrase 42\n")
        sp.run("keystore", "change-passphrase", "--new-passphrase-file", new, expect=OK)
        self.assertEqual(scan_for_key(sp.profile, forms), [])

    def test_scanner_twin_finds_planted_key(self):
        d = FX.scratch("planted")
        key = FX.pki.key("alice", "sign")
        forms = key_material(key)
        der_bytes = pkcs8_der(key)
        prime = dict(forms)["prime1 raw bytes"]
        (d / "a.bin").write_bytes(b"\x00" * 100 + der_bytes + b"\x00" * 100)
        (d / "b.bin").write_bytes(b"junk" + prime + b"junk")
        (d / "c.txt").write_bytes(Path(key).read_bytes())
        hits = scan_for_key(d, forms)
        self.assertIn(("a.bin", "PKCS#8 DER"), hits)
        self.assertIn(("b.bin", "prime1 raw bytes"), hits)
        self.assertIn(("c.txt", "PEM marker"), hits)

    def test_wrong_vault_passphrase(self):
        sp = FX.profile("wrong-passphrase")
        sp.cert_import(FX.modern_sign, expect=OK)
        r, _ = self.sign(sp, ALICE, expect=BAD_INPUT, passphrase_file=FX.wrong_passphrase_file)
        self.assertOneLineError(r, r"(?i)wrong passphrase")
        # twin: the right one signs
        self.sign(sp, ALICE, expect=OK)
        # importing into an existing vault with the wrong passphrase stores nothing
        before = snapshot(sp.profile)
        r = sp.cert_import(FX.modern_enc, expect=BAD_INPUT, passphrase_file=FX.wrong_passphrase_file)
        self.assertRegex(r.stderr.decode(), r"(?i)wrong passphrase")
        self.assertEqual(snapshot(sp.profile), before)

    def test_change_passphrase(self):
        sp = FX.profile("change-passphrase")
        sp.cert_import(FX.modern_sign, expect=OK)
        new = secret_file(sp.profile.parent / "new-passphrase", "a brand new vault passphrase 7\n")
        sp.run("keystore", "change-passphrase", "--new-passphrase-file", new, expect=OK)
        r, _ = self.sign(sp, ALICE, expect=BAD_INPUT)  # the old passphrase (environment)
        self.assertRegex(r.stderr.decode(), r"(?i)wrong passphrase", r.describe())
        _, signed = self.sign(sp, ALICE, expect=OK, passphrase_file=new)
        _, verdict = FX.reader().json("verify", "--in", signed, expect=OK)
        self.assertEqual(verdict["signatures"][0]["status"], "valid", verdict)
        # and the new passphrase reads the identity list and unlocks for removal
        c = self.only_cert(sp)
        sp.run("cert", "remove", c["id"], expect=OK, passphrase_file=new)

    def test_permissions(self):
        sp = FX.profile("perms")
        sp.cert_import(FX.modern_sign, expect=OK)
        self.assertEqual(stat.S_IMODE(sp.profile.stat().st_mode), 0o700)
        self.assertEqual(stat.S_IMODE((sp.profile / "vault.db").stat().st_mode), 0o600)
        for extra in ("vault.db-wal", "vault.db-shm", "vault.db-journal"):
            p = sp.profile / extra
            if p.exists():
                self.assertEqual(stat.S_IMODE(p.stat().st_mode), 0o600, extra)
        # twin: a profile directory made loose beforehand is tightened
        loose = FX.scratch("perms-loose") / "profile"
        loose.mkdir(mode=0o755)
        loose.chmod(0o755)
        SP(loose).cert_import(FX.modern_sign, expect=OK)
        self.assertEqual(stat.S_IMODE(loose.stat().st_mode), 0o700)
        self.assertEqual(stat.S_IMODE((loose / "vault.db").stat().st_mode), 0o600)

    def _encrypted_to(self, recipient_cert):
        sender = FX.profile("concurrent-sender")
        sender.cert_import(FX.pki.p12("alice", "rsa"), as_="both", expect=OK)
        sender.run("trust", "add", FX.pki.root, expect=OK)
        src = FX.message_file(sender.profile.parent, ALICE)
        out = sender.profile.parent / "encrypted.eml"
        sender.run("protect", "--sign", "--encrypt", "--in", src, "--out", out,
                   "--recipient-cert", recipient_cert, expect=OK)
        return out

    def _concurrent_reads(self, sp, msg, n, passphrase_file=None):
        procs = [sp.popen("read", "--in", msg, "--json", passphrase_file=passphrase_file)
                 for _ in range(n)]
        results = []
        for argv, p in procs:
            out, err = p.communicate(timeout=120)
            results.append((argv, p.returncode, out, err))
        return results

    def test_concurrent_reads(self):
        sp = FX.profile("concurrent")
        sp.cert_import(FX.pki.p12("bob", "rsa"), as_="both", expect=OK)
        sp.run("trust", "add", FX.pki.root, expect=OK)
        msg = self._encrypted_to(FX.pki.cert("bob", "rsa"))
        for argv, rc, out, err in self._concurrent_reads(sp, msg, 3):
            desc = f"$ {' '.join(argv)}\n-> {rc}\n{err.decode()}"
            self.assertEqual(rc, OK, desc)
            verdict = json.loads(out)
            sealpost_cli.validate_verdict(verdict, rc)
            self.assertTrue(verdict["encrypted"], desc)
            self.assertIn("MARKER-1d3f", verdict.get("body") or "", desc)
        # twin: concurrent reads with a wrong passphrase cannot decrypt
        for argv, rc, out, err in self._concurrent_reads(sp, msg, 2, FX.wrong_passphrase_file):
            self.assertEqual(rc, BAD_INPUT, f"$ {' '.join(argv)}\n-> {rc}\n{err.decode()}")
            self.assertRegex(err.decode(), r"(?i)wrong passphrase")
            self.assertNotIn(b"MARKER-1d3f", out)


# ---------------------------------------------------------------------------------------
# 4. cert list / show / export / remove


LIST_FIELDS = {"id": str, "subject": str, "email": str, "purpose": str, "role": str,
               "not_before": str, "not_after": str, "days_left": int, "issuer": str,
               "sha256": str, "source": str}


class CertList(Base):

    def test_list_json_fields(self):
        sp = FX.profile("list")
        sp.cert_import(FX.modern_sign, expect=OK)
        sp.run("identity", "add", "--cert", FX.pki.cert("alice", "enc"), "--key",
               FX.pki.key("alice", "enc"), expect=OK)
        certs = sp.certs()
        self.assertEqual(len(certs), 2)
        by_fp = {c["sha256"]: c for c in certs.values()}
        for (name, kind), purpose, source in ((("alice", "sign"), "signing", "pkcs12"),
                                              (("alice", "enc"), "encryption", "pem")):
            path = FX.pki.cert(name, kind)
            c = by_fp.get(fingerprint(path))
            self.assertIsNotNone(c, f"{path} not listed by sha256: {certs}")
            for field, typ in LIST_FIELDS.items():
                self.assertIn(field, c)
                self.assertIsInstance(c[field], typ, f"{field}: {c[field]!r}")
            self.assertTrue(c["sha256"].startswith(c["id"]) and len(c["id"]) >= 8, c)
            self.assertEqual(c["email"], ALICE)
            self.assertIn(f"{name.capitalize()} ({kind})", c["subject"])
            self.assertIn("Intermediate CA", c["issuer"])
            self.assertEqual((c["purpose"], c["role"], c["source"]), (purpose, purpose, source))
            self.assertEqual((c["not_before"], c["not_after"]), cert_dates(path))
            expected_days = (rfc3339_epoch(c["not_after"]) - time.time()) / 86400
            self.assertLessEqual(abs(c["days_left"] - expected_days), 1.01, c)
            shown = sp.plain_json("cert", "show", c["id"])
            self.assertEqual(shown["sha256"], c["sha256"])
        # twin: an unknown id is an error, not an empty answer
        r = sp.run("cert", "show", "ffffffffffffffff")
        self.assertNotEqual(r.rc, OK, r.describe())
        self.assertOneLineError(r, r"(?i)no certificate")

    def test_export_public_is_the_certificate_and_never_the_key(self):
        sp = FX.profile("export")
        sp.cert_import(FX.modern_sign, expect=OK)
        cid = self.only_cert(sp)["id"]
        out = sp.profile.parent / "exported.pem"
        sp.run("cert", "export", cid, "--public", "--out", out, expect=OK)
        stdout = sp.run("cert", "export", cid, "--public", expect=OK).stdout
        forms = key_material(FX.pki.key("alice", "sign"))
        for data in (out.read_bytes(), stdout):
            self.assertIn(b"-----BEGIN CERTIFICATE-----", data)
            self.assertEqual(ssl.PEM_cert_to_DER_cert(data.decode()), cert_der(FX.pki.cert("alice", "sign")))
            self.assertEqual([n for n, f in forms if f in data], [])
        # twin: without --public nothing is exported
        r = sp.run("cert", "export", cid)
        self.assertEqual(r.rc, USAGE, r.describe())
        self.assertNotIn(b"BEGIN", r.stdout)

    def test_remove_removes_certificate_and_key(self):
        sp = FX.profile("remove")
        sp.cert_import(FX.modern_sign, expect=OK)
        sp.cert_import(FX.modern_enc, expect=OK)
        sign_id = next(c["id"] for c in sp.certs().values() if c["purpose"] == "signing")
        self.sign(sp, ALICE, expect=OK)  # twin: signing works before the removal
        backup = sp.profile.parent / "backup"
        shutil.copytree(sp.profile, backup)
        r = sp.run("cert", "remove", sign_id, expect=OK)
        self.assertNotIn(sign_id, sp.certs())
        self.assertEqual(len(sp.certs()), 1)
        self.assertIsNone(sp.settings()["signing_cert"])
        r, _ = self.sign(sp, ALICE, expect=None)
        self.assertNotEqual(r.rc, OK, r.describe())
        # The key left the vault too: put every non-vault file back as it was before the
        # removal (certificate, role, active-signing, ...); signing must still fail.
        for p in backup.rglob("*"):
            rel = p.relative_to(backup)
            if p.is_file() and not rel.name.startswith("vault.db"):
                (sp.profile / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, sp.profile / rel)
        self.assertIn(sign_id, sp.certs(), "restoring the files did not bring the certificate back")
        r, _ = self.sign(sp, ALICE, expect=None)
        self.assertNotEqual(r.rc, OK, f"signed after 'cert remove' with only the files restored: "
                                      f"the key is still in the vault\n{r.describe()}")
        self.assertRegex(r.stderr.decode(), r"(?i)(vault|key)", r.describe())

    def test_read_reminds_of_own_certificates_expiring_soon(self):
        sp = FX.profile("soon-read")
        sp.cert_import(FX.soon_p12, expect=OK)
        msg = FX.message_file(FX.scratch("soon-read-msg"), ERIN)
        r = sp.run("read", "--json", "--in", msg, expect=OK)
        warnings = json.loads(r.stdout)["warnings"]
        self.assertTrue(any("expires in" in w and ERIN in w for w in warnings), warnings)
        # Twin: a long-lived certificate draws no reminder.
        sp2 = FX.profile("long-read")
        sp2.cert_import(FX.modern_enc, expect=OK)
        r = sp2.run("read", "--json", "--in", msg, expect=OK)
        self.assertFalse(any("expires in" in w for w in json.loads(r.stdout)["warnings"]))

    def test_trust_list_marks_anchors_from_the_policy(self):
        sp = FX.profile("policy-anchors")
        anchors = FX.scratch("policy-anchor-dir")
        shutil.copy(FX.pki.root, anchors / "root.pem")
        admin = FX.scratch("policy-anchors-admin") / "admin.toml"
        admin.write_text(Path(os.environ["SEALPOST_POLICY"]).read_text() + f'trust_anchor_dir = "{anchors}"\n')
        sp.run("trust", "add", FX.pki.intermediate, expect=OK)
        rows = json.loads(sp.run("trust", "list", "--json", expect=OK, policy=admin).stdout)
        sources = {r["subject"]: r["source"] for r in rows}
        self.assertIn("policy", sources.values(), rows)
        self.assertIn("profile", sources.values(), rows)
        # Twin: without the administrator's file nothing is marked as coming from policy.
        rows = json.loads(sp.run("trust", "list", "--json", expect=OK).stdout)
        self.assertNotIn("policy", {r["source"] for r in rows})

    def test_expiring_soon_warning(self):
        sp = FX.profile("soon")
        sp.cert_import(FX.soon_p12, expect=OK)
        sp.cert_import(FX.modern_enc, expect=OK)  # twin: 800+ days, no warning
        soon = next(c for c in sp.certs().values() if c["email"] == ERIN)
        self.assertLess(soon["days_left"], 30)
        lines = sp.run("cert", "list", expect=OK).stdout.decode().splitlines()
        blocks, current = {}, None
        for line in lines:
            if line and not line[0].isspace():
                current = line.split()[0]
                blocks[current] = [line]
            elif current:
                blocks[current].append(line)
        self.assertIn(soon["id"], blocks, lines)
        self.assertRegex("\n".join(blocks[soon["id"]]), r"(?i)warning", lines)
        other = next(k for k in blocks if k != soon["id"])
        self.assertNotRegex("\n".join(blocks[other]), r"(?i)warning", lines)


# ---------------------------------------------------------------------------------------
# 5. settings and policy


class Settings(Base):

    @classmethod
    def setUpClass(cls):
        cls.admin = FX.scratch("admin")
        base = Path(os.environ["SEALPOST_POLICY"]).read_text()
        cls.admin_lock = cls.admin / "admin.toml"
        cls.admin_lock.write_text(base + '\nlocked = ["encrypt_by_default"]\nencrypt_by_default = true\n')

    def profile_with_ids(self, name):
        sp = FX.profile(name)
        sp.cert_import(FX.modern_sign, expect=OK)
        sp.cert_import(FX.modern_enc, expect=OK)
        sp.cert_import(FX.pki.p12("carol", "expired"), as_="encryption", expect=OK)
        sp.cert_import(FX.pki.p12("alice", "ec256"), as_="both", expect=OK)
        ids = {}
        for c in sp.certs().values():
            key = {"carol@example.org": "expired"}.get(c["email"]) or c["purpose"]
            ids[key] = c["id"]
        self.assertEqual(set(ids), {"signing", "encryption", "expired", "dual"}, ids)
        return sp, ids

    def test_signing_cert_expired_refused(self):
        sp, ids = self.profile_with_ids("set-expired")
        before = sp.settings()
        r = sp.run("settings", "set", f"signing_cert={ids['expired']}", expect=NOT_GOOD)
        self.assertOneLineError(r, r"(?i)(expired|not valid now)")
        self.assertIn("2021-01-01", r.stderr.decode())
        self.assertEqual(sp.settings(), before)
        # twin: a valid signing certificate is accepted and shown
        sp.run("settings", "set", f"signing_cert={ids['signing']}", expect=OK)
        self.assertEqual(sp.settings()["signing_cert"], ids["signing"])

    def test_signing_cert_wrong_purpose_refused(self):
        sp, ids = self.profile_with_ids("set-purpose")
        before = sp.settings()
        r = sp.run("settings", "set", f"signing_cert={ids['encryption']}", expect=NOT_GOOD)
        self.assertOneLineError(r, r"(?i)encryption.*signing|signing.*encryption|purpose")
        self.assertEqual(sp.settings(), before)
        # twin: the same certificate for encryption is accepted
        sp.run("settings", "set", f"encryption_cert={ids['dual']}", expect=OK)
        sp.run("settings", "set", f"encryption_cert={ids['encryption']}", expect=OK)
        self.assertEqual(sp.settings()["encryption_cert"], ids["encryption"])

    def test_refused_settings_set_changes_nothing(self):
        sp, ids = self.profile_with_ids("set-atomic")
        sp.run("settings", "set", f"signing_cert={ids['signing']}", expect=OK)
        before = sp.settings()
        # the first assignment is fine, the second is refused: the command as a whole is
        r = sp.run("settings", "set", f"signing_cert={ids['dual']}",
                   f"encryption_cert={ids['signing']}", expect=NOT_GOOD)
        self.assertEqual(sp.settings(), before,
                         f"a refused 'settings set' changed the settings\n{r.describe()}")
        r = sp.run("settings", "set", "sign_by_default=on", f"signing_cert={ids['encryption']}",
                   expect=NOT_GOOD)
        self.assertEqual(sp.settings(), before)

    def test_settings_show_reflects_changes(self):
        sp, ids = self.profile_with_ids("set-show")
        s = sp.settings()
        self.assertEqual((s["sign_by_default"]["value"], s["smime"]["value"]), ("off", "on"))
        sp.run("settings", "set", "sign_by_default=on", "smime=off",
               f"signing_cert={ids['dual']}", expect=OK)
        s = sp.settings()
        self.assertEqual((s["sign_by_default"]["value"], s["smime"]["value"], s["signing_cert"]),
                         ("on", "off", ids["dual"]))
        text = sp.run("settings", expect=OK).stdout.decode()
        self.assertRegex(text, r"sign_by_default\s*=\s*on")
        self.assertRegex(text, r"smime\s*=\s*off")
        self.assertIn(ids["dual"], text)
        sp.run("settings", "set", "sign_by_default=off", expect=OK)
        self.assertEqual(sp.settings()["sign_by_default"]["value"], "off")

    def test_admin_lock(self):
        sp, _ = self.profile_with_ids("admin-lock")
        s = sp.settings(policy=self.admin_lock)
        self.assertEqual(s["encrypt_by_default"], {"value": "on", "locked": True})
        self.assertFalse(s["sign_by_default"]["locked"])
        self.assertRegex(sp.run("settings", policy=self.admin_lock, expect=OK).stdout.decode(),
                         r"encrypt_by_default\s*=\s*on.*locked")
        r = sp.run("settings", "set", "encrypt_by_default=off", policy=self.admin_lock, expect=NOT_GOOD)
        self.assertOneLineError(r, re.escape(str(self.admin_lock)))
        self.assertRegex(r.stderr.decode(), r"(?i)lock")
        r = sp.run("policy", "set", "encrypt_by_default=false", policy=self.admin_lock, expect=NOT_GOOD)
        self.assertOneLineError(r, re.escape(str(self.admin_lock)))
        self.assertEqual(sp.settings(policy=self.admin_lock)["encrypt_by_default"]["value"], "on")
        # twin: an unlocked key may change under the same policy, and without the
        # administrator's file the same key is the user's
        sp.run("settings", "set", "sign_by_default=on", policy=self.admin_lock, expect=OK)
        self.assertEqual(sp.settings(policy=self.admin_lock)["sign_by_default"]["value"], "on")
        sp.run("settings", "set", "encrypt_by_default=off", expect=OK)
        s = sp.settings()
        self.assertEqual(s["encrypt_by_default"], {"value": "off", "locked": False})

    def test_policy_set_on_a_new_profile(self):
        # `policy set` as the very first command: the profile directory does not exist yet
        sp = FX.profile("policy-first")
        self.assertFalse(sp.profile.exists())
        sp.run("policy", "set", "sign_by_default=true", expect=OK)
        by_key = {r["key"]: r for r in sp.plain_json("policy", "show")}
        self.assertEqual((by_key["sign_by_default"]["value"], by_key["sign_by_default"]["origin"]),
                         ("true", "profile"))
        self.assertEqual(stat.S_IMODE(sp.profile.stat().st_mode), 0o700)
        # twin: an unknown key is refused there too, and writes nothing
        sp2 = FX.profile("policy-first-bad")
        sp2.run("policy", "set", "frobnicate=1", expect=USAGE)
        self.assertEqual(snapshot(sp2.profile), {})

    def test_policy_show_json(self):
        sp = FX.profile("policy-show")
        sp.run("settings", expect=OK)  # the profile exists (see test_policy_set_on_a_new_profile)
        rows = sp.plain_json("policy", "show", policy=self.admin_lock)
        self.assertIsInstance(rows, list)
        keys = [r.get("key") for r in rows]
        self.assertEqual(len(keys), len(set(keys)), keys)
        for row in rows:
            self.assertIsInstance(row.get("key"), str, row)
            self.assertIn("value", row)
            self.assertIn(row.get("origin"), ("default", "administrator", "profile"), row)
            self.assertIsInstance(row.get("locked"), bool, row)
        by_key = {r["key"]: r for r in rows}
        for k in ("encrypt_by_default", "sign_by_default", "smime_enabled", "vault_kdf_n"):
            self.assertIn(k, by_key)
        e = by_key["encrypt_by_default"]
        self.assertEqual((e["value"], e["origin"], e["locked"]), ("true", "administrator", True))
        self.assertEqual(by_key["vault_kdf_n"]["origin"], "administrator")
        s = by_key["sign_by_default"]
        self.assertEqual((s["value"], s["origin"], s["locked"]), ("false", "default", False))
        # twin: after `policy set` the origin is the profile
        sp.run("policy", "set", "sign_by_default=true", policy=self.admin_lock, expect=OK)
        by_key = {r["key"]: r for r in sp.plain_json("policy", "show", policy=self.admin_lock)}
        s = by_key["sign_by_default"]
        self.assertEqual((s["value"], s["origin"], s["locked"]), ("true", "profile", False))

    def test_unknown_keys_and_bad_values(self):
        sp = FX.profile("bad-keys")
        cases = [
            (("settings", "set", "frobnicate=on"), r"frobnicate"),
            (("settings", "set", "sign_by_default=maybe"), r"maybe"),
            (("settings", "set", "sign_by_default"), r"sign_by_default"),
            (("policy", "set", "frobnicate=1"), r"frobnicate"),
            (("policy", "set", "ldap_timeout_ms=-3"), r"ldap_timeout_ms"),
            (("policy", "set", "ldap_starttls=perhaps"), r"perhaps"),
            (("policy", "set", "sign_by_default=maybe"), r"maybe"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                before = snapshot(sp.profile)
                r = sp.run(*args, expect=USAGE)
                self.assertOneLineError(r, pattern)
                self.assertEqual(snapshot(sp.profile), before)
        # twin: valid values are accepted
        sp.run("policy", "set", "ldap_timeout_ms=3000", expect=OK)
        sp.run("settings", "set", "sign_by_default=on", expect=OK)
        by_key = {r["key"]: r for r in sp.plain_json("policy", "show")}
        self.assertEqual(by_key["ldap_timeout_ms"]["value"], "3000")
        self.assertEqual(by_key["sign_by_default"]["value"], "true")

    def test_bad_admin_file_names_file_and_line(self):
        sp = FX.profile("bad-admin")
        base = Path(os.environ["SEALPOST_POLICY"]).read_text().rstrip("\n") + "\n"
        line = len(base.splitlines()) + 1
        cases = [
            ("unknown-key", "frobnicate = 1\n", (USAGE,), r"frobnicate"),
            ("bad-value", "ldap_timeout_ms = -3\n", (USAGE,), r"ldap_timeout_ms"),
            ("bad-type", "encrypt_by_default = 5\n", (USAGE,), r"encrypt_by_default"),
            ("bad-lock", 'locked = ["frobnicate"]\n', (USAGE,), r"frobnicate"),
            # not even TOML: malformed input (3) is acceptable as well as usage (2)
            ("syntax", "this is not toml\n", (USAGE, BAD_INPUT), r"(?i)toml|syntax|expected"),
        ]
        for name, extra, codes, pattern in cases:
            with self.subTest(case=name):
                admin = self.admin / f"bad-{name}.toml"
                admin.write_text(base + extra)
                for args in (("settings",), ("policy", "show")):
                    r = sp.run(*args, policy=admin)
                    self.assertIn(r.rc, codes, r.describe())
                    msg = self.assertOneLineError(r, re.escape(f"{admin.name}:{line}"))
                    self.assertRegex(msg, pattern)
        # twin: the same file without the bad line loads
        good = self.admin / "good.toml"
        good.write_text(base)
        sp.run("policy", "show", policy=good, expect=OK)


# ---------------------------------------------------------------------------------------
# 6. enrolment: cert request, then import-issued


def csr_text(csr):
    return openssl("req", "-in", csr, "-noout", "-text").stdout.decode()


def csr_extension(text, name):
    m = re.search(rf"{re.escape(name)}:[^\n]*\n\s+([^\n]+)", text)
    return m.group(1).strip() if m else None


class Enrolment(Base):

    def request(self, sp, purpose, *key_args, email=DAVE, expect=OK):
        csr = sp.profile.parent / f"{purpose}-{'-'.join(key_args)}.csr"
        r = sp.run("cert", "request", "--purpose", purpose, "--email", email, *key_args,
                   "--out", csr, expect=expect)
        return r, csr

    def issue(self, csr, days=365):
        cert = csr.with_suffix(".pem")
        openssl("x509", "-req", "-in", csr, "-CA", FX.pki.intermediate, "-CAkey",
                FX.pki.intermediate_key, "-copy_extensions", "copy", "-days", days,
                "-sha256", "-out", cert)
        chain = csr.with_suffix(".chain.pem")
        chain.write_bytes(cert.read_bytes() + Path(FX.pki.intermediate).read_bytes())
        return cert, chain

    def check_csr(self, csr, usage, absent, bits=None):
        v = openssl("req", "-verify", "-in", csr, "-noout", check=False)
        self.assertEqual(v.returncode, 0, v.stderr.decode())
        text = csr_text(csr)
        self.assertEqual(csr_extension(text, "X509v3 Subject Alternative Name"), f"email:{DAVE}")
        self.assertEqual(csr_extension(text, "X509v3 Extended Key Usage"), "E-mail Protection")
        ku = [u.strip() for u in (csr_extension(text, "X509v3 Key Usage") or "").split(",")]
        for u in usage:
            self.assertIn(u, ku, text)
        for u in absent:
            self.assertNotIn(u, ku, text)
        if bits:
            self.assertIn(f"({bits} bit)", text)

    def test_signing_request_rsa(self):
        sp = FX.profile("req-sign")
        _, csr = self.request(sp, "signing", "--rsa", "2048")
        self.check_csr(csr, ["Digital Signature", "Non Repudiation"],
                       ["Key Encipherment", "Key Agreement"], bits=2048)

    def test_encryption_request_rsa_and_ec(self):
        sp = FX.profile("req-enc")
        _, csr = self.request(sp, "encryption", "--rsa", "2048")
        self.check_csr(csr, ["Key Encipherment"], ["Digital Signature", "Key Agreement"], bits=2048)
        _, csr = self.request(sp, "encryption", "--ec", "P-256")
        self.check_csr(csr, ["Key Agreement"], ["Digital Signature", "Key Encipherment"])
        self.assertIn("P-256", csr_text(csr))

    def test_rsa_1024_refused(self):
        sp = FX.profile("req-1024")
        r, csr = self.request(sp, "signing", "--rsa", "1024", expect=USAGE)
        self.assertOneLineError(r, r"1024|2048")
        self.assertFalse(csr.exists(), "a CSR was written for a refused request")
        self.assertFalse((sp.profile / "vault.db").exists(), "a vault was made for a refused request")
        # twin: 2048 is fine
        _, csr = self.request(sp, "signing", "--rsa", "2048")
        self.assertTrue(csr.exists())

    def test_issued_certificate_attaches_and_signs(self):
        sp = FX.profile("issued-sign")
        _, csr = self.request(sp, "signing", "--rsa", "2048")
        r, _ = self.sign(sp, DAVE, expect=None)  # twin: nothing to sign with yet
        self.assertNotEqual(r.rc, OK, r.describe())
        cert, chain = self.issue(csr)
        ext = openssl("x509", "-in", cert, "-noout", "-ext", "keyUsage,extendedKeyUsage,subjectAltName")
        self.assertIn(b"E-mail Protection", ext.stdout)
        # twin: an unrelated certificate is not attached to the waiting key
        before = snapshot(sp.profile)
        r = sp.run("cert", "import-issued", FX.pki.cert("alice", "sign"))
        self.assertEqual(r.rc, BAD_INPUT, r.describe())
        self.assertOneLineError(r, r"(?i)(no waiting key|not found|does not match|no .*key)")
        self.assertEqual(snapshot(sp.profile), before)
        r = sp.run("cert", "import-issued", chain, expect=OK)
        self.assertIn(DAVE, r.stdout.decode())
        c = self.only_cert(sp)
        self.assertEqual((c["sha256"], c["purpose"], c["role"]), (fingerprint(cert), "signing", "signing"))
        _, signed = self.sign(sp, DAVE, expect=OK)
        self.assertTrue(any("Intermediate CA" in s for s in signed_certificate_subjects(signed)))
        v = openssl_verify(signed, FX.pki.root)
        self.assertEqual(v.returncode, 0, v.stderr.decode())
        _, verdict = FX.reader().json("verify", "--in", signed, expect=OK)
        sig = verdict["signatures"][0]
        self.assertEqual((sig["status"], sig["trusted"], sig["signer_email"]), ("valid", True, DAVE))
        # the waiting key was used up: importing the same certificate again finds nothing
        r = sp.run("cert", "import-issued", chain)
        self.assertNotEqual(r.rc, OK, r.describe())

    def test_issued_ec_encryption_certificate_decrypts(self):
        sp = FX.profile("issued-enc")
        _, csr = self.request(sp, "encryption", "--ec", "P-256")
        cert, chain = self.issue(csr)
        sp.run("cert", "import-issued", chain, expect=OK)
        c = self.only_cert(sp)
        self.assertEqual((c["purpose"], c["role"]), ("encryption", "encryption"))
        sender = FX.profile("issued-enc-sender")
        sender.cert_import(FX.pki.p12("alice", "rsa"), as_="both", expect=OK)
        sender.run("trust", "add", FX.pki.root, expect=OK)
        src = FX.message_file(sender.profile.parent, ALICE, to=DAVE)
        enc = sender.profile.parent / "to-dave.eml"
        sender.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", cert, expect=OK)
        out = sp.profile.parent / "decrypted.eml"
        sp.run("decrypt", "--in", enc, "--out", out, expect=OK)
        self.assertIn(b"MARKER-1d3f", out.read_bytes())
        # twin: with the wrong vault passphrase the key cannot be used
        r = sp.run("decrypt", "--in", enc, "--out", out.with_suffix(".2"),
                   passphrase_file=FX.wrong_passphrase_file, expect=BAD_INPUT)
        self.assertRegex(r.stderr.decode(), r"(?i)wrong passphrase")


# ---------------------------------------------------------------------------------------
# 7. a legacy-only identity through the vault


class LegacyFlow(Base):

    def test_legacy_p12_sign_encrypt_decrypt_round_trip(self):
        bob = FX.profile("legacy-bob")
        bob.cert_import(FX.legacy_adcs, as_="both", expect=OK)
        bob.run("trust", "add", FX.pki.root, expect=OK)
        alice = FX.profile("legacy-alice")
        alice.cert_import(FX.pki.p12("alice", "rsa"), as_="both", expect=OK)
        alice.run("trust", "add", FX.pki.root, expect=OK)
        work = bob.profile.parent
        # alice -> bob, encrypted; bob decrypts with the key from the legacy p12
        src = FX.message_file(work, ALICE, to=BOB, name="to-bob.eml")
        enc = work / "to-bob.enc.eml"
        alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", FX.pki.cert("bob", "rsa"),
                  expect=OK)
        dec = work / "to-bob.dec.eml"
        bob.run("decrypt", "--in", enc, "--out", dec, expect=OK)
        self.assertIn(b"MARKER-1d3f", dec.read_bytes())
        # bob signs and encrypts back; alice reads both layers
        src2 = FX.message_file(work, BOB, to=ALICE, name="to-alice.eml")
        prot = work / "to-alice.prot.eml"
        bob.run("protect", "--sign", "--encrypt", "--in", src2, "--out", prot,
                "--recipient-cert", FX.pki.cert("alice", "rsa"), expect=OK)
        _, verdict = alice.json("read", "--in", prot, expect=OK)
        self.assertTrue(verdict["encrypted"] and verdict["signed"], verdict)
        sig = verdict["signatures"][0]
        self.assertEqual((sig["status"], sig["trusted"], sig["signer_email"]), ("valid", True, BOB))
        self.assertIn("MARKER-1d3f", verdict.get("body") or "")
        # bob reads his own copy too (self-encryption)
        _, verdict = bob.json("read", "--in", prot, expect=OK)
        self.assertIn("MARKER-1d3f", verdict.get("body") or "")
        # the key lives only in the vault
        hits = scan_for_key(bob.profile, key_material(FX.pki.key("bob", "rsa")))
        self.assertEqual(hits, [])
        # twin: without the vault passphrase the legacy key is unusable
        r = bob.run("decrypt", "--in", enc, "--out", work / "nope.eml",
                    passphrase_file=FX.wrong_passphrase_file, expect=BAD_INPUT)
        self.assertRegex(r.stderr.decode(), r"(?i)wrong passphrase")
        r = bob.run("sign", "--in", src2, "--out", work / "nope2.eml",
                    passphrase_file=FX.wrong_passphrase_file, expect=BAD_INPUT)
        self.assertRegex(r.stderr.decode(), r"(?i)wrong passphrase")


if __name__ == "__main__":
    sys.argv = sealpost_cli.take_binary_arg(sys.argv)
    try:
        unittest.main(verbosity=2)
    finally:
        _cleanup()

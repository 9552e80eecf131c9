# SPDX-License-Identifier: Apache-2.0
"""Hostile-input builder for the catalogue suites: a small DER tree (parse, edit, re-encode
with correct lengths), CMS surgery on it (re-signing edited signed attributes with the
openssl CLI so a signature stays mathematically valid over a malformed structure), MIME
assembly, and the shared world (PKI + profiles) of tests/e2e/e2e_util.py.

Everything is built at test time; nothing here is a stored attack file.
"""

import base64
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))
sys.path.insert(0, str(HERE.parent / "support"))

import e2e_util  # noqa: E402
import sealpost_cli  # noqa: E402
from der import oid_content, oid_text, read_length, tlv  # noqa: E402
from e2e_util import (BAD_INPUT, NOT_GOOD, OK, USAGE, crashed, examine, openssl,  # noqa: E402,F401
                      run_checked, stderr_lines, world)

ALICE, BOB = "alice@example.org", "bob@example.org"
MARKER = "MARKER-c4t4"
TESTDATA = Path(os.environ.get("SEALPOST_TESTDATA") or (HERE.parents[1].parent / "shared" / "testdata"))
JOHNNY = TESTDATA / "johnny-fired"

# ---------------------------------------------------------------------------------------
# DER tree


class T:
    """One TLV. `tag` is the identifier byte; constructed tags hold `kids`, others `value`."""

    def __init__(self, tag, value=b"", kids=None):
        self.tag = tag
        self.value = value
        self.kids = kids

    @property
    def constructed(self):
        return bool(self.tag & 0x20)

    def encode(self):
        return tlv(self.tag, b"".join(k.encode() for k in self.kids) if self.kids is not None else self.value)

    def __getitem__(self, i):
        return self.kids[i]

    def oid(self):
        assert self.tag == 0x06
        return oid_text(self.value)


def parse(data, pos=0, end=None):
    """The TLV at data[pos:] (definite lengths only); constructed ones are parsed deeply."""
    node, _ = _parse_one(data, pos)
    return node


def _parse_one(data, pos):
    tag = data[pos]
    assert tag & 0x1F != 0x1F, "high tag numbers are not used in CMS"
    n, i = read_length(data, pos + 1)  # ValueError for indefinite lengths: re-encode as DER first
    content = data[i:i + n]
    if tag & 0x20:
        kids, j = [], 0
        while j < len(content):
            kid, used = _parse_one(content, j)
            kids.append(kid)
            j = used
        return T(tag, kids=kids), i + n
    return T(tag, value=content), i + n


def seq(*kids):
    return T(0x30, kids=list(kids))


def set_(*kids):
    return T(0x31, kids=list(kids))


def ctx(n, *kids):
    return T(0xA0 | n, kids=list(kids))


def octet(b):
    return T(0x04, value=bytes(b))


def null():
    return T(0x05)


def integer(n):
    return T(0x02, value=n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def oid(dotted):
    return T(0x06, value=oid_content(dotted))


def utctime(text):
    return T(0x17, value=text.encode())


OID = {
    "data": "1.2.840.113549.1.7.1",
    "signedData": "1.2.840.113549.1.7.2",
    "envelopedData": "1.2.840.113549.1.7.3",
    "authEnvelopedData": "1.2.840.113549.1.9.16.1.23",
    "compressedData": "1.2.840.113549.1.9.16.1.9",
    "zlib": "1.2.840.113549.1.9.16.3.8",
    "contentType": "1.2.840.113549.1.9.3",
    "messageDigest": "1.2.840.113549.1.9.4",
    "signingTime": "1.2.840.113549.1.9.5",
    "smimeCapabilities": "1.2.840.113549.1.9.15",
    "sha1": "1.3.14.3.2.26",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "gost94": "1.2.643.2.2.9",
    "whirlpool": "1.0.10118.3.0.55",
    "aes256cbc": "2.16.840.1.101.3.4.1.42",
    "aes256gcm": "2.16.840.1.101.3.4.1.46",
    "aes256ofb": "2.16.840.1.101.3.4.1.43",
    "des3": "1.2.840.113549.3.7",
    "rc2": "1.2.840.113549.3.2",
    "pSpecified": "1.2.840.113549.1.1.9",
}

# ---------------------------------------------------------------------------------------
# CMS navigation (on the tree)


def body(ci):
    """The SignedData/EnvelopedData/... SEQUENCE of a ContentInfo tree."""
    return ci[1][0]


def signer_infos(ci):
    sd = body(ci)
    assert sd.kids[-1].tag == 0x31
    return sd.kids[-1]


def signed_attrs(si):
    """The [0] IMPLICIT signedAttrs of a SignerInfo (or None)."""
    return next((k for k in si.kids if k.tag == 0xA0), None)


def attr(si, name):
    """The Attribute SEQUENCE named `name` in the SignerInfo's signed attributes."""
    for a in signed_attrs(si).kids:
        if a[0].oid() == OID[name]:
            return a
    return None


def signature_field(si):
    return [k for k in si.kids if k.tag == 0x04][-1]


def resign(si, key_path, digest="sha256"):
    """Signs the SignerInfo's signed attributes again (RSA PKCS#1 v1.5) after an edit, so
    the signature is valid over exactly the (malformed) attributes now present."""
    attrs = signed_attrs(si)
    for a in attrs.kids:  # each attribute's values are a DER SET OF: sorted, as OpenSSL re-encodes them
        a[1].kids.sort(key=lambda k: k.encode())
    to_sign = T(0x31, kids=attrs.kids).encode()  # RFC 5652 §5.4: signed as an explicit SET OF
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "attrs.der"
        p.write_bytes(to_sign)
        sig = openssl("dgst", f"-{digest}", "-sign", key_path, p)
    signature_field(si).value = sig


def econtent(ci):
    """The eContent OCTET STRING node of a SignedData, or None when detached."""
    eci = body(ci)[2]
    return eci[1][0] if len(eci.kids) > 1 else None


def enveloped_fields(ci):
    """(fields, index of RecipientInfos, index of EncryptedContentInfo) of an (Auth)EnvelopedData."""
    fields = body(ci).kids
    ri = next(i for i, f in enumerate(fields) if f.tag == 0x31)
    return fields, ri, ri + 1


# ---------------------------------------------------------------------------------------
# MIME

HEAD = (f"From: Alice <{ALICE}>\r\nTo: Bob <{BOB}>\r\nSubject: catalogue\r\n"
        "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\nMessage-ID: <cat@example.org>\r\nMIME-Version: 1.0\r\n")


def plain_message(text=f"Hello Bob, {MARKER}", head=HEAD):
    return (head + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + text + "\r\n").encode()


def b64_lines(data):
    b = base64.b64encode(data)
    return b"\r\n".join(b[i:i + 76] for i in range(0, len(b), 76)) + b"\r\n"


def p7m_entity(der, smime_type):
    return (f"Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n").encode() + b64_lines(der)


def p7m_message(der, smime_type, head=HEAD):
    return head.encode() + p7m_entity(der, smime_type)


def multipart(subtype, parts, boundary="b-cat-1", extra_params="", head=HEAD, preamble=b""):
    out = (head + f'Content-Type: multipart/{subtype}; boundary="{boundary}"{extra_params}\r\n\r\n').encode()
    out += preamble
    for p in parts:
        out += f"--{boundary}\r\n".encode() + p + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def entity_of(message):
    """A message's body-describing entity: its Content-* fields and body (no RFC 5322 fields)."""
    head, body_ = e2e_util.split_message(message)
    keep = []
    lines = head.split(b"\r\n")
    cur = None
    for line in lines:
        if line[:1] in (b" ", b"\t") and cur is not None:
            cur.append(line)
            continue
        cur = None
        if line.lower().startswith(b"content-"):
            cur = [line]
            keep.append(cur)
    return b"".join(b"\r\n".join(c) + b"\r\n" for c in keep) + b"\r\n" + body_


# ---------------------------------------------------------------------------------------
# Running


class Case:
    """One scratch directory and a counter for file names."""

    def __init__(self, name):
        self.dir = world().scratch(name)
        self.n = 0

    def file(self, data, suffix=".eml"):
        self.n += 1
        p = self.dir / f"{self.n:03d}{suffix}"
        p.write_bytes(data)
        return p


class CatalogueCase(unittest.TestCase):
    """What every catalogue class starts from: the world `w`, the RSA profiles `alice` and
    `bob`, a scratch Case `c` named CASE, and alice's openssl `signer`. Subclasses extend
    setUpClass via super()."""

    maxDiff = 4000
    CASE = None

    @classmethod
    def setUpClass(cls):
        w = cls.w = world()
        cls.bob, cls.alice = w.profile("bob-rsa"), w.profile("alice-rsa")
        cls.c = Case(cls.CASE)
        cls.signer = Signer("alice", "sign")

    def assert_typed_error(self, r, pattern):
        """Refused as bad input (exit 3) with one stderr line that matches pattern."""
        self.assertEqual(r.rc, BAD_INPUT, r.describe())
        lines = stderr_lines(r)
        self.assertEqual(len(lines), 1, r.describe())
        self.assertRegex(lines[0], re.compile(pattern, re.I), r.describe())

    def run_bounded(self, path, command="verify", *extra):
        """examine() of path by bob, asserting the CPU budget per message (catalogue R9)."""
        (r, v), cpu, wall = cpu_of_children(lambda: examine(self.bob, command, path, *extra))
        self.assertLess(cpu, cpu_budget(2.0), f"{cpu:.2f} s CPU ({wall:.2f} s wall)\n{r.describe()}")
        return r, v

    def examine_bounded(self, data, command="verify", *extra):
        """run_bounded on `data`, written to a new file of the case."""
        return self.run_bounded(self.c.file(data), command, *extra)


_sanitized = None


def cpu_budget(seconds=2.0):
    """The CPU budget per message: `seconds` for a release build; five times that for a
    sanitizer build (ASan/UBSan slow every instruction by 2-4x), which still catches any
    super-linear blow-up the bound is there for."""
    global _sanitized
    if _sanitized is None:
        data = sealpost_cli.binary_path().read_bytes()
        _sanitized = b"__asan_init" in data  # the ASan runtime's entry, linked by -fsanitize=address
    return seconds * 5 if _sanitized else seconds


def cpu_of_children(fn):
    """(fn's result, CPU seconds used by the child processes fn ran, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r, cpu, time.monotonic() - t0


def child_max_rss_kib():
    """Largest resident set of any child so far (KiB, Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def cms_sign(content_path, signers, *extra, out_der=True):
    """`openssl cms -sign` with one or more (cert, key) signers; DER out."""
    args = ["cms", "-sign", "-binary", "-in", content_path, "-outform", "DER"]
    for cert, key in signers:
        args += ["-signer", cert, "-inkey", key]
    return openssl(*args, *extra)


def layer_errors(v):
    return [(l.get("status"), l.get("error", "")) for l in v["layers"] if l.get("status") != "ok"]


def main():
    sealpost_cli.take_binary_arg(sys.argv)
    import unittest
    unittest.main(verbosity=2)


def signed_part(content_entity, sig_der, micalg="sha-256", boundary="b-signed-1",
                protocol="application/pkcs7-signature"):
    """A multipart/signed entity (Content-Type field and body) over `content_entity`."""
    return (f'Content-Type: multipart/signed; protocol="{protocol}"; micalg={micalg}; '
            f'boundary="{boundary}"\r\n\r\n--{boundary}\r\n').encode() + content_entity + (
        f"\r\n--{boundary}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n").encode() + b64_lines(sig_der) + (
        f"\r\n--{boundary}--\r\n").encode()


CONTENT = (b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
           b"Hello Bob, " + MARKER.encode() + b"\r\nThe quarterly numbers are fine.\r\n")


class Signer:
    """Signs with the openssl CLI as one of the test PKI's people (chain included)."""

    def __init__(self, name="alice", kind="sign"):
        w = world()
        self.cert, self.key = w.cert(name, kind), w.pki.key(name, kind)
        self.extra_certs = w.pki.intermediate if kind != "untrusted" else w.pki.evil_root

    def detached(self, case, content=CONTENT, *extra):
        src = case.file(content, ".txt")
        return openssl("cms", "-sign", "-binary", "-in", src, "-outform", "DER", "-signer", self.cert,
                       "-inkey", self.key, "-certfile", self.extra_certs, *extra)

    def opaque(self, case, content=CONTENT, *extra):
        return self.detached(case, content, "-nodetach", *extra)


def signed_message(content_entity, sig_der, head=HEAD, **kw):
    return head.encode() + signed_part(content_entity, sig_der, **kw)


def issue(case, name, subject, ext, ca=None, ca_key=None, key_spec=("ec", "P-256")):
    """(cert, key) paths of a new certificate issued by the test intermediate (or `ca`),
    with the openssl extension lines `ext`; EC keys, as they are quick to make."""
    pki = world().pki
    ca, ca_key = ca or pki.intermediate, ca_key or pki.intermediate_key
    key = case.dir / f"{name}.key"
    openssl("genpkey", "-algorithm", key_spec[0], "-pkeyopt", f"ec_paramgen_curve:{key_spec[1]}", "-out", key)
    csr = case.dir / f"{name}.csr"
    cnf = case.dir / "req.cnf"
    cnf.write_text("[req]\ndistinguished_name = dn\n[dn]\n")
    openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr, "-config", cnf)
    extfile = case.dir / f"{name}.ext"
    extfile.write_text(ext, encoding="utf-8")  # otherName values may be UTF-8 (RFC 8398)
    cert = case.dir / f"{name}.pem"
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "365", "-sha256", "-extfile", extfile, "-out", cert)
    return cert, key


LEAF_EXT = ("basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=emailProtection\n")

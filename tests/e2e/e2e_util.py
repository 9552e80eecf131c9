# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the end-to-end suite: one PKI and a few profiles per process, a tiny
DER walker to tamper with CMS structures at exact places, and MIME surgery on messages.

Imports tests/support/testpki.py and tests/support/sealpost_cli.py read-only.
"""

import atexit
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))

import sealpost_cli  # noqa: E402
import testpki  # noqa: E402
from der import oid_text, read_length  # noqa: E402
from sealpost_cli import OK, NOT_GOOD, USAGE, BAD_INPUT, crashed  # noqa: E402,F401

OPENSSL = os.environ.get("OPENSSL", "openssl")


# ---------------------------------------------------------------------------------------
# DER


class Node:
    """One DER TLV: tag byte(s) as read, header start, content start and end offsets."""

    def __init__(self, data, start):
        self.data = data
        self.start = start
        i = start
        first = data[i]
        i += 1
        self.cls = first >> 6
        self.constructed = bool(first & 0x20)
        num = first & 0x1F
        if num == 0x1F:
            num = 0
            while True:
                b = data[i]
                i += 1
                num = (num << 7) | (b & 0x7F)
                if not b & 0x80:
                    break
        self.number = num
        length, i = read_length(data, i)  # ValueError for indefinite lengths
        self.content_start = i
        self.end = i + length
        if self.end > len(data):
            raise ValueError("DER length runs past the end")

    @property
    def content(self):
        return self.data[self.content_start:self.end]

    def children(self):
        if not self.constructed:
            return []
        out, i = [], self.content_start
        while i < self.end:
            n = Node(self.data, i)
            out.append(n)
            i = n.end
        return out

    def is_universal(self, number):
        return self.cls == 0 and self.number == number

    def is_context(self, number):
        return self.cls == 2 and self.number == number

    def oid(self):
        assert self.is_universal(6)
        return oid_text(self.content)


OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
OID_AUTH_ENVELOPED_DATA = "1.2.840.113549.1.9.16.1.23"


def cms_body(der):
    """(content type OID, the [0] EXPLICIT content's inner SEQUENCE node) of a ContentInfo."""
    ci = Node(der, 0)
    oid_node, explicit = ci.children()[:2]
    return oid_node.oid(), explicit.children()[0]


def _primitive_ranges(node):
    """(start, end) of the content bytes of an OCTET STRING, primitive or constructed."""
    if not node.constructed:
        return [(node.content_start, node.end)]
    return [r for c in node.children() for r in _primitive_ranges(c)]


def signature_value_range(der):
    """Byte range of the first signer's signature value inside a SignedData.

    For ECDSA the value is itself a SEQUENCE of two INTEGERs; the range returned is then
    the content of s (the last INTEGER), so a flip stays out of the DER structure."""
    oid, sd = cms_body(der)
    assert oid == OID_SIGNED_DATA, oid
    signer_infos = sd.children()[-1]
    assert signer_infos.is_universal(17), "last SignedData field is not the SignerInfos SET"
    si = signer_infos.children()[0]
    fields = si.children()
    sig = [f for f in fields if f.is_universal(4)][-1]
    try:
        inner = Node(der, sig.content_start)
        if inner.is_universal(16) and inner.end == sig.end:
            ints = inner.children()
            if len(ints) == 2 and all(x.is_universal(2) for x in ints):
                return ints[1].content_start, ints[1].end
    except (ValueError, IndexError):
        pass
    return sig.content_start, sig.end


def signer_info_algorithms(der):
    """(digestAlgorithm OID, signatureAlgorithm OID, signatureAlgorithm parameters node or
    None) of the first SignerInfo of a SignedData."""
    oid, sd = cms_body(der)
    assert oid == OID_SIGNED_DATA, oid
    si = sd.children()[-1].children()[0]
    algs = [f for f in si.children() if f.is_universal(16)]
    # version, sid (SEQUENCE issuerAndSerialNumber or [0]), digestAlgorithm, [0] signedAttrs?,
    # signatureAlgorithm, signature, [1]?: the last two SEQUENCEs are the two algorithms.
    digest_alg, sig_alg = algs[-2], algs[-1]
    params = sig_alg.children()[1] if len(sig_alg.children()) > 1 else None
    return digest_alg.children()[0].oid(), sig_alg.children()[0].oid(), params


def pss_hash_oid(params):
    """hashAlgorithm OID of RSASSA-PSS-params (SHA-1 when absent, per RFC 4055)."""
    for c in params.children():
        if c.is_context(0):
            return c.children()[0].children()[0].oid()
    return "1.3.14.3.2.26"


def content_encryption_oid(der):
    """The content-encryption algorithm OID of an (Auth)EnvelopedData."""
    _, _, eci = _encrypted_content_info(der)
    return eci.children()[1].children()[0].oid()


def recipient_key_algorithms(der):
    """(kind, key-encryption algorithm OID) per RecipientInfo: ktri / kari / ..."""
    _, fields, _ = _encrypted_content_info(der)
    ris = next(f for f in fields if f.is_universal(17))
    out = []
    for r in ris.children():
        if r.is_universal(16):  # KeyTransRecipientInfo: version, rid, keyEncryptionAlgorithm
            out.append(("ktri", r.children()[2].children()[0].oid()))
        elif r.is_context(1):   # KeyAgreeRecipientInfo: version, [0], [1]?, keyEncryptionAlgorithm
            alg = next(c for c in r.children() if c.is_universal(16))
            out.append(("kari", alg.children()[0].oid()))
        else:
            out.append((f"[{r.number}]", None))
    return out


def _encrypted_content_info(der):
    oid, body = cms_body(der)
    assert oid in (OID_ENVELOPED_DATA, OID_AUTH_ENVELOPED_DATA), oid
    fields = body.children()
    # version, [0] originatorInfo?, recipientInfos SET, (auth)EncryptedContentInfo SEQ, ...
    idx = next(i for i, f in enumerate(fields) if f.is_universal(17))
    return oid, fields, fields[idx + 1]


def ciphertext_ranges(der):
    """Byte ranges of the encrypted content of an (Auth)EnvelopedData."""
    _, _, eci = _encrypted_content_info(der)
    enc = [c for c in eci.children() if c.is_context(0)]
    assert enc, "no encryptedContent [0]"
    return _primitive_ranges(enc[0])


def gcm_tag_range(der):
    """Byte range of the MAC (the GCM tag) of an AuthEnvelopedData."""
    oid, fields, _ = _encrypted_content_info(der)
    assert oid == OID_AUTH_ENVELOPED_DATA, oid
    mac = fields[-1]
    assert mac.is_universal(4), "last AuthEnvelopedData field is not the mac OCTET STRING"
    return mac.content_start, mac.end


def flip(data, pos, mask=0x01):
    b = bytearray(data)
    b[pos] ^= mask
    return bytes(b)


# ---------------------------------------------------------------------------------------
# MIME surgery (on bytes; keeps everything else exactly as it was)

_EOL = re.compile(rb"\r?\n")


def split_message(msg):
    """(header block incl. its final blank line, body) of an RFC 5322 message."""
    m = re.search(rb"\r?\n\r?\n", msg)
    assert m, "no header/body separator"
    return msg[:m.end()], msg[m.end():]


def header_value(msg, name):
    head, _ = split_message(msg)
    unfolded = re.sub(rb"\r?\n[ \t]", b" ", head)
    for line in _EOL.split(unfolded):
        if line.lower().startswith(name.lower().encode() + b":"):
            return line.split(b":", 1)[1].strip().decode()
    return None


def replace_header(msg, name, value):
    head, body = split_message(msg)
    pat = re.compile(rb"(?im)^" + re.escape(name.encode()) + rb":[^\r\n]*(\r?\n[ \t][^\r\n]*)*")
    new, n = pat.subn(lambda m: name.encode() + b": " + value.encode(), head, count=1)
    assert n == 1, f"no {name} header"
    return new + body


def base64_body(msg):
    """DER of a base64 application/pkcs7-mime message body."""
    _, body = split_message(msg)
    return base64.b64decode(re.sub(rb"\s+", b"", body), validate=True)


def with_base64_body(msg, der):
    head, _ = split_message(msg)
    eol = b"\r\n" if head.endswith(b"\r\n\r\n") else b"\n"
    b64 = base64.b64encode(der)
    lines = [b64[i:i + 76] for i in range(0, len(b64), 76)]
    return head + eol.join(lines) + eol


def boundary_of(msg):
    ct = header_value(msg, "Content-Type")
    m = re.search(r'boundary="?([^";\s]+)"?', ct)
    assert m, ct
    return m.group(1).encode()


def multipart_parts(msg):
    """(preamble incl. first delimiter line, [part bytes...], epilogue incl. close delimiter)
    of a multipart message, splitting exactly at the delimiter lines."""
    head, body = split_message(msg)
    b = re.escape(boundary_of(msg))
    delim = re.compile(rb"(?:^|\r?\n)--" + b + rb"(--)?[ \t]*(?=\r?\n|$)")
    marks = list(delim.finditer(body))
    assert len(marks) >= 2 and marks[-1].group(1), "not a well-formed multipart body"
    parts = [body[marks[i].end():marks[i + 1].start()] for i in range(len(marks) - 1)]
    return head + body[:marks[0].end()], parts, [m.group(0) for m in marks], body[marks[-1].start():]


def reorder_multipart(msg):
    """The same multipart message with its first two parts swapped (delimiters untouched)."""
    pre, parts, delims, tail = multipart_parts(msg)
    assert len(parts) == 2, len(parts)
    return pre + parts[1] + delims[1] + parts[0] + tail


def detached_signature(msg):
    """DER of the application/pkcs7-signature part of a multipart/signed message."""
    _, parts, _, _ = multipart_parts(msg)
    return base64_body(parts[1].lstrip(b"\r\n"))


def with_detached_signature(msg, der):
    """The multipart/signed message with its signature part's base64 body replaced."""
    pre, parts, delims, tail = multipart_parts(msg)
    part = parts[1]
    lead = part[:len(part) - len(part.lstrip(b"\r\n"))]
    new = lead + with_base64_body(part[len(lead):], der)
    # with_base64_body ends with a line break; the part originally ended with one too
    if not part.endswith(b"\n") and new.endswith(b"\n"):
        new = new.rstrip(b"\r\n")
    return pre + parts[0] + delims[1] + new + tail


def nested_multiparts(levels, boundary_prefix):
    """An entity of `levels` multipart/mixed parts nested in one another around one text
    part; the boundary of level i is boundary_prefix + i."""
    inner = b"Content-Type: text/plain\r\n\r\nhi\r\n"
    for i in range(levels):
        b = f"{boundary_prefix}{i}".encode()
        inner = (b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n"
                 + inner + b"\r\n--" + b + b"--\r\n")
    return inner


def is_7bit_clean(data):
    return all(b < 0x80 and b != 0 for b in data)


# ---------------------------------------------------------------------------------------
# The world: one PKI, profiles made on demand, all under one temp dir per process.
#
# Profiles used by the suite. Senders also hold the intermediate (so their signatures carry
# the chain); recipients trust only the root and must build the chain from the message.
PROFILES = {
    # name: (identities as (person, kind, as), trust the root?, hold the intermediate?)
    "alice-rsa": ([("alice", "sign", "signing"), ("alice", "enc", "encryption")], True, True),
    "alice-ec256": ([("alice", "ec256", "both")], True, True),
    "alice-ec384": ([("alice", "ec384", "both")], True, True),
    "bob-rsa": ([("bob", "rsa", "both")], True, False),
    "bob-ec256": ([("bob", "ec256", "both")], True, False),
    "bob-ec384": ([("bob", "ec384", "both")], True, False),
    # trusts nothing and holds no keys: every signature is untrusted to it
    "stranger": ([], False, False),
}


class World:
    def __init__(self):
        self.pki = testpki.shared()
        self.tmp = Path(tempfile.mkdtemp(prefix="sealpost-e2e-"))
        atexit.register(shutil.rmtree, self.tmp, ignore_errors=True)
        self._profiles = {}
        self._n = 0

    def scratch(self, name):
        """A fresh directory for one test's files."""
        self._n += 1
        d = self.tmp / f"{self._n:04d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"
        d.mkdir()
        return d

    def profile(self, name):
        """The profile `name` of PROFILES, made on first use and then shared."""
        if name not in self._profiles:
            identities, root, intermediate = PROFILES[name]
            p = self.pki
            self._profiles[name] = sealpost_cli.make_profile(
                self.tmp / f"profile-{name}",
                identities=[(p.cert(n, k), p.key(n, k), as_) for n, k, as_ in identities],
                anchors=[p.root] if root else [],
                intermediates=[p.intermediate] if intermediate else [])
        return self._profiles[name]

    def cert(self, name, kind):
        return self.pki.cert(name, kind)


_world = None


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


def examine(sp, command, path, *extra):
    """Runs `verify|read --in path --json ...`; returns (Result, verdict or None).

    The verdict is schema-validated whenever stdout is not empty; a crash fails."""
    r = sp.run(command, "--in", path, "--json", *extra)
    problem = crashed(r)
    if problem:
        raise AssertionError(f"{problem}\n{r.describe()}")
    if not r.stdout.strip():
        return r, None
    try:
        verdict = json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError(f"stdout is not JSON ({e})\n{r.describe()}") from None
    try:
        sealpost_cli.validate_verdict(verdict, r.rc)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{r.describe()}") from None
    return r, verdict


def run_checked(sp, *args):
    """sp.run(*args), failing on a crash."""
    r = sp.run(*args)
    problem = crashed(r)
    if problem:
        raise AssertionError(f"{problem}\n{r.describe()}")
    return r


def stderr_lines(result):
    return [l for l in result.stderr.decode(errors="replace").splitlines() if l.strip()]


def openssl(*args, input=None):
    p = subprocess.run([OPENSSL, *map(str, args)], capture_output=True, input=input)
    if p.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))} failed:\n{p.stderr.decode()}")
    return p.stdout


def cms_decrypt_raw(der, cert, key, workdir):
    """The raw CMS plaintext of an EnvelopedData, decrypted by openssl (not by Sealpost)."""
    path = Path(workdir) / "raw-envelope.der"
    path.write_bytes(der)
    return openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", path,
                   "-recip", cert, "-inkey", key)

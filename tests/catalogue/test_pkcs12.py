#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.8 (PKCS#12 import), K1-K8, through `sealpost cert import`.

Well-formed files come from `openssl pkcs12 -export`; hostile ones are assembled here from
DER pieces (the DER and RFC 7292 MAC helpers of tests/identities/test_identities.py), each
with a real MAC unless the case is about the MAC. Every refusal is checked for its reason
and for having imported nothing; every refusal has a twin that imports."""
import hashlib
import hmac
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
import sealpost_cli  # noqa: E402
import testpki  # noqa: E402

_spec = importlib.util.spec_from_file_location("identities_suite", HERE.parent / "identities" / "test_identities.py")
ids = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ids)
der, der_oid, pkcs12_kdf = ids.der, ids.der_oid, ids.pkcs12_kdf

OPENSSL = os.environ.get("OPENSSL", "openssl")
PASSWORD = testpki.P12_PASSWORD
MAX_BYTES = 1 << 20            # pki::kMaxPkcs12Bytes
MAX_MAC_ITERATIONS = 10_000_000  # pki::kMaxPkcs12MacIterations
MAX_KDF_ITERATIONS = 10_000_000  # pki::kMaxPkcs12KdfIterations

OID_DATA = der_oid("1.2.840.113549.1.7.1")
OID_KEY_BAG = der_oid("1.2.840.113549.1.12.10.1.1")
OID_CERT_BAG = der_oid("1.2.840.113549.1.12.10.1.3")
OID_X509_CERT = der_oid("1.2.840.113549.1.9.22.1")
OID_FRIENDLY_NAME = der_oid("1.2.840.113549.1.9.20")
OID_LOCAL_KEY_ID = der_oid("1.2.840.113549.1.9.21")
OID_SHA256 = der_oid("2.16.840.1.101.3.4.2.1")
OID_PBMAC1 = der_oid("1.2.840.113549.1.5.14")

TMP = Path(tempfile.mkdtemp(prefix="sealpost-catalogue-p12-"))
PKI = None


def setUpModule():
    global PKI
    PKI = testpki.shared()


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    ids._cleanup()


def openssl(*args):
    done = subprocess.run([OPENSSL, *map(str, args)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def pkcs8(name, kind):
    return openssl("pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", PKI.key(name, kind))


def cert_der(name, kind):
    return openssl("x509", "-outform", "DER", "-in", PKI.cert(name, kind))


def attributes(*attrs):
    return der(0x31, b"".join(der(0x30, oid + der(0x31, value)) for oid, value in attrs))


def key_bag(pkcs8_der, *attrs):
    return der(0x30, OID_KEY_BAG + der(0xA0, pkcs8_der) + (attributes(*attrs) if attrs else b""))


def cert_bag(certificate_der, *attrs):
    value = der(0x30, OID_X509_CERT + der(0xA0, der(0x04, certificate_der)))
    return der(0x30, OID_CERT_BAG + der(0xA0, value) + (attributes(*attrs) if attrs else b""))


def data_info(content):
    return der(0x30, OID_DATA + der(0xA0, der(0x04, content)))


def mac_data(auth_safe, password=PASSWORD, iterations=2048, mac_oid=OID_SHA256, tamper=False):
    """MacData (RFC 7292 §4) over `auth_safe` with HMAC-SHA-256; past 2,048 iterations the
    value is not computed (zeros): those cases are about the count, not the value."""
    salt = b"catalogue"
    digest = (hmac.new(pkcs12_kdf(password, salt, 3, iterations, 32), auth_safe, hashlib.sha256).digest()
              if iterations <= 2048 else b"\x00" * 32)
    if tamper:
        digest = bytes([digest[0] ^ 1]) + digest[1:]
    return der(0x30, der(0x30, der(0x30, mac_oid + der(0x05, b"")) + der(0x04, digest))
               + der(0x04, salt) + der(0x02, iterations.to_bytes((iterations.bit_length() + 8) // 8, "big")))


def pfx(bags, password=PASSWORD, mac=True, auth_safe=None, **mac_options):
    """A PFX of unencrypted bags (one SafeContents), with a MAC under `password` (None: the
    absent-password encoding of RFC 7292 B.1) unless mac is False."""
    if auth_safe is None:
        auth_safe = der(0x30, data_info(der(0x30, b"".join(bags))))
    body = der(0x02, b"\x03") + data_info(auth_safe)
    if mac:
        body += mac_data(auth_safe, password, **mac_options)
    return der(0x30, body)


class Pkcs12CatalogueTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(dir=TMP))
        self.sp = sealpost_cli.Sealpost(self.dir / "profile", timeout=120)
        self.password_file = self.write("password", PASSWORD + "\n")

    def write(self, name, content):
        path = self.dir / name
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        return path

    def import_(self, p12_bytes_or_path, *extra, password_file=None):
        path = p12_bytes_or_path if isinstance(p12_bytes_or_path, Path) else self.write("in.p12", p12_bytes_or_path)
        done = self.sp.run("cert", "import", path, "--password-file", password_file or self.password_file,
                           *extra)
        self.assertNotIn(b"Sanitizer", done.stderr)
        self.assertNotIn(b"internal error", done.stderr)
        return done

    def stored(self):
        if not (self.sp.profile / "vault.db").exists():
            return []
        done = self.sp.run("cert", "list", "--json", expect=0)
        return [c["sha256"] for c in json.loads(done.stdout)]

    def assertRefused(self, done, rc, *fragments):
        self.assertEqual(done.rc, rc, done.describe())
        for f in fragments:
            self.assertIn(f, done.stderr.decode())
        self.assertEqual(self.stored(), [], "nothing may be imported")

    def fingerprint(self, name, kind):
        return hashlib.sha256(cert_der(name, kind)).hexdigest()

    def good_bags(self, name="bob", kind="sign"):
        key_id = (OID_LOCAL_KEY_ID, der(0x04, b"\x01\x02"))
        return [key_bag(pkcs8(name, kind), key_id), cert_bag(cert_der(name, kind), key_id)]

    # --- K1: absent optional contents ---

    def test_K1_absent_contents_are_a_clean_error(self):
        no_content = der(0x30, der(0x02, b"\x03") + der(0x30, OID_DATA) + mac_data(b""))  # authSafe without [0]
        self.assertRefused(self.import_(no_content), 3)
        empty_inner = der(0x30, der(0x30, OID_DATA))                       # a ContentInfo without content
        self.assertRefused(self.import_(pfx([], auth_safe=empty_inner)), 3)
        empty_bag = der(0x30, OID_KEY_BAG)                                  # a bag without its value
        self.assertRefused(self.import_(pfx([empty_bag])), 3)
        # Twin: the same assembly with every field present imports.
        done = self.import_(pfx(self.good_bags()))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])

    # --- K2: attribute type confusion ---

    def test_K2_wrongly_typed_bag_attributes_are_a_clean_error(self):
        for name, attr in (("friendlyName as INTEGER", (OID_FRIENDLY_NAME, der(0x02, b"\x05"))),
                           ("localKeyID as SEQUENCE", (OID_LOCAL_KEY_ID, der(0x30, der(0x02, b"\x01")))),
                           ("friendlyName as NULL", (OID_FRIENDLY_NAME, der(0x05, b"")))):
            with self.subTest(attribute=name):
                self.setUp()
                bags = [key_bag(pkcs8("bob", "sign"), attr), cert_bag(cert_der("bob", "sign"), attr)]
                done = self.import_(pfx(bags))
                # OpenSSL ignores an attribute it cannot use; what is imported must be the
                # right pair (the key is matched to the certificate by its public key).
                self.assertIn(done.rc, (0, 3), done.describe())
                if done.rc == 0:
                    self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])
                else:
                    self.assertEqual(self.stored(), [])

    # --- K3: MAC ---

    def test_K3_missing_mac_is_refused(self):
        # No override: OpenSSL itself reads a MAC-less file only with an empty password.
        for password in ("password", "empty"):
            with self.subTest(password=password):
                pw = self.password_file if password == "password" else self.write("empty", "")
                done = self.import_(pfx(self.good_bags(), mac=False), password_file=pw)
                self.assertRefused(done, 1, "no integrity check (MAC)")
        # Twin: the same bags with a MAC import.
        done = self.import_(pfx(self.good_bags()))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])

    def test_K3_wrong_or_odd_mac_is_refused(self):
        self.assertRefused(self.import_(pfx(self.good_bags(), tamper=True)), 3, "wrong password")
        self.assertRefused(self.import_(pfx(self.good_bags(), mac_oid=OID_PBMAC1)), 3)

    def test_K3_mac_iteration_cap(self):
        started = time.monotonic()
        done = self.import_(pfx(self.good_bags(), iterations=2 ** 31))
        self.assertRefused(done, 3, "MAC iterations", str(MAX_MAC_ITERATIONS))
        above = self.import_(pfx(self.good_bags(), iterations=MAX_MAC_ITERATIONS + 1))
        self.assertRefused(above, 3, f"asks for {MAX_MAC_ITERATIONS + 1} MAC iterations")
        self.assertLess(time.monotonic() - started, 10)
        # At the cap the MAC is computed (and this one's value is wrong): not a limit error.
        at_cap = self.import_(pfx(self.good_bags(), iterations=MAX_MAC_ITERATIONS))
        self.assertRefused(at_cap, 3, "wrong password")
        self.assertNotIn("MAC iterations", at_cap.stderr.decode())

    def test_K3_bag_encryption_iteration_cap(self):
        # The key bag's PBKDF2 count (the MAC's is 1: -nomaciter), at and one over the cap.
        files = {}
        for count in (MAX_KDF_ITERATIONS, MAX_KDF_ITERATIONS + 1):
            files[count] = self.write(f"iter-{count}.p12", b"")
            openssl("pkcs12", "-export", "-in", PKI.cert("bob", "sign"), "-inkey", PKI.key("bob", "sign"),
                    "-certpbe", "NONE", "-iter", count, "-nomaciter", "-passout", f"pass:{PASSWORD}",
                    "-out", files[count])
        started = time.monotonic()
        above = self.import_(files[MAX_KDF_ITERATIONS + 1])
        self.assertRefused(above, 3, f"asks for {MAX_KDF_ITERATIONS + 1} key-derivation iterations")
        self.assertLess(time.monotonic() - started, 5)
        at_cap = self.import_(files[MAX_KDF_ITERATIONS])
        self.assertEqual(at_cap.rc, 0, at_cap.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])

    # --- K4: passwords ---

    def test_K4_wrong_password_imports_nothing(self):
        wrong = self.write("wrong", "not the password\n")
        self.assertRefused(self.import_(Path(PKI.p12("bob", "sign")), password_file=wrong), 3, "wrong password")
        done = self.import_(Path(PKI.p12("bob", "sign")))
        self.assertEqual(done.rc, 0, done.describe())

    def test_K4_empty_password_in_both_encodings(self):
        empty = self.write("empty", "")
        bmp_empty = self.write("bmp.p12", b"")
        openssl("pkcs12", "-export", "-in", PKI.cert("bob", "sign"), "-inkey", PKI.key("bob", "sign"),
                "-passout", "pass:", "-out", bmp_empty)
        for name, p12 in (("empty BMPString", bmp_empty), ("absent", self.write("absent.p12", pfx(self.good_bags(), password=None)))):
            with self.subTest(encoding=name):
                self.setUp()
                done = self.import_(p12, password_file=empty)
                self.assertEqual(done.rc, 0, done.describe())
                self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])
                self.setUp()
                self.assertRefused(self.import_(p12), 3, "wrong password")  # twin: a non-empty one

    # --- K5: legacy encryption ---

    def test_K5_legacy_export_is_read_and_re_protected(self):
        legacy = self.write("legacy.p12", b"")
        openssl("pkcs12", "-export", "-legacy", "-in", PKI.cert("bob", "sign"), "-inkey", PKI.key("bob", "sign"),
                "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-RC2-40", "-macalg", "sha1",
                "-passout", f"pass:{PASSWORD}", "-out", legacy)
        done = self.import_(legacy)
        self.assertEqual(done.rc, 0, done.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])
        # In the vault the key is AES-256-GCM under the vault key: no PKCS#12 or PEM form of it.
        key_der = pkcs8("bob", "sign")
        self.assertNotIn(key_der[-64:], (self.sp.profile / "vault.db").read_bytes())
        wrong = self.write("wrong", "nope\n")
        self.setUp()
        self.assertRefused(self.import_(legacy, password_file=wrong), 3, "wrong password")

    # --- K6: key and certificate ---

    def test_K6_key_never_stored_with_a_foreign_certificate(self):
        foreign = [key_bag(pkcs8("alice", "sign")), cert_bag(cert_der("bob", "sign"))]
        self.assertRefused(self.import_(pfx(foreign)), 3, "no certificate for its private key")
        two_keys = [key_bag(pkcs8("alice", "sign")), key_bag(pkcs8("bob", "sign")), cert_bag(cert_der("bob", "sign"))]
        done = self.import_(pfx(two_keys))
        # OpenSSL reads the first key only (alice's), which bob's certificate does not match.
        self.assertRefused(done, 3, "no certificate for its private key")
        # Twin: bob's key first pairs with bob's certificate by public key.
        done = self.import_(pfx([key_bag(pkcs8("bob", "sign")), cert_bag(cert_der("alice", "sign")),
                                 cert_bag(cert_der("bob", "sign"))]))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])

    # --- K7: friendlyName ---

    def test_K7_hostile_friendly_names_are_harmless(self):
        names = {
            "huge": der(0x1E, "A".encode("utf-16-be") * 60_000),
            "odd-length": der(0x1E, b"\x00A\x00"),
            "non-BMP": der(0x1E, "\U0001F600 \ud800".encode("utf-16-be", "surrogatepass")),
            "control bytes": der(0x1E, "evil\x00\x1b[31m\r\nX-Header: 1".encode("utf-16-be")),
        }
        for name, value in names.items():
            with self.subTest(friendly_name=name):
                self.setUp()
                attr = (OID_FRIENDLY_NAME, value)
                done = self.import_(pfx([key_bag(pkcs8("bob", "sign"), attr), cert_bag(cert_der("bob", "sign"), attr)]))
                self.assertIn(done.rc, (0, 3), done.describe())
                if done.rc == 0:
                    listing = self.sp.run("cert", "list", expect=0).stdout
                    self.assertNotIn(b"\x1b", listing)
                    self.assertNotIn(b"X-Header", listing)
                    self.assertLess(len(listing), 4096)
                    self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])

    # --- K8: size ---

    def test_K8_oversized_file_is_refused_before_parsing(self):
        sparse = self.dir / "huge.p12"
        with open(sparse, "wb") as f:
            f.truncate(200 * 1000 * 1000)  # 200 MB, sparse: costs no disk
        started = time.monotonic()
        self.assertRefused(self.import_(sparse), 3, f"at most {MAX_BYTES} bytes")
        self.assertLess(time.monotonic() - started, 5)
        # Just below and just above the cap: the same valid file padded with extra certificates.
        filler = cert_bag(cert_der("alice", "enc"))
        base = pfx(self.good_bags())
        count = (MAX_BYTES - len(base) - 64) // len(filler)
        below = pfx(self.good_bags() + [filler] * count)
        while len(below) > MAX_BYTES:
            count -= 1
            below = pfx(self.good_bags() + [filler] * count)
        above = pfx(self.good_bags() + [filler] * (count + 2))
        self.assertLessEqual(len(below), MAX_BYTES)
        self.assertGreater(len(above), MAX_BYTES)
        self.assertRefused(self.import_(above), 3, f"at most {MAX_BYTES} bytes")
        done = self.import_(below)
        self.assertEqual(done.rc, 0, done.describe())
        self.assertEqual(self.stored(), [self.fingerprint("bob", "sign")])


if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main(verbosity=2)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.6, algorithm policy (A1-A7): weak digests, legacy ciphers, short and
oversized keys, hostile PSS/OAEP parameters, and the send-side floor.

Run:  /usr/bin/python3 tests/catalogue/test_algorithms.py [-v] [--sealpost BIN]
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, BOB, CONTENT, MARKER, NOT_GOOD, OID, OK, Signer, T, attr, body,  # noqa: E402
                     e2e_util, entity_of, enveloped_fields, examine, integer, main, oid,
                     openssl, p7m_message, parse, plain_message, resign, run_checked, sealpost_cli, seq,
                     signed_message, signer_infos, stderr_lines)

LEGACY = ("-provider", "legacy", "-provider", "default")


class Algorithms(CatalogueCase):
    CASE = "algorithms"

    def verify(self, data, *extra):
        return examine(self.bob, "verify", self.c.file(data), *extra)

    def signed_with(self, *opts, signer=None):
        return signed_message(CONTENT, (signer or self.signer).detached(self.c, CONTENT, *opts))

    def test_A1_sha1_signature_refused_unless_legacy(self):
        msg = self.signed_with("-md", "sha1")
        r, v = self.verify(msg)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "insecure-algorithm", r.describe())
        r, v = self.verify(msg, "--allow-legacy")
        self.assertEqual(v["signatures"][0]["status"], "valid", r.describe())
        self.assertTrue(v["signatures"][0]["weak"], r.describe())
        r, v = self.verify(self.signed_with("-md", "sha256"))  # twin
        self.assertEqual(r.rc, OK, r.describe())

    def test_A2_md5_signature_always_refused(self):
        msg = self.signed_with("-md", "md5")
        for extra in ((), ("--allow-legacy",)):
            with self.subTest(extra=extra):
                r, v = self.verify(msg, *extra)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertEqual(v["signatures"][0]["status"], "insecure-algorithm", r.describe())

    def test_A3_legacy_ciphers_refused_by_default(self):
        src = self.c.file(entity_of(plain_message()), ".txt")
        for cipher in ("-des3", "-des", "-rc2-40"):
            with self.subTest(cipher):
                der = openssl("cms", "-encrypt", "-binary", cipher, "-in", src, "-outform", "DER",
                              *LEGACY, self.w.cert("bob", "rsa"))
                path = self.c.file(p7m_message(der, "enveloped-data"))
                out = self.c.dir / f"a3{cipher}.eml"
                r = run_checked(self.bob, "decrypt", "--in", path, "--out", out)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertFalse(out.exists())
                self.assertRegex(stderr_lines(r)[0], re.compile("insecure|refused", re.I))
                r, v = examine(self.bob, "read", path, "--allow-legacy")
                self.assertIn(MARKER, v["body"], r.describe())
                self.assertTrue(v["encryption"]["weak"], r.describe())

    def test_A4_short_rsa_keys(self):
        weak = Signer("alice", "weak")
        r, v = self.verify(self.signed_with(signer=weak))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "insecure-algorithm", r.describe())
        plain = self.c.file(plain_message())
        out = self.c.dir / "a4-enc.eml"
        r = run_checked(self.alice, "encrypt", "--in", plain, "--out", out,
                        "--recipient-cert", self.w.cert("alice", "weak"))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertFalse(out.exists())
        self.assertRegex(stderr_lines(r)[0], re.compile("weak|small|short|1024", re.I))

    def test_A5_oversized_signature_and_key(self):
        ci = parse(self.signer.detached(self.c))
        si = signer_infos(ci)[0]
        [k for k in si.kids if k.tag == 0x04][-1].value = b"\x5a" * 4096
        r, v = self.verify(signed_message(CONTENT, ci.encode()))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "invalid", r.describe())
        # A 20,000-bit RSA key (OpenSSL's cap is 16,384): refused as too large, whatever the
        # signature blob says.
        n = (1 << 19999) | 1 | (0xC0FFEE << 100)
        rsa_pub = seq(integer(n), integer(65537)).encode()
        spki = seq(seq(oid("1.2.840.113549.1.1.1"), T(0x05)), T(0x03, value=b"\x00" + rsa_pub)).encode()
        import base64
        pem = self.c.dir / "big.pub.pem"
        pem.write_text("-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(spki).decode() + "-----END PUBLIC KEY-----\n")
        req_key = self.c.dir / "big-req.key"
        openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", req_key)
        cnf = self.c.dir / "req.cnf"
        cnf.write_text("[req]\ndistinguished_name = dn\n[dn]\n")
        csr = self.c.dir / "big.csr"
        openssl("req", "-new", "-key", req_key, "-subj", "/CN=Big Key", "-out", csr, "-config", cnf)
        ext = self.c.dir / "big.ext"
        ext.write_text("basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n"
                       "subjectAltName=email:alice@example.org\n")
        cert = self.c.dir / "big.pem"
        pki = self.w.pki
        openssl("x509", "-req", "-in", csr, "-force_pubkey", pem, "-CA", pki.intermediate, "-CAkey",
                pki.intermediate_key, "-CAcreateserial", "-days", "30", "-extfile", ext, "-out", cert)
        cert_der = parse(openssl("x509", "-in", cert, "-outform", "DER"))
        ci = parse(self.signer.detached(self.c))
        sd = body(ci)
        certs = next(k for k in sd.kids if k.tag == 0xA0)
        certs.kids = [cert_der, parse(openssl("x509", "-in", pki.intermediate, "-outform", "DER"))]
        si = signer_infos(ci)[0]
        tbs = cert_der[0]
        si.kids[1] = seq(tbs[3], tbs[1])  # issuerAndSerialNumber of the big certificate
        [k for k in si.kids if k.tag == 0x04][-1].value = b"\x01" * 2500
        r, v = self.verify(signed_message(CONTENT, ci.encode()))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        [s] = v["signatures"]
        self.assertIn(s["status"], ("unsupported-algorithm", "insecure-algorithm"), r.describe())
        self.assertIn("too large", s.get("detail", ""), r.describe())

    def test_A6_hostile_pss_and_oaep_parameters(self):
        pss = ("-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:32", "-md", "sha256")
        good = self.signer.detached(self.c, CONTENT, *pss)
        r, v = self.verify(signed_message(CONTENT, good))
        self.assertEqual(r.rc, OK, r.describe())  # twin

        def edit(fn):
            ci = parse(good)
            si = signer_infos(ci)[0]
            sig_alg = [k for k in si.kids if k.tag == 0x30][-1]
            fn(sig_alg[1])
            return ci.encode()

        def salt(params):
            params.kids = [k for k in params.kids if k.tag != 0xA2] + [T(0xA2, kids=[integer(10000)])]
            params.kids.sort(key=lambda k: k.tag)

        def trailer(params):
            params.kids.append(T(0xA3, kids=[integer(2)]))

        def mgf(params):
            m = next(k for k in params.kids if k.tag == 0xA1)
            m[0].kids[1] = seq(oid(OID["sha1"]))

        for name, fn in (("saltLength 10000", salt), ("trailerField 2", trailer), ("MGF1 hash mismatch", mgf)):
            with self.subTest(name):
                r, v = self.verify(signed_message(CONTENT, edit(fn)))
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertNotEqual(v["signatures"][0]["status"], "valid", r.describe())
        with self.subTest("OAEP with an unknown hash"):
            enc = self.c.file(b"")
            self.alice.encrypt(self.c.file(plain_message()), enc, [self.w.cert("bob", "rsa")], oaep=True)
            ci = parse(e2e_util.base64_body(enc.read_bytes()))
            fields, ri, _ = enveloped_fields(ci)
            for r_ in fields[ri].kids:
                r_[2][1][0][0].kids[0] = oid("1.2.3.4.5.6.7")
            path = self.c.file(p7m_message(ci.encode(), "enveloped-data"))
            out = self.c.dir / "a6-oaep.eml"
            r = run_checked(self.bob, "decrypt", "--in", path, "--out", out)
            self.assertIn(r.rc, (NOT_GOOD, 3), r.describe())
            self.assertFalse(out.exists())
            self.assertEqual(len(stderr_lines(r)), 1, r.describe())

    def test_A7_send_side_never_below_floor(self):
        w = self.w
        # Bob's signed mail announces only 3DES and RC2-40.
        bob = Signer("bob", "rsa")
        ci = parse(bob.detached(self.c))
        si = signer_infos(ci)[0]
        caps = attr(si, "smimeCapabilities")
        caps[1].kids = [seq(seq(oid(OID["des3"])), seq(oid(OID["rc2"]), integer(40)))]
        resign(si, w.pki.key("bob", "rsa"))
        head = ("From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: caps\r\n"
                "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")
        d = w.scratch("a7-profile")
        alice = sealpost_cli.make_profile(
            d, anchors=[w.pki.root], intermediates=[w.pki.intermediate],
            identities=[(w.cert("alice", "sign"), w.pki.key("alice", "sign"), "signing"),
                        (w.cert("alice", "enc"), w.pki.key("alice", "enc"), "encryption")])
        r, v = examine(alice, "read", self.c.file(signed_message(CONTENT, ci.encode(), head=head)))
        self.assertEqual(r.rc, OK, r.describe())
        r = run_checked(alice, "contacts", "list", "--json")
        self.assertIn(BOB, r.stdout.decode(), r.describe())
        plain = self.c.file(plain_message().replace(b"To: Bob <bob@example.org>", b"To: <bob@example.org>"))
        out = self.c.dir / "a7-out.eml"
        r = run_checked(alice, "encrypt", "--in", plain, "--out", out)
        self.assertEqual(r.rc, OK, r.describe())
        der = e2e_util.base64_body(out.read_bytes())
        self.assertIn(e2e_util.content_encryption_oid(der),
                      {OID["aes256cbc"], "2.16.840.1.101.3.4.1.2", OID["aes256gcm"], "2.16.840.1.101.3.4.1.6"})


if __name__ == "__main__":
    main()

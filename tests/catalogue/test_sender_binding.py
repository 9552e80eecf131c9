#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.4, sender identity binding (I1-I6) and UI redressing (U1): a good signature
whose From does not belong to the signer is never a good message.

Run:  /usr/bin/python3 tests/catalogue/test_sender_binding.py [-v] [--sealpost BIN]
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, ALICE, BOB, CONTENT, JOHNNY, LEAF_EXT, NOT_GOOD, OK, Signer, e2e_util,  # noqa: E402
                     examine, issue, main, openssl, plain_message, signed_message)

AT_2020 = "2020-01-01T00:00:00Z"
REST = "To: Bob <bob@example.org>\r\nSubject: binding\r\nDate: Tue, 04 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"


class SenderBinding(CatalogueCase):
    CASE = "sender-binding"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plain = cls.c.file(plain_message())
        signed = cls.c.file(b"")
        cls.alice.sign(plain, signed)
        _, cls.signed_body = e2e_util.split_message(signed.read_bytes())
        cls.signed_ct = e2e_util.header_value(signed.read_bytes(), "Content-Type")

    def with_fields(self, fields):
        """Alice's genuinely signed body under the given outer header lines."""
        head = "".join(f + "\r\n" for f in fields) + REST + f"Content-Type: {self.signed_ct}\r\n\r\n"
        return head.encode() + self.signed_body

    def verify(self, data, *extra):
        return examine(self.bob, "verify", self.c.file(data), *extra)

    def assert_binding(self, fields, matches, warning=None):
        r, v = self.verify(self.with_fields(fields))
        [s] = v["signatures"]
        self.assertEqual(s["status"], "valid", r.describe())
        self.assertTrue(s["trusted"], r.describe())
        self.assertEqual(s["email_matches_from"], matches, r.describe())
        self.assertIn(ALICE, s["signer_emails"], r.describe())
        self.assertEqual(r.rc, OK if matches else NOT_GOOD, r.describe())
        if warning:
            self.assertTrue(any(re.search(warning, w_, re.I) for w_ in v["warnings"]), r.describe())
        return r, v

    def johnny(self, rel):
        p = JOHNNY / rel
        if not p.is_file():
            self.skipTest(f"testdata absent: {p}")
        return p

    def test_I1_from_unequals_signer(self):
        self.assert_binding([f"From: Bob <{BOB}>"], matches=False)
        self.assert_binding([f"From: Alice <{ALICE}>"], matches=True)  # twin

    def test_I2_display_name_confusion(self):
        self.assert_binding([f'From: "{BOB}" <{ALICE}>'], matches=True, warning="looks like an address")
        self.assert_binding([f'From: "{ALICE}" <{BOB}>'], matches=False)
        self.assert_binding(["From:"], matches=False)
        self.assert_binding(["From: Alice Example"], matches=False)
        self.assert_binding([], matches=False)

    def test_I3_from_sender_confusion(self):
        self.assert_binding([f"From: {ALICE}, {BOB}"], matches=False, warning="several mailboxes")
        self.assert_binding([f"From: {BOB}, {ALICE}"], matches=False, warning="several mailboxes")
        self.assert_binding([f"From: {ALICE}", f"From: {BOB}"], matches=False, warning="From fields")
        self.assert_binding([f"From: {BOB}", f"Sender: {ALICE}"], matches=False)
        self.assert_binding([f"From: {ALICE}", f"Sender: {BOB}"], matches=True, warning="Sender")

    def test_I1_I3_johnny_identity(self):
        expected = {  # file -> email_matches_from of every signature
            "04-id/i1-sender-signer-checks/i1-from-unequals-signer-smime.eml": False,
            "04-id/i2-display-name-confusion/i2-from-contains-signer-smime.eml": True,
            "04-id/i2-display-name-confusion/i2-from-is-empty-smime.eml": False,
            "04-id/i2-display-name-confusion/i2-from-is-nonexistent-smime.eml": False,
            "04-id/i2-display-name-confusion/i2-from-is-only-a-name-smime.eml": False,
            "04-id/i2-display-name-confusion/i2-from-is-signer-sender-a-smime.eml": False,
            "04-id/i2-display-name-confusion/i2-from-is-signer-sender-b-smime.eml": False,
            "04-id/i3-from-sender-confusion/i3-from-is-sender-sender-signer-smime.eml": False,
            "04-id/i3-from-sender-confusion/i3-from-is-sender-signer-sender-smime.eml": False,
            "04-id/i3-from-sender-confusion/i3-from-sender-others-signer-smime.eml": False,
            "04-id/i3-from-sender-confusion/i3-from1-sender-from2-signer-smime.eml": False,
            "04-id/i3-from-sender-confusion/i3-from1-signer-from2-sender-smime.eml": False,
        }
        for rel, matches in expected.items():
            with self.subTest(rel):
                r, v = examine(self.bob, "verify", self.johnny(rel), "--at", AT_2020)
                self.assertTrue(v and v["signatures"], r.describe())
                if not matches:
                    self.assertNotEqual(r.rc, OK, r.describe())
                    self.assertFalse(any(s["email_matches_from"] for s in v["signatures"]), r.describe())

    def sign_with(self, cert, key, from_addr):
        src = self.c.file(CONTENT, ".txt")
        sig = openssl("cms", "-sign", "-binary", "-in", src, "-outform", "DER", "-signer", cert,
                      "-inkey", key, "-certfile", self.w.pki.intermediate)
        head = f"From: <{from_addr}>\r\n" + REST
        return signed_message(CONTENT, sig, head=head)

    def test_I4_address_normalisation(self):
        self.assert_binding([f"From: <{ALICE.replace('example.org', 'EXAMPLE.Org')}>"], matches=True)
        c = self.c
        # Address only in the subject DN: the legacy fallback applies.
        cert, key = issue(c, "dn-only", "/O=Sealpost Demo Org/CN=Dana/emailAddress=dana@example.org", LEAF_EXT)
        r, v = self.verify(self.sign_with(cert, key, "dana@example.org"))
        self.assertTrue(v["signatures"][0]["email_matches_from"], r.describe())
        # SAN has an address: the DN's other address is not the signer's.
        cert, key = issue(c, "san-and-dn", "/O=Sealpost Demo Org/CN=Erin/emailAddress=boss@example.org",
                          LEAF_EXT + "subjectAltName=email:erin@example.org\n")
        r, v = self.verify(self.sign_with(cert, key, "boss@example.org"))
        self.assertFalse(v["signatures"][0]["email_matches_from"], r.describe())
        r, v = self.verify(self.sign_with(cert, key, "erin@example.org"))
        self.assertTrue(v["signatures"][0]["email_matches_from"], r.describe())
        self.assertEqual(r.rc, OK, r.describe())

    def assert_bound(self, cert, key, from_addr, matches, shown=None):
        """Signs with (cert, key) under `From: <from_addr>` (raw UTF-8, RFC 6532): the signature
        is good and trusted either way, so a mismatch is flagged for the address alone. The
        From is reported ASCII-lower-cased, with A-labels shown as U-labels (`shown`; GMime)."""
        r, v = self.verify(self.sign_with(cert, key, from_addr))
        [s] = v["signatures"]
        self.assertEqual(s["status"], "valid", r.describe())
        self.assertTrue(s["trusted"], r.describe())
        ascii_lower = "".join(ch.lower() if ch.isascii() else ch for ch in from_addr)
        self.assertEqual(v["from"], shown or ascii_lower, r.describe())
        self.assertEqual(s["email_matches_from"], matches, r.describe())
        self.assertEqual(r.rc, OK if matches else NOT_GOOD, r.describe())
        return s

    def test_I4_L4_idn_u_label_from_matches_a_label_san(self):
        cert, key = issue(self.c, "idn-a-label", "/O=Sealpost Demo Org/CN=Alice IDN",
                          LEAF_EXT + "subjectAltName=email:alice@xn--bcher-kva.example\n")
        s = self.assert_bound(cert, key, "alice@bücher.example", matches=True)
        self.assertEqual(s["signer_email"], "alice@bücher.example")
        self.assertEqual(s["signer_emails"], ["alice@xn--bcher-kva.example"])  # as written
        self.assert_bound(cert, key, "Alice@BÜCHER.example", matches=True)
        # The A-label From matches too (GMime reports it as the U-label, which before IDNA
        # matching made the certificate's own spelling a mismatch).
        self.assert_bound(cert, key, "alice@xn--bcher-kva.example", matches=True, shown="alice@bücher.example")
        # GMime decodes only a lower-case "xn--"; Sealpost reads the upper-case spelling the same way.
        self.assert_bound(cert, key, "alice@XN--BCHER-KVA.example", matches=True, shown="alice@bücher.example")
        # Twin: the ASCII look-alike domain is another domain.
        s = self.assert_bound(cert, key, "alice@bucher.example", matches=False)
        self.assertEqual(s["signer_email"], "alice@xn--bcher-kva.example")
        # Twin: an A-label that is not valid punycode (it overflows) matches nothing, not even
        # the same spelling in the certificate (a failed conversion is never "equal as written").
        bad, bad_key = issue(self.c, "idn-invalid", "/O=Sealpost Demo Org/CN=Alice IDN",
                             LEAF_EXT + "subjectAltName=email:alice@xn--99999999999.example\n")
        self.assert_bound(bad, bad_key, "alice@xn--99999999999.example", matches=False)

    def test_I4_L4_smtputf8mailbox_san(self):
        # RFC 8398 otherName; FORMAT:UTF8 keeps openssl from reading the bytes as Latin-1.
        ext = (LEAF_EXT + "subjectAltName=@alt\n[alt]\n"
               "otherName.1=1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:jörg@bücher.example\n")
        cert, key = issue(self.c, "smtputf8", "/O=Sealpost Demo Org/CN=Joerg/emailAddress=boss@example.org", ext)
        s = self.assert_bound(cert, key, "jörg@bücher.example", matches=True)
        self.assertEqual(s["signer_emails"], ["jörg@bücher.example"])
        self.assert_bound(cert, key, "jörg@xn--bcher-kva.example", matches=True, shown="jörg@bücher.example")
        # Twins: another local part (no Unicode folding: ö is not o), and the DN emailAddress,
        # which is no fallback once the SAN has a mailbox.
        self.assert_bound(cert, key, "jorg@bücher.example", matches=False)
        self.assert_bound(cert, key, "boss@example.org", matches=False)

    def test_I5_protected_headers(self):
        def protected(hp):
            inner = (f'Content-Type: text/plain; charset=us-ascii{hp}\r\n'
                     f"From: Alice <{ALICE}>\r\nSubject: the real subject\r\n\r\nSigned text.\r\n").encode()
            sig = Signer().detached(self.c, inner)
            outer = f"From: Bob <{BOB}>\r\nTo: x@example.org\r\nSubject: a fake subject\r\nMIME-Version: 1.0\r\n"
            return signed_message(inner, sig, head=outer)

        r, v = self.verify(protected('; hp="clear"'))
        [s] = v["signatures"]
        self.assertEqual(s["status"], "valid", r.describe())
        self.assertTrue(s["email_matches_from"], r.describe())
        self.assertEqual(v["from"], ALICE, r.describe())
        self.assertTrue(any("outer From" in w_ and BOB in w_ for w_ in v["warnings"]), r.describe())
        # Twin: without the hp marker the inner fields are only content; the outer From
        # (bob) is what the signer is bound to, and it does not match.
        r, v = self.verify(protected(""))
        self.assertFalse(v["signatures"][0]["email_matches_from"], r.describe())
        self.assertEqual(r.rc, NOT_GOOD, r.describe())

    def test_I6_name_constraints_and_crafted_addresses(self):
        c, pki = self.c, self.w.pki
        ca_ext = ("basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                  "nameConstraints=critical,permitted;email:.example.org,permitted;email:example.org\n")
        ca, ca_key = issue(c, "nc-ca", "/O=Sealpost Demo Org/CN=Constrained CA", ca_ext,
                           ca=pki.root, ca_key=pki.root_key)
        crafted = "x" * 200 + "@xn--" + "a" * 60 + ".evil.example"
        for name, san in (("outside", "email:foo@evil.com"), ("crafted", f"email:{crafted}"),
                          ("inside", "email:frank@example.org")):
            with self.subTest(name):
                cert, key = issue(c, f"nc-{name}", f"/O=Sealpost Demo Org/CN=NC {name}",
                                  LEAF_EXT + f"subjectAltName={san}\n", ca=ca, ca_key=ca_key)
                src = c.file(CONTENT, ".txt")
                sig = openssl("cms", "-sign", "-binary", "-in", src, "-outform", "DER", "-signer", cert,
                              "-inkey", key, "-certfile", ca)
                addr = san.split(":", 1)[1]
                r, v = self.verify(signed_message(CONTENT, sig, head=f"From: <{addr}>\r\n" + REST))
                [s] = v["signatures"]
                self.assertEqual(s["status"], "valid", r.describe())
                if name == "inside":
                    self.assertTrue(s["trusted"], r.describe())
                    self.assertEqual(r.rc, OK, r.describe())
                else:
                    self.assertFalse(s["trusted"], r.describe())
                    self.assertTrue(any(re.search("constraint|name", p, re.I) for p in s["chain_problems"]),
                                    r.describe())

    def test_U1_fake_banner_is_unsigned(self):
        html = ('From: Alice <alice@example.org>\r\n' + REST +
                'Content-Type: text/html\r\n\r\n<div style="background:green">&#x2714; Signed by '
                'alice@example.org (verified)</div><p>You are fired.</p>\r\n').encode()
        r, v = self.verify(html)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertFalse(v["signed"])
        self.assertEqual(v["signatures"], [])
        r, v = examine(self.bob, "read", self.c.file(html))
        self.assertFalse(v["signed"])
        path = JOHNNY / "05-ui/u1-ui-redressing/u1-generic.eml"
        if not path.is_file():
            self.skipTest(f"testdata absent: {path}")
        r, v = examine(self.bob, "verify", path, "--at", AT_2020)
        self.assertFalse(v["signed"], r.describe())
        self.assertEqual(r.rc, NOT_GOOD, r.describe())


if __name__ == "__main__":
    main()

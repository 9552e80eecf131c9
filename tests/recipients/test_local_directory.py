#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Recipient certificates from the local directory (the embedded default): contacts,
lookup with reasons, encryption to the message's addresses that fails closed, and
harvesting from verified signed mail (capabilities then pick AES-GCM)."""
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import sealpost_cli  # noqa: E402
import testpki  # noqa: E402

MESSAGE = "From: {frm}\r\nTo: {to}\r\nSubject: directory test\r\n\r\nhello {to}\r\n"


class LocalDirectoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = testpki.shared()
        cls.tmp = Path(tempfile.mkdtemp(prefix="sealpost-recipients-"))

    def profile(self, name, who=None):
        """A profile trusting the test root; `who` gets separate signing and encryption certs."""
        directory = Path(tempfile.mkdtemp(dir=self.tmp, prefix=name))
        identities = []
        if who:
            identities = [(self.pki.cert(who, "sign"), self.pki.key(who, "sign"), "signing"),
                          (self.pki.cert(who, "enc"), self.pki.key(who, "enc"), "encryption")]
        return sealpost_cli.make_profile(directory, identities, anchors=[self.pki.root],
                                         intermediates=[self.pki.intermediate])

    def message(self, frm, to):
        path = Path(tempfile.mkstemp(dir=self.tmp, suffix=".eml")[1])
        path.write_text(MESSAGE.format(frm=frm, to=to), encoding="utf-8")
        return path

    def lookup(self, sp, *addresses):
        result = sp.run("lookup", "--json", *addresses)
        return result.rc, json.loads(result.stdout)

    def test_encrypt_without_a_certificate_fails_closed_and_writes_nothing(self):
        alice = self.profile("alice", "alice")
        out = self.tmp / "never.eml"
        result = alice.run("encrypt", "--in", self.message("alice@example.org", "bob@example.org"), "--out", out)
        self.assertEqual(result.rc, 1, result.describe())
        self.assertIn("bob@example.org", result.stderr.decode())
        self.assertFalse(out.exists())

    def test_contact_added_by_hand_is_used_and_its_twin_without_it_fails(self):
        alice = self.profile("alice", "alice")
        alice.run("contacts", "add", self.pki.cert("bob", "enc"), expect=0)
        rc, rows = self.lookup(alice, "bob@example.org", "carol@example.org")
        self.assertEqual(rc, 1)  # carol has nothing
        self.assertEqual(rows[0]["chosen"]["sha256"][:16], self.fingerprint(self.pki.cert("bob", "enc"))[:16])
        self.assertIsNone(rows[1]["chosen"])
        out = self.tmp / "to-bob.eml"
        alice.run("encrypt", "--in", self.message("alice@example.org", "bob@example.org"), "--out", out, expect=0)
        bob = self.profile("bob", "bob")
        _, verdict = bob.read(out, expect=0)
        self.assertTrue(verdict["encrypted"])
        self.assertIn("hello bob@example.org", verdict["body"])

    def test_lookup_says_why_each_certificate_was_passed_over(self):
        alice = self.profile("alice", "alice")
        alice.run("contacts", "add", self.pki.cert("bob", "sign"), expect=0)     # signing-only
        alice.run("contacts", "add", self.pki.cert("carol", "expired"), expect=0)
        alice.run("contacts", "add", self.pki.cert("mallory", "untrusted"), expect=0)
        reasons = {}
        for address in ("bob@example.org", "carol@example.org", "mallory@example.org"):
            rc, rows = self.lookup(alice, address)
            self.assertEqual(rc, 1)
            self.assertIsNone(rows[0]["chosen"])
            reasons[address] = rows[0]["passed_over"][0]["reason"]
        self.assertEqual(reasons["bob@example.org"], "signing-only")
        self.assertEqual(reasons["carol@example.org"], "expired")
        self.assertTrue(reasons["mallory@example.org"].startswith("untrusted"), reasons)

    def test_signed_mail_harvests_the_preferred_encryption_certificate_with_capabilities(self):
        alice = self.profile("alice", "alice")
        bob = self.profile("bob", "bob")
        signed = self.tmp / "alice-signed.eml"
        alice.sign(self.message("alice@example.org", "bob@example.org"), signed)
        # Twin: before bob reads alice's mail, a reply to her cannot be encrypted.
        reply = self.message("bob@example.org", "alice@example.org")
        bob.run("encrypt", "--in", reply, "--out", self.tmp / "early.eml", expect=1)
        bob.verify(signed, expect=0)
        rc, rows = self.lookup(bob, "alice@example.org")
        self.assertEqual(rc, 0)
        chosen = rows[0]["chosen"]
        # The SMIMEEncryptionKeyPreference names alice's encryption certificate, not the signing one.
        self.assertEqual(chosen["sha256"], self.fingerprint(self.pki.cert("alice", "enc")))
        self.assertEqual(chosen["source"], "harvested")
        self.assertEqual(chosen["capabilities"][:2], ["aes-256-gcm", "aes-128-gcm"])
        encrypted = self.tmp / "reply.eml"
        bob.run("encrypt", "--in", reply, "--out", encrypted, expect=0)
        _, verdict = alice.read(encrypted, expect=0)
        # Every recipient (alice by harvest, bob himself) is known to read AES-256-GCM.
        self.assertEqual(verdict["encryption"], {"algorithm": "aes-256-gcm", "authenticated": True, "weak": False})

    def test_reading_the_same_sender_again_writes_nothing(self):
        alice = self.profile("alice", "alice")
        bob = self.profile("bob", "bob")
        signed = self.tmp / "alice-signed-again.eml"
        alice.sign(self.message("alice@example.org", "bob@example.org"), signed)
        bob.verify(signed, expect=0)
        contacts = bob.profile / "contacts"
        before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in contacts.iterdir()}
        self.assertEqual(len(before), 2, before)  # the certificate and its metadata
        bob.verify(signed, expect=0)
        after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in contacts.iterdir()}
        self.assertEqual(after, before)  # not rewritten (each rewrite was two fsyncs)

    def test_harvesting_keeps_a_contact_added_by_hand_manual_and_learns_its_capabilities(self):
        alice = self.profile("alice", "alice")
        bob = self.profile("bob", "bob")
        bob.run("contacts", "add", self.pki.cert("alice", "enc"), expect=0)
        _, rows = self.lookup(bob, "alice@example.org")
        self.assertEqual(rows[0]["chosen"]["source"], "local")  # added by hand
        self.assertEqual(rows[0]["chosen"]["capabilities"], [])
        signed = self.tmp / "alice-signed-manual.eml"
        alice.sign(self.message("alice@example.org", "bob@example.org"), signed)
        bob.verify(signed, expect=0)
        _, rows = self.lookup(bob, "alice@example.org")
        self.assertEqual(rows[0]["chosen"]["source"], "local")  # not turned into "harvested"
        self.assertEqual(rows[0]["chosen"]["capabilities"][:2], ["aes-256-gcm", "aes-128-gcm"])

    def test_untrusted_signed_mail_is_not_harvested(self):
        mallory = sealpost_cli.make_profile(Path(tempfile.mkdtemp(dir=self.tmp)),
                                            [(self.pki.cert("mallory", "untrusted"), self.pki.key("mallory", "untrusted"), "both")],
                                            anchors=[self.pki.evil_root])
        bob = self.profile("bob", "bob")
        signed = self.tmp / "mallory-signed.eml"
        mallory.sign(self.message("mallory@example.org", "bob@example.org"), signed)
        bob.verify(signed, expect=1)
        rc, rows = self.lookup(bob, "mallory@example.org")
        self.assertEqual(rc, 1)
        self.assertIsNone(rows[0]["chosen"])
        self.assertEqual(rows[0]["passed_over"], [])

    def idn_certificate(self):
        """An encryption certificate issued by the test intermediate for joerg, whose mailbox
        is an RFC 8398 SmtpUTF8Mailbox with an A-label domain (catalogue L4/I4)."""
        import subprocess
        d = Path(tempfile.mkdtemp(dir=self.tmp, prefix="idn"))
        key, csr, ext, cert = d / "joerg.key", d / "joerg.csr", d / "joerg.ext", d / "joerg.pem"
        run = lambda *a: subprocess.run(["openssl", *map(str, a)], capture_output=True, check=True)  # noqa: E731
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        run("req", "-new", "-key", key, "-subj", "/O=Sealpost Test/CN=Joerg", "-out", csr)
        # FORMAT:UTF8 keeps openssl from reading the value's bytes as Latin-1.
        ext.write_text("basicConstraints=critical,CA:false\nkeyUsage=critical,keyAgreement\n"
                       "extendedKeyUsage=emailProtection\nsubjectAltName=@alt\n[alt]\n"
                       "otherName.1=1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:jörg@xn--bcher-kva.example\n",
                       encoding="utf-8")
        run("x509", "-req", "-in", csr, "-CA", self.pki.intermediate, "-CAkey", self.pki.intermediate_key,
            "-CAcreateserial", "-days", "30", "-sha256", "-extfile", ext, "-out", cert)
        return cert

    def test_L4_I4_idn_recipient_matches_its_smtputf8mailbox_certificate(self):
        alice = self.profile("alice", "alice")
        cert = self.idn_certificate()
        alice.run("contacts", "add", cert, expect=0)
        # The U-label address the user typed finds the certificate written with the A-label.
        rc, rows = self.lookup(alice, "jörg@bücher.example")
        self.assertEqual(rc, 0, rows)
        self.assertEqual(rows[0]["chosen"]["sha256"], self.fingerprint(cert))
        out = self.tmp / "to-joerg.eml"
        alice.run("encrypt", "--in", self.message("alice@example.org", "jörg@bücher.example"), "--out", out,
                  expect=0)
        self.assertTrue(out.exists())
        # Twins: the ASCII look-alike domain and the ASCII-folded local part are other people.
        for other in ("jörg@bucher.example", "jorg@bücher.example"):
            rc, rows = self.lookup(alice, other)
            self.assertEqual(rc, 1, other)
            self.assertIsNone(rows[0]["chosen"], other)
        never = self.tmp / "to-jorg.eml"
        alice.run("encrypt", "--in", self.message("alice@example.org", "jorg@bücher.example"), "--out", never,
                  expect=1)
        self.assertFalse(never.exists())

    @staticmethod
    def fingerprint(cert):
        import subprocess
        out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                             capture_output=True, text=True, check=True).stdout
        return out.strip().split("=", 1)[1].replace(":", "").lower()


if __name__ == "__main__":
    unittest.main(verbosity=2)

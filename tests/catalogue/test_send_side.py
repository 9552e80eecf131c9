#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.11 (send-side downgrade and recipient handling), S1-S6, through
`sealpost encrypt` / `protect` with recipients taken from the message's To/Cc/Bcc and looked
up in the profile's contacts (S4: in an LDAP directory that is down).

Fail closed by default; sending unencrypted only as an explicit decision (the policy's
missing_certificate_action, or --allow-unencrypted where the policy says "ask"), reported on
stderr with who decided, and never a message encrypted for some recipients only."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
import sealpost_cli  # noqa: E402
import testpki  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="sealpost-catalogue-send-"))
PKI = None
ALICE, BOB, DAVE = "alice@example.org", "bob@example.org", "dave@example.org"


def setUpModule():
    global PKI
    PKI = testpki.shared()


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def cms_print(path):
    return subprocess.run(["openssl", "cms", "-cmsout", "-print", "-in", str(path)],
                          capture_output=True, text=True, check=True).stdout


def serial_of(cert):
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-serial"], capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip().split("=", 1)[1], 16)


def recipient_serials(path):
    """Serial numbers named by the message's KeyTransRecipientInfos / KeyAgreeRecipientInfos."""
    return {int(s.replace(":", ""), 16) if ":" in s or not s.startswith("0x") else int(s, 16)
            for s in re.findall(r"serialNumber: (?:0x)?([0-9A-Fa-f:]+)", cms_print(path))}


class SendSideCatalogueTest(unittest.TestCase):
    def profile(self, sender="alice", contacts=(), **policy):
        directory = Path(tempfile.mkdtemp(dir=TMP))
        settings = {"vault_kdf_n": 32768, "revocation": "off"}
        settings.update(policy)
        admin = directory / "admin.toml"
        admin.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))
        sp = sealpost_cli.Sealpost(directory / "profile", timeout=120)
        sp.profile.mkdir(mode=0o700)
        sp.admin, sp.dir = admin, directory
        self.run_ok(sp, "trust", "add", PKI.root)
        self.run_ok(sp, "trust", "add", "--intermediate", PKI.intermediate)
        if sender:
            self.run_ok(sp, "identity", "add", "--cert", PKI.cert(sender, "enc"), "--key", PKI.key(sender, "enc"),
                        "--as", "encryption")
            self.run_ok(sp, "identity", "add", "--cert", PKI.cert(sender, "sign"), "--key", PKI.key(sender, "sign"),
                        "--as", "signing")
        for name, kind in contacts:
            self.run_ok(sp, "contacts", "add", PKI.cert(name, kind))
        return sp

    def sp_run(self, sp, *args):
        done = sp.run("--policy", sp.admin, *args)
        self.assertNotIn(b"Sanitizer", done.stderr)
        return done

    def run_ok(self, sp, *args):
        done = self.sp_run(sp, *args)
        self.assertEqual(done.rc, 0, done.describe())
        return done

    def message(self, sp, headers, body="the secret plan\n"):
        path = sp.dir / "message.eml"
        path.write_text(f"From: {ALICE}\n{headers}Subject: plan\n\n{body}")
        return path

    def encrypt(self, sp, message, *extra, command=("encrypt",)):
        out = sp.dir / "out.eml"
        done = self.sp_run(sp, *command, "--in", message, "--out", out, *extra)
        return done, out

    def decrypts_for(self, name, kind, path):
        done = subprocess.run(["openssl", "cms", "-decrypt", "-in", str(path), "-recip", str(PKI.cert(name, kind)),
                               "-inkey", str(PKI.key(name, kind))], capture_output=True)
        return done.returncode == 0, done.stdout

    # --- S1 ---

    def test_S1_missing_certificate_fails_closed_naming_the_address(self):
        sp = self.profile(contacts=[("bob", "enc")])
        done, out = self.encrypt(sp, self.message(sp, f"To: {BOB}\nCc: {DAVE}\n"))
        self.assertEqual(done.rc, 1, done.describe())
        self.assertIn(f"{DAVE}: no certificate found", done.stderr.decode())
        self.assertNotIn(BOB + ":", done.stderr.decode())
        self.assertFalse(out.exists())
        # Twin: without dave, the same message is encrypted for everyone.
        done, out = self.encrypt(sp, self.message(sp, f"To: {BOB}\n"))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertIn("application/pkcs7-mime", out.read_text())
        self.assertTrue(self.decrypts_for("bob", "enc", out)[0])

    def test_S1_administrator_policy_sends_unencrypted_to_all_and_says_so(self):
        sp = self.profile(contacts=[("bob", "enc")], missing_certificate_action="send-unencrypted")
        message = self.message(sp, f"To: {BOB}, {DAVE}\n")
        done, out = self.encrypt(sp, message)
        self.assertEqual(done.rc, 0, done.describe())
        err = done.stderr.decode()
        self.assertIn("NOT ENCRYPTED for any recipient, decided by the administrator's policy "
                      "(missing_certificate_action = send-unencrypted)", err)
        self.assertIn(f"{DAVE}: no certificate found", err)
        # One plaintext message for all: never encrypted for bob alone.
        self.assertEqual(out.read_bytes(), message.read_bytes())
        self.assertNotIn("pkcs7", out.read_text())

    # --- S2 ---

    def test_S2_unusable_certificates_count_as_missing_with_reasons(self):
        cases = {("carol", "expired"): "expired", ("mallory", "untrusted"): "untrusted",
                 ("alice", "weak"): "weak key", ("alice", "serverauth"): "not for e-mail"}
        for (name, kind), reason in cases.items():
            with self.subTest(certificate=f"{name}-{kind}"):
                sp = self.profile(sender="bob", contacts=[(name, kind)])
                address = testpki.email(name)
                done, out = self.encrypt(sp, self.message(sp, f"To: {address}\n"))
                self.assertEqual(done.rc, 1, done.describe())
                self.assertIn(f"{address}: no usable certificate", done.stderr.decode())
                self.assertIn(reason, done.stderr.decode())
                self.assertFalse(out.exists())

    # --- S3 ---

    def test_S3_plaintext_only_by_explicit_decision_recorded(self):
        sp = self.profile(contacts=[("bob", "enc")], missing_certificate_action="ask")
        message = self.message(sp, f"To: {BOB}, {DAVE}\n")
        done, out = self.encrypt(sp, message)
        self.assertEqual(done.rc, 1, done.describe())
        self.assertIn("--allow-unencrypted", done.stderr.decode())
        self.assertFalse(out.exists())
        done, out = self.encrypt(sp, message, "--allow-unencrypted", command=("protect", "--sign", "--encrypt"))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertIn("NOT ENCRYPTED for any recipient, decided by you (--allow-unencrypted, for this message)",
                      done.stderr.decode())
        text = out.read_text()
        self.assertIn("multipart/signed", text)   # still signed, as asked
        self.assertNotIn("pkcs7-mime", text)      # and encrypted for no one
        # With every certificate present the flag changes nothing: encrypted for all.
        done, out = self.encrypt(sp, self.message(sp, f"To: {BOB}\n"), "--allow-unencrypted")
        self.assertEqual(done.rc, 0, done.describe())
        self.assertIn("application/pkcs7-mime", out.read_text())
        self.assertNotIn(b"NOT ENCRYPTED", done.stderr)
        # The default policy (refuse) does not let the user decide.
        strict = self.profile(contacts=[("bob", "enc")])
        done, out = self.encrypt(strict, self.message(strict, f"To: {BOB}, {DAVE}\n"), "--allow-unencrypted")
        self.assertEqual(done.rc, 1, done.describe())
        self.assertIn("missing_certificate_action = refuse", done.stderr.decode())
        self.assertIn(f"{DAVE}: no certificate found", done.stderr.decode())
        self.assertFalse(out.exists())

    # --- S4 ---

    def test_S4_lookup_failure_is_never_plaintext(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = s.getsockname()[1]
        sp = self.profile(public_certificate_source="ldap", ldap_server_address=f"ldap://127.0.0.1:{dead}",
                          ldap_base_dn="dc=example,dc=org", ldap_timeout_ms=1000,
                          missing_certificate_action="send-unencrypted")
        done, out = self.encrypt(sp, self.message(sp, f"To: {DAVE}\n"))
        self.assertEqual(done.rc, 4, done.describe())
        self.assertIn("lookup failed", done.stderr.decode())
        self.assertNotIn(b"NOT ENCRYPTED", done.stderr)
        self.assertFalse(out.exists())

    # --- S5 ---

    def test_S5_each_bcc_recipient_gets_a_separate_message(self):
        # Also over 1 MiB, where an encryption without Bcc goes to the streaming engine.
        for body in ("the secret plan\n", "the secret plan\n" + "padding line of the plan\n" * 90000):
            with self.subTest(size=len(body)):
                self.check_bcc_split(body)

    def check_bcc_split(self, body):
        sp = self.profile(contacts=[("bob", "enc"), ("alice", "enc")])
        message = self.message(sp, f"To: {ALICE}\nBcc: {BOB}\n", body)
        done, out = self.encrypt(sp, message)
        self.assertEqual(done.rc, 0, done.describe())
        copy = Path(str(out) + ".bcc-1.eml")
        self.assertIn(str(copy), done.stderr.decode())
        bob, alice = serial_of(PKI.cert("bob", "enc")), serial_of(PKI.cert("alice", "enc"))
        main_serials, copy_serials = recipient_serials(out), recipient_serials(copy)
        self.assertIn(alice, main_serials)
        self.assertNotIn(bob, main_serials)          # the To recipient cannot see bob
        self.assertIn(bob, copy_serials)
        self.assertFalse(self.decrypts_for("bob", "enc", out)[0])
        for path in (out, copy):
            head = path.read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
            self.assertNotIn(b"Bcc", head)
        ok, plain = self.decrypts_for("bob", "enc", copy)
        self.assertTrue(ok)
        self.assertIn(b"the secret plan", plain)
        self.assertNotIn(b"Bcc", plain)
        # Bcc needs a file to write the copies beside.
        done = self.sp_run(sp, "encrypt", "--in", message, "--out", "-")
        self.assertEqual(done.rc, 2, done.describe())
        self.assertIn("Bcc", done.stderr.decode())

    # --- S6 ---

    def test_S6_sender_can_read_the_sent_copy(self):
        sp = self.profile(contacts=[("bob", "enc")])
        done, out = self.encrypt(sp, self.message(sp, f"To: {BOB}\n"))
        self.assertEqual(done.rc, 0, done.describe())
        self.assertIn(serial_of(PKI.cert("alice", "enc")), recipient_serials(out))
        decrypted = sp.dir / "sent-copy.eml"
        self.run_ok(sp, "decrypt", "--in", out, "--out", decrypted)
        self.assertIn("the secret plan", decrypted.read_text())
        # Without an encryption identity of one's own the Sent copy would be unreadable: the
        # engine refuses (stricter than the catalogue's warning), and never sends plaintext.
        signer_only = self.profile(sender=None, contacts=[("bob", "enc")])
        self.run_ok(signer_only, "identity", "add", "--cert", PKI.cert("alice", "sign"), "--key",
                    PKI.key("alice", "sign"), "--as", "signing")
        done, out = self.encrypt(signer_only, self.message(signer_only, f"To: {BOB}\n"))
        self.assertEqual(done.rc, 3, done.describe())
        self.assertIn("no encryption identity in this profile, so sent mail would be unreadable to you",
                      done.stderr.decode())
        self.assertFalse(out.exists())

if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main(verbosity=2)

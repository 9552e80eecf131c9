#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sealpost lookup` and `sealpost encrypt` against a real slapd (tests/directory/
slapd_fixture.py): the selection rules with their reasons, injection-shaped addresses,
ldaps and bound access, the cache, and failing closed when the directory is down."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "support"))
import netutil  # noqa: E402
import slapd_fixture  # noqa: E402
import testpki  # noqa: E402

SEALPOST = os.environ.get("SEALPOST_BIN", "")
_ldap = None


def setUpModule():
    global _ldap
    if not SEALPOST or not os.access(SEALPOST, os.X_OK):
        raise AssertionError("set SEALPOST_BIN to the sealpost binary")
    _ldap = slapd_fixture.SlapdFixture(bulk_count=20).start()


def tearDownModule():
    if _ldap:
        _ldap.stop()


class SealpostDirectoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = testpki.shared()
        cls.tmp = Path(tempfile.mkdtemp(prefix="sealpost-directory-e2e-"))
        cls.passphrase = cls.tmp / "passphrase"
        cls.passphrase.write_text("directory test\n")
        cls.passphrase.chmod(0o600)

    def profile(self, **policy):
        """A profile whose administrator points it at the test directory."""
        directory = Path(tempfile.mkdtemp(dir=self.tmp))
        settings = {"vault_kdf_n": 32768, "revocation": "off", "public_certificate_source": "ldap",
                    "ldap_server_address": _ldap.ldap_url, "ldap_base_dn": slapd_fixture.BASE_DN}
        settings.update(policy)
        admin = directory / "admin.toml"
        admin.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))
        sp = Sealpost(directory / "profile", admin, self.passphrase)
        sp.ok("trust", "add", _ldap.pki.ca)
        sp.ok("trust", "add", self.pki.root)
        sp.ok("trust", "add", "--intermediate", self.pki.intermediate)
        sp.ok("identity", "add", "--cert", self.pki.cert("alice", "enc"), "--key", self.pki.key("alice", "enc"))
        return sp

    def lookup(self, sp, *addresses):
        done = sp.run("lookup", "--json", *addresses)
        # A source that cannot even be set up (e.g. a bind refused by policy) prints no rows.
        rows = json.loads(done.stdout) if done.stdout.strip() else None
        return done.returncode, rows, done.stderr.decode()

    def test_single_good_certificate_is_chosen(self):
        rc, rows, _ = self.lookup(self.profile(), "alice@example.org")
        self.assertEqual(rc, 0)
        self.assertEqual(rows[0]["chosen"]["sha256"], _ldap.person("alice").fingerprints[0])
        self.assertEqual(rows[0]["chosen"]["source"], "ldap")

    def test_each_rejected_certificate_names_its_reason(self):
        rc, rows, _ = self.lookup(self.profile(), "bob@example.org", "carol@example.org", "dave@example.org")
        bob, carol, dave = rows
        self.assertIsNotNone(bob["chosen"])
        bob_reasons = {p["reason"] for p in bob["passed_over"]}
        self.assertIn("signing-only", bob_reasons)
        self.assertIn("expired", bob_reasons)
        self.assertIsNone(carol["chosen"])
        self.assertTrue(carol["passed_over"][0]["reason"].startswith("address mismatch"))
        self.assertIsNone(dave["chosen"])
        self.assertTrue(dave["passed_over"][0]["reason"].startswith("untrusted"))
        self.assertEqual(rc, 1)  # two addresses have no usable certificate

    def test_pkcs7_bundle_and_proxy_addresses_are_read(self):
        rc, rows, _ = self.lookup(self.profile(), "erin@example.org", "frank@corp.example.org")
        self.assertEqual(rc, 0, rows)
        self.assertEqual(rows[0]["chosen"]["sha256"], _ldap.person("erin").fingerprints[0])
        self.assertEqual(rows[1]["chosen"]["sha256"], _ldap.person("frank").fingerprints[0])

    def test_injection_shaped_addresses_match_nothing_extra(self):
        sp = self.profile()
        for address in ("*)(mail=*", "*", "a*@example.org", "alice@example.org)(mail=*"):
            rc, rows, _ = self.lookup(sp, address)
            self.assertIsNone(rows[0].get("chosen"), address)
            self.assertEqual(rows[0].get("passed_over", []), [], address)

    def test_encrypt_to_the_message_addresses_uses_the_directory(self):
        sp = self.profile()
        message = self.tmp / "to-alice.eml"
        message.write_text("From: alice@example.org\nTo: alice@example.org, erin@example.org\nSubject: x\n\nhi\n")
        out = self.tmp / "to-alice-encrypted.eml"
        sp.ok("encrypt", "--in", message, "--out", out)
        printed = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-in", str(out)],
                                 capture_output=True, text=True, check=True).stdout
        # alice (the sender, RSA key transport) and the directory's alice and erin (ECDH).
        self.assertEqual(printed.count("encryptedKey:"), 3, printed)

    def test_encrypt_fails_closed_when_one_address_has_no_usable_certificate(self):
        sp = self.profile()
        message = self.tmp / "to-dave.eml"
        message.write_text("From: alice@example.org\nTo: alice@example.org, dave@example.org\nSubject: x\n\nhi\n")
        out = self.tmp / "never.eml"
        done = sp.run("encrypt", "--in", message, "--out", out)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("dave@example.org", done.stderr.decode())
        self.assertFalse(out.exists())

    def test_directory_down_is_exit_4_never_plaintext(self):
        sp = self.profile(ldap_server_address=f"ldap://127.0.0.1:{netutil.free_ports(1)[0]}",
                          ldap_timeout_ms=1000)
        rc, rows, _ = self.lookup(sp, "alice@example.org")
        self.assertEqual(rc, 4)
        self.assertIn("error", rows[0])
        message = self.tmp / "down.eml"
        message.write_text("From: alice@example.org\nTo: alice@example.org\nSubject: x\n\nhi\n")
        out = self.tmp / "down-out.eml"
        done = sp.run("encrypt", "--in", message, "--out", out)
        self.assertEqual(done.returncode, 4, done.stderr)
        self.assertFalse(out.exists())

    def test_ldaps_verifies_the_server_certificate(self):
        good = self.profile(ldap_server_address=_ldap.ldaps_url, ldap_tls_ca_file=str(_ldap.ca_file))
        rc, rows, _ = self.lookup(good, "alice@example.org")
        self.assertEqual(rc, 0, rows)
        wrong = self.profile(ldap_server_address=_ldap.ldaps_url, ldap_tls_ca_file=str(_ldap.other_ca_file))
        rc, rows, _ = self.lookup(wrong, "alice@example.org")
        self.assertEqual(rc, 4, rows)

    def test_bound_access_sees_what_anonymous_cannot(self):
        anonymous = self.profile()
        rc, rows, _ = self.lookup(anonymous, "grace@example.org")
        self.assertIsNone(rows[0].get("chosen"))
        bound = self.profile(ldap_server_address=_ldap.ldaps_url, ldap_tls_ca_file=str(_ldap.ca_file),
                             ldap_access_anonymously=False, ldap_bind_dn=slapd_fixture.READER_DN)
        secret = self.tmp / "reader-password"
        secret.write_text(slapd_fixture.READER_PASSWORD + "\n")
        bound.ok("secret", "set", "ldap_bind_password", "--from-file", secret)
        rc, rows, _ = self.lookup(bound, "grace@example.org")
        self.assertEqual(rc, 0, rows)
        self.assertEqual(rows[0]["chosen"]["sha256"], _ldap.person("grace").fingerprints[0])

    def test_bind_over_cleartext_is_refused(self):
        sp = self.profile(ldap_access_anonymously=False, ldap_bind_dn=slapd_fixture.READER_DN)
        secret = self.tmp / "reader-password-2"
        secret.write_text(slapd_fixture.READER_PASSWORD + "\n")
        sp.ok("secret", "set", "ldap_bind_password", "--from-file", secret)
        rc, rows, err = self.lookup(sp, "alice@example.org")
        self.assertEqual(rc, 1, err)
        self.assertIsNone(rows)
        self.assertIn("TLS", err)

    def test_cached_answers_survive_the_directory_going_away(self):
        port = netutil.free_ports(1)[0]
        sp = self.profile()
        rc, rows, _ = self.lookup(sp, "alice@example.org")
        self.assertEqual(rc, 0)
        # Point the same profile at a dead server: the cache answers, --refresh cannot.
        sp.admin.write_text(sp.admin.read_text().replace(_ldap.ldap_url, f"ldap://127.0.0.1:{port}"))
        rc, rows, _ = self.lookup(sp, "alice@example.org")
        self.assertEqual(rc, 0, rows)
        done = sp.run("lookup", "--json", "--refresh", "alice@example.org")
        self.assertEqual(done.returncode, 4)


class Sealpost:
    def __init__(self, profile, admin, passphrase):
        self.profile, self.admin, self.passphrase = profile, admin, passphrase

    def run(self, *args):
        env = dict(os.environ, SEALPOST_PASSPHRASE_FILE=str(self.passphrase), no_proxy="127.0.0.1")
        return subprocess.run([SEALPOST, "--profile", str(self.profile), "--policy", str(self.admin),
                               *map(str, args)], capture_output=True, env=env, timeout=120)

    def ok(self, *args):
        done = self.run(*args)
        if done.returncode != 0:
            raise AssertionError(f"{args}: exit {done.returncode}: {done.stderr.decode()}")
        return done


if __name__ == "__main__":
    unittest.main(verbosity=2)

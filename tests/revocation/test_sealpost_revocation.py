#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sealpost verify` with revocation checking, end to end: a CA made with `openssl ca`, a
real `openssl ocsp` responder and a loopback HTTP server for its CRL.

Each verdict is checked on both sides: the same message from a good signer passes where
the revoked one fails, and the responder being down matters only as the policy says."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_revocation as rt  # noqa: E402  (CliCa, the server helpers)

SEALPOST = os.environ.get("SEALPOST_BIN", "")


class SealpostRevocationTest(rt.RevocationTest):
    """Reuses RevocationTest's server start/stop helpers, with its own CA and signers."""

    @classmethod
    def setUpClass(cls):
        if not SEALPOST or not os.access(SEALPOST, os.X_OK):
            raise AssertionError("set SEALPOST_BIN to the sealpost binary")
        cls.tmp = Path(tempfile.mkdtemp(prefix="sealpost-revocation-e2e-"))
        ocsp = f"http://127.0.0.1:{rt._pki.ocsp_port}/"
        crl = f"http://127.0.0.1:{rt._pki.http_port}/ca.crl"
        # The suite's responder answers from the suite CA's index, so our signers come from it.
        ca = rt._pki.ca
        lines = ("basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature,nonRepudiation\n"
                 "extendedKeyUsage = emailProtection\nauthorityInfoAccess = OCSP;URI:" + ocsp + "\n"
                 "crlDistributionPoints = URI:" + crl + "\n")
        cls.good, cls.good_key = ca.issue("e2e-good", "good signer", lines + "subjectAltName = email:good@example.org\n")
        cls.bad, cls.bad_key = ca.issue("e2e-bad", "revoked signer", lines + "subjectAltName = email:bad@example.org\n")
        ca.revoke(cls.bad, "keyCompromise")
        ca.crl(rt._pki.www / "ca.crl")
        cls.passphrase = cls.tmp / "passphrase"
        cls.passphrase.write_text("revocation test\n")
        cls.passphrase.chmod(0o600)
        cls.messages = {who: cls.sign(who, cert, key) for who, cert, key in
                        (("good", cls.good, cls.good_key), ("bad", cls.bad, cls.bad_key))}

    @classmethod
    def sealpost(cls, profile, *args, mode="soft-fail"):
        policy = cls.tmp / f"policy-{mode}.toml"
        policy.write_text(f'vault_kdf_n = 32768\nrevocation = "{mode}"\n')
        env = dict(rt.ENV, SEALPOST_PASSPHRASE_FILE=str(cls.passphrase))
        return subprocess.run([SEALPOST, "--profile", str(profile), "--policy", str(policy), *map(str, args)],
                              capture_output=True, env=env, timeout=120)

    @classmethod
    def sign(cls, who, cert, key):
        profile = cls.tmp / f"signer-{who}"
        done = cls.sealpost(profile, "identity", "add", "--cert", cert, "--key", key, "--as", "signing")
        assert done.returncode == 0, done.stderr
        message = cls.tmp / f"{who}.eml"
        message.write_text(f"From: {who}@example.org\nTo: x@example.org\nSubject: hi\n\nhello from {who}\n")
        signed = cls.tmp / f"{who}-signed.eml"
        done = cls.sealpost(profile, "sign", "--in", message, "--out", signed)
        assert done.returncode == 0, done.stderr
        return signed

    def verify(self, who, mode):
        profile = self.work / f"reader-{mode}"
        if not profile.exists():
            done = self.sealpost(profile, "trust", "add", rt._pki.ca.cert)
            self.assertEqual(done.returncode, 0, done.stderr)
        done = self.sealpost(profile, "verify", "--json", "--in", self.messages[who], mode=mode)
        verdict = json.loads(done.stdout)
        self.assertEqual(verdict["exit_code"], done.returncode)
        self.assertEqual(len(verdict["signatures"]), 1)
        return done.returncode, verdict["signatures"][0]

    def test_good_signer_is_checked_good(self):
        self.start_ocsp()
        self.start_http()
        code, sig = self.verify("good", "soft-fail")
        self.assertEqual((code, sig["status"], sig["revocation"]), (0, "valid", "good"))

    def test_revoked_signer_fails_as_revoked(self):
        self.start_ocsp()
        self.start_http()
        code, sig = self.verify("bad", "soft-fail")
        self.assertEqual((code, sig["status"], sig["revocation"]), (1, "valid", "revoked"))
        self.assertIn("revoked", sig["chain_problems"])
        self.assertFalse(sig["trusted"])

    def test_revoked_signer_is_found_by_the_crl_when_ocsp_is_down(self):
        self.start_http()
        code, sig = self.verify("bad", "soft-fail")
        self.assertEqual((code, sig["revocation"]), (1, "revoked"))

    def test_soft_fail_with_responders_down_says_unknown_and_passes(self):
        code, sig = self.verify("good", "soft-fail")
        self.assertEqual((code, sig["status"], sig["revocation"]), (0, "valid", "unknown"))
        self.assertIn("revocation_detail", sig)

    def test_hard_fail_with_responders_down_exits_4(self):
        code, sig = self.verify("good", "hard-fail")
        self.assertEqual((code, sig["revocation"]), (4, "unknown"))

    def test_hard_fail_with_responders_up_passes(self):
        self.start_ocsp()
        code, sig = self.verify("good", "hard-fail")
        self.assertEqual((code, sig["revocation"]), (0, "good"))

    def test_off_does_not_check(self):
        self.start_ocsp()
        code, sig = self.verify("bad", "off")
        self.assertEqual((code, sig["revocation"]), (0, "not-checked"))


# Only the helpers are inherited: the probe's own tests run in test_revocation.py.
for _name in [n for n in dir(rt.RevocationTest) if n.startswith("test_")]:
    setattr(SealpostRevocationTest, _name, None)


def setUpModule():
    rt.PROBE = rt.PROBE or "/bin/true"  # the shared PKI setup only checks that it is executable
    rt.setUpModule()


def tearDownModule():
    rt.tearDownModule()


if __name__ == "__main__":
    unittest.main(verbosity=2)

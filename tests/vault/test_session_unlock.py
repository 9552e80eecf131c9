#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sealpost keystore unlock` / `lock`: the vault's unlock key kept in the login session's
kernel keyring for a while, so commands that need a private key neither ask for the
passphrase nor run scrypt (0.1 s and 32 MiB at the test policy's floor).

Every test proves the passphrase is not consulted by giving the commands a *wrong* one
(SEALPOST_PASSPHRASE_FILE): unlocked they succeed, locked they fail with "wrong passphrase".
Where the kernel offers no keyrings (some sandboxes) the suite skips, saying so."""
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

TMP = Path(tempfile.mkdtemp(prefix="sealpost-session-unlock-"))
PKI = None
MESSAGE = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: s\r\n\r\nhello\r\n"


def setUpModule():
    global PKI
    PKI = testpki.shared()


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class SessionUnlockTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(dir=TMP))
        self.sp = sealpost_cli.make_profile(self.dir, [(PKI.cert("alice", "sign"), PKI.key("alice", "sign"), "signing")],
                                            anchors=[PKI.root], intermediates=[PKI.intermediate])
        self.right = Path(os.environ["SEALPOST_PASSPHRASE_FILE"])
        self.wrong = self.dir / "wrong-passphrase"
        self.wrong.write_text("not the vault's passphrase\n")
        self.wrong.chmod(0o600)
        self.policy = Path(os.environ["SEALPOST_POLICY"])
        self.message = self.dir / "m.eml"
        self.message.write_bytes(MESSAGE)

    def tearDown(self):
        self.run_sp("keystore", "lock")  # never leave a key in the shared keyring

    def run_sp(self, *args, passphrase=None, policy=None):
        env = dict(os.environ, HOME=str(self.dir),
                   SEALPOST_PASSPHRASE_FILE=str(passphrase or self.right), SEALPOST_POLICY=str(policy or self.policy))
        env.pop("SEALPOST_HOME", None)
        proc = subprocess.run([str(self.sp.binary), "--profile", str(self.sp.profile), *map(str, args)],
                              capture_output=True, env=env, timeout=120)
        return sealpost_cli.Result([self.sp.binary, *args], proc)

    def unlock(self, *extra, **kw):
        done = self.run_sp("keystore", "unlock", *extra, **kw)
        # Skipped, visibly, only where the kernel refuses keyctl (some containers' seccomp
        # profiles): no keyring exists to test, and the command reports exactly that.
        if done.rc != 0 and b"keyrings are not available here" in done.stderr:
            self.skipTest("no kernel keyrings here: " + done.stderr.decode().strip())
        return done

    def sign_with_wrong_passphrase(self, **kw):
        out = self.dir / "signed.eml"
        out.unlink(missing_ok=True)
        return self.run_sp("sign", "--in", self.message, "--out", out, passphrase=self.wrong, **kw)

    def policy_with(self, line):
        path = self.dir / f"policy-{abs(hash(line))}.toml"
        path.write_text(self.policy.read_text() + "\n" + line + "\n")
        return path

    def test_unlocked_vault_signs_without_the_passphrase_and_lock_ends_it(self):
        locked = self.sign_with_wrong_passphrase()  # twin: locked, the wrong passphrase fails
        self.assertEqual(locked.rc, 3, locked.describe())
        self.assertIn(b"wrong passphrase for the vault", locked.stderr)
        done = self.unlock("--for", "5m")
        self.assertEqual(done.rc, 0, done.describe())
        self.assertIn(b"5 minutes", done.stdout)
        signed = self.sign_with_wrong_passphrase()
        self.assertEqual(signed.rc, 0, signed.describe())
        self.assertTrue((self.dir / "signed.eml").exists())
        self.assertEqual(self.run_sp("keystore", "lock").rc, 0)
        again = self.sign_with_wrong_passphrase()
        self.assertEqual(again.rc, 3, again.describe())
        self.assertIn(b"wrong passphrase for the vault", again.stderr)

    def test_a_wrong_passphrase_unlocks_nothing(self):
        done = self.unlock(passphrase=self.wrong)
        self.assertEqual(done.rc, 3, done.describe())
        self.assertIn(b"wrong passphrase", done.stderr)
        self.assertEqual(self.sign_with_wrong_passphrase().rc, 3)

    def test_the_unlock_ends_by_itself(self):
        self.assertEqual(self.unlock("--for", "1s").rc, 0)
        time.sleep(2.5)  # the kernel drops the key at its timeout
        done = self.sign_with_wrong_passphrase()
        self.assertEqual(done.rc, 3, done.describe())

    def test_the_policy_limits_and_can_forbid_it(self):
        capped = self.policy_with("vault_unlock_max_seconds = 60")
        too_long = self.unlock("--for", "2m", policy=capped)
        self.assertEqual(too_long.rc, 1, too_long.describe())  # refused by policy
        self.assertIn(b"longer than the policy allows", too_long.stderr)
        self.assertEqual(self.unlock("--for", "1m", policy=capped).rc, 0)  # within the cap: fine
        forbidden = self.policy_with("vault_unlock_max_seconds = 0")
        refused = self.unlock(policy=forbidden)
        self.assertNotEqual(refused.rc, 0, refused.describe())
        self.assertIn(b"does not allow keeping the vault unlocked", refused.stderr)
        # A key cached before the administrator forbade it is not used either.
        done = self.sign_with_wrong_passphrase(policy=forbidden)
        self.assertEqual(done.rc, 3, done.describe())
        self.assertEqual(self.sign_with_wrong_passphrase(policy=capped).rc, 0)

    def test_changing_the_passphrase_needs_the_old_one_and_ends_the_unlock(self):
        self.assertEqual(self.unlock().rc, 0)
        new = self.dir / "new-passphrase"
        new.write_text("the new vault passphrase\n")
        new.chmod(0o600)
        refused = self.run_sp("keystore", "change-passphrase", "--new-passphrase-file", new, passphrase=self.wrong)
        self.assertEqual(refused.rc, 3, refused.describe())  # unlocked or not, the old one is asked
        changed = self.run_sp("keystore", "change-passphrase", "--new-passphrase-file", new)
        self.assertEqual(changed.rc, 0, changed.describe())
        done = self.sign_with_wrong_passphrase()
        self.assertEqual(done.rc, 3, done.describe())  # the session key went with the old passphrase
        signed = self.run_sp("sign", "--in", self.message, "--out", self.dir / "s2.eml", passphrase=new)
        self.assertEqual(signed.rc, 0, signed.describe())

    def test_bad_durations_are_usage_errors(self):
        for bad in ("0", "10x", "m", "-5m", "99999999h"):
            with self.subTest(bad):
                done = self.run_sp("keystore", "unlock", "--for", bad)
                self.assertEqual(done.rc, 2, done.describe())


if __name__ == "__main__":
    unittest.main()

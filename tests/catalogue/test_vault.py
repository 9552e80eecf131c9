#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.10 (the encrypted local key vault), V1-V11, through the real binary (and
vault_torture, built beside it, for V1's kill points).

The vault is SQLite (WAL, synchronous=FULL): vault_key holds the scrypt parameters, salt and
the data key wrapped with AES-256-GCM under the passphrase's key; items hold each secret
under the data key (12-byte random nonce, AAD = id and kind). Tests read and edit the file
with Python's sqlite3 module as an attacker with file access would."""
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(TESTS / "support"))
import sealpost_cli  # noqa: E402
import testpki  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="sealpost-catalogue-vault-"))
PKI = None
FLOOR_N = 32768  # keys::MinimumKdfParams().n of a release build (the test policy's N)


def setUpModule():
    global PKI
    PKI = testpki.shared()


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def built_tool(module, name):
    path = sealpost_cli.binary_path().resolve().parents[1] / module / name
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{name} not found at {path}")
    return path


class VaultCatalogueTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(dir=TMP))
        self.sp = sealpost_cli.Sealpost(self.dir / "profile", timeout=120)
        self.vault = self.sp.profile / "vault.db"
        self.message = self.dir / "m.eml"
        self.message.write_text("From: alice@example.org\nTo: bob@example.org\nSubject: v\n\nhello\n")

    def add_alice(self, kind="sign"):
        self.sp.run("identity", "add", "--cert", PKI.cert("alice", kind), "--key", PKI.key("alice", kind),
                    "--as", "signing" if kind == "sign" else "encryption", expect=0)

    def sign(self):
        out = self.dir / "signed.eml"
        done = self.sp.run("sign", "--in", self.message, "--out", out)
        self.assertNotIn(b"Sanitizer", done.stderr)
        return done

    def db(self):
        return sqlite3.connect(self.vault)

    def flip_blob(self, table, column, at=0):
        """Flips one bit of `column` in every row of `table`, as an attacker with the file would."""
        db = self.db()
        with db:
            for rowid, value in list(db.execute(f"SELECT rowid, {column} FROM {table}")):
                value = bytearray(value)
                value[at] ^= 0x01
                db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (bytes(value), rowid))
        db.close()

    def key_der(self, name="alice", kind="sign"):
        return subprocess.run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in",
                               str(PKI.key(name, kind))], capture_output=True, check=True).stdout

    # --- V1/V2: crashes and power loss ---

    def test_V1_kill_at_any_point_leaves_old_or_new_state(self):
        env = dict(os.environ, SEALPOST_VAULT_KILLS="8")
        done = subprocess.run([sys.executable, str(TESTS / "vault" / "kill_safety.py"),
                               str(built_tool("keys", "vault_torture"))], capture_output=True, text=True,
                              env=env, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertRegex(done.stdout, r"kill_safety: ok: 8 kills, \d+ committed items")

    def test_V2_a_key_change_is_synced_before_the_command_returns(self):
        self.add_alice()
        trace = self.dir / "trace"
        done = subprocess.run(["strace", "-f", "-y", "-e", "trace=fsync,fdatasync", "-o", str(trace),
                               str(self.sp.binary), "--profile", str(self.sp.profile), "identity", "add",
                               "--cert", str(PKI.cert("bob", "enc")), "--key", str(PKI.key("bob", "enc")),
                               "--as", "encryption"], capture_output=True, timeout=120,
                              # LeakSanitizer cannot run under ptrace (sanitizer builds).
                              env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        self.assertEqual(done.returncode, 0, done.stderr)
        synced = trace.read_text()
        # synchronous=FULL: the commit syncs the WAL (NORMAL would leave it to a checkpoint).
        self.assertRegex(synced, r"f(data)?sync\(\d+<[^>]*vault\.db-wal>\) = 0")

    # --- V3/V4/V5: tampering and guessing ---

    def test_V3_corruption_is_a_typed_error_and_releases_nothing(self):
        self.add_alice()
        pristine = self.vault.read_bytes()
        self.assertEqual(self.sign().rc, 0)
        cases = {"record": ("items", "ciphertext", 10), "salt": ("vault_key", "salt", 0),
                 "wrapped key": ("vault_key", "wrapped_key", 0)}
        for what, (table, column, at) in cases.items():
            with self.subTest(corrupted=what):
                self.vault.write_bytes(pristine)
                (self.dir / "signed.eml").unlink(missing_ok=True)
                self.flip_blob(table, column, at)
                done = self.sign()
                err = done.stderr.decode()
                if what == "record":
                    # The key record does not authenticate: an integrity error naming it.
                    self.assertEqual(done.rc, 1, done.describe())
                    self.assertRegex(err, r"(?i)(damaged|tampered|integrity|corrupt)")
                else:
                    # Salt and wrapped key are inside the data key's check: no passphrase fits.
                    self.assertEqual(done.rc, 3, done.describe())
                    self.assertIn("wrong passphrase for the vault", err)
                self.assertFalse((self.dir / "signed.eml").exists(), "nothing may be signed")
        for what, data in (("truncated", pristine[:len(pristine) // 3]), ("header bit", bytes([pristine[0] ^ 1]) + pristine[1:])):
            with self.subTest(corrupted=what):
                self.vault.write_bytes(data)
                done = self.sign()
                self.assertEqual(done.rc, 3, done.describe())
                self.assertRegex(done.stderr.decode(), r"(?i)(damaged|not a sealpost vault|malformed|not an sqlite)")

    def test_V4_wrong_passphrase_is_uniform_and_no_oracle(self):
        self.add_alice()
        wrong = self.dir / "wrong"
        wrong.write_text("not the passphrase\n")
        wrong.chmod(0o600)
        errors = set()
        for _ in range(5):
            done = self.sp.run("--passphrase-file", wrong, "sign", "--in", self.message, "--out", self.dir / "x.eml")
            self.assertEqual(done.rc, 3, done.describe())
            errors.add(done.stderr)
        self.assertEqual(len(errors), 1, errors)
        # A damaged wrapped key says exactly the same (no "bad pass" vs "corrupt" oracle).
        self.flip_blob("vault_key", "wrapped_key")
        corrupt = self.sp.run("sign", "--in", self.message, "--out", self.dir / "x.eml")
        self.assertEqual({corrupt.stderr}, errors)

    def test_V5_kdf_downgrade_is_refused_before_any_work(self):
        self.add_alice()
        pristine = self.vault.read_bytes()
        for column, value in (("kdf_n", FLOOR_N // 2), ("kdf_n", 1024), ("kdf_r", 1)):
            with self.subTest(column=column, value=value):
                self.vault.write_bytes(pristine)
                with self.db() as db:
                    db.execute(f"UPDATE vault_key SET {column} = ?", (value,))
                db.close()
                started = time.monotonic()
                done = self.sign()
                self.assertEqual(done.rc, 1, done.describe())
                self.assertIn("below the policy floor", done.stderr.decode())
                self.assertLess(time.monotonic() - started, 5)
        # Parameters no scrypt accepts (p = 0): damaged, also before any work.
        self.vault.write_bytes(pristine)
        with self.db() as db:
            db.execute("UPDATE vault_key SET kdf_p = 0")
        db.close()
        done = self.sign()
        self.assertEqual(done.rc, 3, done.describe())
        self.assertIn("out of range", done.stderr.decode())
        # Raising N (at and above the floor): the parameters are bound to the wrapped key,
        # so edited ones cannot unwrap it either.
        self.vault.write_bytes(pristine)
        with self.db() as db:
            self.assertEqual(db.execute("SELECT kdf_n FROM vault_key").fetchone()[0], FLOOR_N)
            db.execute("UPDATE vault_key SET kdf_n = ?", (FLOOR_N * 2,))
        db.close()
        done = self.sign()
        self.assertEqual(done.rc, 3, done.describe())
        self.assertIn("wrong passphrase for the vault", done.stderr.decode())
        self.vault.write_bytes(pristine)
        self.assertEqual(self.sign().rc, 0)  # at the floor, untouched: works

    def test_V6_rollback_restores_a_consistent_older_state(self):
        # Documented limit (docs/limits-keys-directory.md): no counter outside the file, so
        # an older copy opens; what it holds is exactly that older state, never a mixture,
        # and a key it no longer has is a typed error, not a crash.
        self.add_alice()
        old = self.vault.read_bytes()
        with self.db() as db:
            old_items = sorted(db.execute("SELECT id, nonce, ciphertext FROM items"))
        db.close()
        self.add_alice("enc")
        for side in ("-wal", "-shm"):
            Path(str(self.vault) + side).unlink(missing_ok=True)
        self.vault.write_bytes(old)
        with self.db() as db:
            self.assertEqual(sorted(db.execute("SELECT id, nonce, ciphertext FROM items")), old_items)
        db.close()
        self.assertEqual(self.sign().rc, 0)  # the older key still works
        # The newer key is gone with the rollback: decrypting for it fails cleanly.
        encrypted = self.dir / "for-alice.eml"
        subprocess.run(["openssl", "cms", "-encrypt", "-aes-256-cbc", "-in", str(self.message), "-out", str(encrypted),
                        str(PKI.cert("alice", "enc"))], check=True, capture_output=True)
        done = self.sp.run("decrypt", "--in", encrypted, "--out", self.dir / "plain.eml")
        self.assertNotIn(b"Sanitizer", done.stderr)
        self.assertIn(done.rc, (1, 3), done.describe())
        self.assertFalse((self.dir / "plain.eml").exists())

    # --- V7: key material in memory ---

    def test_V7_no_core_dump_is_written(self):
        self.add_alice()
        # A message large enough that the signed output fills the pipe: sealpost then waits
        # in write(), after unlocking the vault and signing, with the key used.
        big = self.dir / "big.eml"
        big.write_text("From: alice@example.org\nTo: bob@example.org\nSubject: big\n\n" + ("x" * 75 + "\n") * 4000)
        for who in ("control", "sealpost"):
            with self.subTest(process=who):
                cwd = self.dir / f"cores-{who}"
                cwd.mkdir()
                if who == "control":
                    argv = [sys.executable, "-c", "import sys, time; sys.stdout.write('x' * 200000); time.sleep(60)"]
                else:
                    argv = [str(self.sp.binary), "--profile", str(self.sp.profile), "sign", "--in", str(big), "--out", "-"]
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd,
                                        preexec_fn=lambda: __import__("resource").setrlimit(
                                            __import__("resource").RLIMIT_CORE, (-1, -1)))
                # Blocked writing (pipe full) once the state is S and the pipe holds 64 KiB.
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    wchan = Path(f"/proc/{proc.pid}/wchan").read_text()
                    if "pipe" in wchan:
                        break
                    time.sleep(0.1)
                self.assertIn("pipe", wchan, "the process never blocked writing its output")
                os.kill(proc.pid, signal.SIGSEGV)
                _, status = os.waitpid(proc.pid, 0)
                proc.returncode = -signal.SIGSEGV
                proc.stdout.close()
                cores = list(cwd.iterdir())
                if who == "control":
                    # Without this, "no core" would prove nothing on this machine.
                    self.assertTrue(os.WCOREDUMP(status) and cores, "this machine writes no core dumps at all "
                                    f"(core_pattern {Path('/proc/sys/kernel/core_pattern').read_text().strip()!r})")
                else:
                    self.assertFalse(os.WCOREDUMP(status))
                    self.assertEqual(cores, [])

    # --- V8: file permissions ---

    def test_V8_permissions_are_repaired_and_symlinks_refused(self):
        self.add_alice()
        os.chmod(self.vault, 0o644)
        os.chmod(self.sp.profile, 0o755)
        self.assertEqual(self.sign().rc, 0)
        self.assertEqual(self.vault.stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.sp.profile.stat().st_mode & 0o777, 0o700)
        # A vault path that is a symbolic link (to a real vault) is not followed.
        elsewhere = self.dir / "elsewhere.db"
        self.vault.rename(elsewhere)
        for side in ("-wal", "-shm"):
            Path(str(self.vault) + side).unlink(missing_ok=True)
        self.vault.symlink_to(elsewhere)
        done = self.sign()
        self.assertEqual(done.rc, 1, done.describe())
        self.assertIn("is a symbolic link", done.stderr.decode())
        self.vault.unlink()
        elsewhere.rename(self.vault)
        self.assertEqual(self.sign().rc, 0)  # twin: the same file at its real place

    # --- V9: concurrency ---

    def test_V9_two_processes_adding_keys_lose_nothing(self):
        self.add_alice()
        identities = [("bob", "enc", "encryption"), ("alice", "enc", "encryption"), ("bob", "sign", "signing")]
        results = []

        def add(name, kind, as_):
            results.append(self.sp.run("identity", "add", "--cert", PKI.cert(name, kind), "--key",
                                       PKI.key(name, kind), "--as", as_))

        threads = [threading.Thread(target=add, args=i) for i in identities]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertEqual(r.rc, 0, r.describe())
        listed = json.loads(self.sp.run("cert", "list", "--json", expect=0).stdout)
        self.assertEqual(len(listed), 1 + len(identities), listed)

    # --- V10: non-exportable keys ---

    def test_V10_private_keys_cannot_be_exported(self):
        self.add_alice()
        cert_id = json.loads(self.sp.run("cert", "list", "--json", expect=0).stdout)[0]["sha256"]
        done = self.sp.run("cert", "export", cert_id)
        self.assertEqual(done.rc, 2, done.describe())
        self.assertIn("--public is required", done.stderr.decode())
        public = self.sp.run("cert", "export", cert_id, "--public", expect=0).stdout
        self.assertIn(b"BEGIN CERTIFICATE", public)
        self.assertNotIn(b"PRIVATE KEY", public)
        # Nowhere in the profile is the key in the clear.
        key = self.key_der()
        for f in self.sp.profile.rglob("*"):
            if f.is_file():
                self.assertNotIn(key[-48:], f.read_bytes(), f)

    # --- V11: nonces ---

    def test_V11_record_rewrites_never_repeat_a_nonce(self):
        # Each write of a record draws a fresh random 96-bit GCM nonce under the vault's
        # data key; 20 rewrites of one record and a re-wrap of the data key through the CLI
        # (10^6 writes would take hours here at one scrypt unlock per command).
        self.add_alice()
        nonces = []
        for _ in range(20):
            self.add_alice()  # the same identity again: its key record is rewritten
            with self.db() as db:
                (nonce,), = db.execute("SELECT nonce FROM items WHERE kind = 'private-key'")
            db.close()
            nonces.append(bytes(nonce))
        with self.db() as db:
            (wrap_before,), = db.execute("SELECT nonce FROM vault_key")
        db.close()
        self.sp.run("keystore", "change-passphrase", "--new-passphrase-file", os.environ["SEALPOST_PASSPHRASE_FILE"],
                    expect=0)
        with self.db() as db:
            (wrap_after,), = db.execute("SELECT nonce FROM vault_key")
        db.close()
        self.assertTrue(all(len(n) == 12 for n in nonces))
        self.assertEqual(len(set(nonces)), len(nonces), "a record nonce repeated")
        self.assertNotEqual(bytes(wrap_before), bytes(wrap_after))
        self.assertEqual(self.sign().rc, 0)  # and the vault still opens and signs

if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main(verbosity=2)

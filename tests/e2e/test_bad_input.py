#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end: malformed input, wrong keys, unsigned mail and usage errors through the CLI.

Malformed input must give exit 3 with ONE clear line on stderr that names the problem, never
a crash (signal exit, sanitizer report), and no --out file. Security verdicts that are not
good give exit 1; usage errors exit 2.

Run:  /usr/bin/python3 tests/e2e/test_bad_input.py [-v] [--sealpost BIN]
"""

import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import e2e_util  # noqa: E402
from e2e_util import (  # noqa: E402
    BAD_INPUT, NOT_GOOD, OK, USAGE, base64_body, crashed, examine, run_checked, sealpost_cli,
    split_message, stderr_lines, with_base64_body, world)

ALICE, BOB = "alice@example.org", "bob@example.org"
MARKER = "MARKER-31f0"
HEAD = (f"From: Alice <{ALICE}>\r\nTo: Bob <{BOB}>\r\nSubject: bad input\r\n"
        "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n").encode()
PLAIN = HEAD + f"Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob, {MARKER}\r\n".encode()

# What the one stderr line must mention, per kind of damage.
MENTIONS = {
    "empty": r"empty",
    "truncated": r"truncat|incomplete|premature|unexpected end|malformed|damaged|corrupt|"
                 r"not a CMS|CMS|DER|ASN\.?1|base64",
    "base64": r"base64",
    "boundary": r"boundary",
    "nesting": r"nest|deep|depth|level",
    "header": r"header",
}


def nested_multiparts(levels):
    return HEAD + e2e_util.nested_multiparts(levels, "nest-")


class BadInput(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        w = cls.w = world()
        cls.d = w.scratch("bad-input-fixtures")
        cls.sender, cls.bob = w.profile("alice-rsa"), w.profile("bob-rsa")
        m = cls.d / "plain.eml"
        m.write_bytes(PLAIN)
        cls.plain = m
        cls.opaque = cls.d / "opaque.eml"
        cls.sender.sign(m, cls.opaque, opaque=True)
        cls.enveloped = cls.d / "enveloped.eml"
        cls.sender.encrypt(m, cls.enveloped, [w.cert("bob", "rsa")], cipher="aes-256-cbc")
        cls.auth_enveloped = cls.d / "auth-enveloped.eml"
        cls.sender.encrypt(m, cls.auth_enveloped, [w.cert("bob", "rsa")], cipher="aes-256-gcm")

    # --- the malformed inputs: name -> (bytes, kind of damage, commands that must reject it)

    @classmethod
    def cases(cls):
        def half_base64(path):
            head, body = split_message(path.read_bytes())
            return head + body[:len(body) // 2]

        def half_der(path):
            msg = path.read_bytes()
            der = base64_body(msg)
            return with_base64_body(msg, der[:len(der) // 2])

        garbage = b"!!!! this is *not* base64 @@@@\r\n%%%%%%%%\r\n"
        examine_cmds = ("verify", "read")
        return {
            "empty file": (b"", "empty", ("verify", "read", "decrypt", "sign", "encrypt")),
            "truncated opaque signed (base64 cut in half)":
                (half_base64(cls.opaque), "truncated", examine_cmds),
            "truncated opaque signed (DER cut in half, clean base64)":
                (half_der(cls.opaque), "truncated", examine_cmds),
            "truncated enveloped-data (base64 cut in half)":
                (half_base64(cls.enveloped), "truncated", ("read", "decrypt")),
            "truncated authEnveloped-data (DER cut in half)":
                (half_der(cls.auth_enveloped), "truncated", ("read", "decrypt")),
            "garbage base64 in signed-data":
                (HEAD + b"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n"
                 b"Content-Transfer-Encoding: base64\r\n\r\n" + garbage, "base64", examine_cmds),
            "garbage base64 in enveloped-data":
                (HEAD + b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
                 b"Content-Transfer-Encoding: base64\r\n\r\n" + garbage, "base64", ("read", "decrypt")),
            "multipart/signed without boundary":
                (HEAD + b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
                 b"micalg=sha-256\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\n"
                 b"Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 b"MIIB\r\n--x--\r\n", "boundary", ("verify", "read", "sign")),
            "100-level nested multiparts":
                (nested_multiparts(100), "nesting", ("verify", "read", "sign")),
            "1 MB header line":
                (HEAD.replace(b"MIME-Version", b"X-Long: " + b"a" * (1 << 20) + b"\r\nMIME-Version")
                 + b"Content-Type: text/plain\r\n\r\nhi\r\n", "header",
                 ("verify", "read", "decrypt", "sign", "encrypt")),
        }

    def run_command(self, command, path, out):
        if command in ("verify", "read"):
            profile = self.bob
            r, v = examine(profile, command, path)
            return r, v
        profile = self.bob if command == "decrypt" else self.sender
        extra = ["--recipient-cert", self.w.cert("bob", "rsa")] if command == "encrypt" else []
        return run_checked(profile, command, "--in", path, "--out", out, *extra), None

    def test_malformed_input(self):
        for name, (data, kind, commands) in self.cases().items():
            path = self.d / (re.sub(r"\W+", "-", name) + ".eml")
            path.write_bytes(data)
            for command in commands:
                with self.subTest(input=name, command=command):
                    out = self.d / f"out-{command}-{path.name}"
                    r, v = self.run_command(command, path, out)
                    self.assertEqual(r.rc, BAD_INPUT, f"expected exit 3\n{r.describe()}")
                    self.assertIsNone(crashed(r), r.describe())
                    self.assertFalse(out.exists(), f"an output file was left behind\n{r.describe()}")
                    lines = stderr_lines(r)
                    self.assertEqual(len(lines), 1, f"stderr must be exactly one line\n{r.describe()}")
                    self.assertRegex(lines[0], re.compile(MENTIONS[kind], re.I),
                                     f"stderr does not name the problem ({kind})\n{r.describe()}")
                    if v is not None:
                        self.assertFalse(v["signed"], f"malformed input reported as signed\n{r.describe()}")
                        self.assertNotEqual(v.get("exit_code", BAD_INPUT), OK)

    def test_encrypted_for_someone_else(self):
        other = self.w.profile("bob-ec384")  # holds no key the message was encrypted to
        for name, path in (("enveloped-data", self.enveloped), ("authEnveloped-data", self.auth_enveloped)):
            with self.subTest(form=name, command="decrypt"):
                out = self.d / f"not-mine-{name}.eml"
                r = run_checked(other, "decrypt", "--in", path, "--out", out)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertFalse(out.exists(), f"an output file was left behind\n{r.describe()}")
                lines = stderr_lines(r)
                self.assertEqual(len(lines), 1, r.describe())
                self.assertRegex(lines[0], re.compile(r"not encrypted to|no (private )?key|recipient|identit", re.I),
                                 r.describe())
            with self.subTest(form=name, command="read"):
                r, v = examine(other, "read", path)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertIsNotNone(v, r.describe())
                self.assertEqual(v["layers"][0]["status"], "no-key", r.describe())
                self.assertFalse(v["signed"])
                self.assertFalse(v.get("body"), r.describe())
                self.assertNotIn(MARKER.encode(), r.stdout)
                self.assertEqual(len(stderr_lines(r)), 1, r.describe())

    def test_verify_unsigned(self):
        for name, path in (("plain text", self.plain), ("encrypted only", self.enveloped)):
            with self.subTest(name):
                r, v = examine(self.bob, "verify", path)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertIsNotNone(v, r.describe())
                self.assertFalse(v["signed"], r.describe())
                self.assertEqual(v["signatures"], [], r.describe())
                self.assertEqual(len(stderr_lines(r)), 1, r.describe())
        with self.subTest("read of the plain message is fine"):
            r, v = examine(self.bob, "read", self.plain)
            self.assertEqual(r.rc, OK, r.describe())
            self.assertFalse(v["signed"] or v["encrypted"], r.describe())

    def test_unusable_recipient_certificates(self):
        for (name, kind), why in {("alice", "sign"): r"usage|encrypt",
                                  ("alice", "serverauth"): r"purpose|usage|protection|encrypt",
                                  ("carol", "expired"): r"expired",
                                  ("mallory", "untrusted"): r"trust",
                                  ("alice", "weak"): r"weak|small|short|1024|key"}.items():
            with self.subTest(recipient=f"{name}/{kind}"):
                out = self.d / f"enc-to-{name}-{kind}.eml"
                r = run_checked(self.sender, "encrypt", "--in", self.plain, "--out", out,
                                "--recipient-cert", self.w.cert(name, kind))
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                self.assertFalse(out.exists(), f"an output file was left behind\n{r.describe()}")
                lines = stderr_lines(r)
                self.assertEqual(len(lines), 1, r.describe())
                self.assertIn(f"{name}@example.org", lines[0], r.describe())
                self.assertRegex(lines[0], re.compile(why, re.I), r.describe())

    def test_encrypt_without_own_encryption_identity(self):
        w = self.w
        sp = sealpost_cli.make_profile(w.scratch("sign-only-profile"), anchors=[w.pki.root],
                                       identities=[(w.cert("alice", "sign"), w.pki.key("alice", "sign"),
                                                    "signing")])
        out = self.d / "enc-no-self.eml"
        r = run_checked(sp, "encrypt", "--in", self.plain, "--out", out,
                        "--recipient-cert", w.cert("bob", "rsa"))
        self.assertNotEqual(r.rc, OK, r.describe())
        self.assertFalse(out.exists(), r.describe())
        lines = stderr_lines(r)
        self.assertEqual(len(lines), 1, r.describe())
        self.assertRegex(lines[0], re.compile(r"encryption identity|own|yourself|self", re.I))

    def test_missing_files(self):
        missing = self.d / "does-not-exist.eml"
        for command in ("verify", "read", "decrypt", "sign"):
            with self.subTest(command=command, problem="input missing"):
                out = self.d / f"out-missing-{command}.eml"
                args = [command, "--in", missing] + (["--out", out] if command in ("decrypt", "sign") else [])
                r = run_checked(self.bob if command != "sign" else self.sender, *args)
                self.assertEqual(r.rc, BAD_INPUT, r.describe())
                self.assertFalse(out.exists())
                lines = stderr_lines(r)
                self.assertEqual(len(lines), 1, r.describe())
                self.assertIn("does-not-exist.eml", lines[0], r.describe())
        with self.subTest(command="sign", problem="output directory missing"):
            out = self.d / "no-such-dir" / "s.eml"
            r = run_checked(self.sender, "sign", "--in", self.plain, "--out", out)
            self.assertEqual(r.rc, BAD_INPUT, r.describe())
            self.assertEqual(len(stderr_lines(r)), 1, r.describe())

    # --- usage errors -------------------------------------------------------------------

    def usage_cases(self):
        p, rc = self.plain, self.w.cert("bob", "rsa")
        o = self.d / "usage-out.eml"
        return {
            # name: (profile, args, output that must not appear, what stderr mentions)
            "unknown flag": ("bob", ["verify", "--in", p, "--bogus-flag"], None, r"bogus-flag"),
            "missing --in (verify)": ("bob", ["verify", "--json"], None, r"--in"),
            "missing --in (sign)": ("sender", ["sign", "--out", o], o, r"--in"),
            "no command": ("bob", [], None, r"subcommand|command|required"),
            "unknown command": ("bob", ["frobnicate", "--in", p], None, r"frobnicate|subcommand|command"),
            "wrong cipher name (encrypt)": ("sender", ["encrypt", "--in", p, "--out", o, "--recipient-cert", rc,
                                                       "--cipher", "aes-512-gcm"], o, r"aes-512-gcm|cipher"),
            "legacy cipher name (encrypt)": ("sender", ["encrypt", "--in", p, "--out", o, "--recipient-cert", rc,
                                                        "--cipher", "des-ede3-cbc"], o, r"des-ede3-cbc|cipher"),
            "wrong cipher name (protect)": ("sender", ["protect", "--sign", "--encrypt", "--in", p, "--out", o,
                                                       "--recipient-cert", rc, "--cipher", "rot13"], o, r"rot13|cipher"),
            "wrong digest name": ("sender", ["sign", "--in", p, "--out", o, "--digest", "md5"], o, r"md5|digest"),
            "bad --at time": ("bob", ["verify", "--in", p, "--at", "next tuesday"], None, r"next tuesday|time|3339"),
            "bad --as value": ("sender", ["identity", "add", "--cert", self.w.cert("alice", "rsa"),
                                          "--key", self.w.pki.key("alice", "rsa"), "--as", "everything"],
                               None, r"everything|--as"),
        }

    def test_usage_errors(self):
        for name, (who, args, out, mention) in self.usage_cases().items():
            with self.subTest(name):
                sp = self.bob if who == "bob" else self.sender
                r = run_checked(sp, *args)
                self.assertEqual(r.rc, USAGE, r.describe())
                if out is not None:
                    self.assertFalse(out.exists(), f"an output file was left behind\n{r.describe()}")
                lines = stderr_lines(r)
                self.assertTrue(lines, f"a usage error needs a message\n{r.describe()}")
                self.assertRegex(lines[0], re.compile(mention, re.I), r.describe())

    def test_usage_errors_are_one_line(self):
        """The contract: errors are ONE line on stderr (usage errors included)."""
        for name, (who, args, _, _) in self.usage_cases().items():
            with self.subTest(name):
                sp = self.bob if who == "bob" else self.sender
                r = run_checked(sp, *args)
                self.assertEqual(len(stderr_lines(r)), 1, f"stderr must be exactly one line\n{r.describe()}")


if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main()

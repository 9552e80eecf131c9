#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`sealpost verify --maildir`: a whole mailbox in one process.

The mailbox holds valid, tampered (body byte, embedded certificate byte), untrusted,
unsigned and malformed messages, a file that is not a message and files that cannot be
read. Each message's entry must equal what `verify --json --in` says of that file alone
(the bulk path shares caches between messages: a cache that leaked one message's verdict
into another's would show here), the output must not depend on --jobs, the JSON must
validate against docs/mailbox.schema.json, and the exit code must be the worst message's.

Run:  /usr/bin/python3 tests/bulk/test_mailbox.py [-v] [--sealpost BIN]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))

import sealpost_cli  # noqa: E402
import testpki  # noqa: E402
from sealpost_cli import BAD_INPUT, NOT_GOOD, OK, USAGE  # noqa: E402

ALICE, MALLORY, BOB = "alice@example.org", "mallory@example.org", "bob@example.org"


def plain(sender, subject, body="Hello Bob,\r\n\r\nthe numbers are attached.\r\n"):
    return (f"From: {sender}\r\nTo: Bob <{BOB}>\r\nSubject: {subject}\r\n"
            "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body).encode()


def flip_in(data, needle, offset=0):
    """`data` with one byte changed just after `needle`."""
    i = data.index(needle) + len(needle) + offset
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


def mailbox_validator():
    import jsonschema
    docs = sealpost_cli.REPO / "docs"
    verdict = json.loads((docs / "verdict.schema.json").read_text())
    mailbox = json.loads((docs / "mailbox.schema.json").read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(mailbox, store={verdict["$id"]: verdict})
        return jsonschema.Draft202012Validator(mailbox, resolver=resolver)


class MailboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="sealpost-bulk-"))
        pki = testpki.shared()
        make = sealpost_cli.make_profile
        alice = make(cls.tmp / "alice", identities=[(pki.cert("alice", "sign"), pki.key("alice", "sign"), "signing")],
                     anchors=[pki.root], intermediates=[pki.intermediate])
        mallory = make(cls.tmp / "mallory",
                       identities=[(pki.cert("mallory", "untrusted"), pki.key("mallory", "untrusted"), "signing")])
        cls.bob = make(cls.tmp / "bob", anchors=[pki.root])
        src = cls.tmp / "src"
        src.mkdir()

        def signed(sp, name, message):
            (src / f"{name}.in").write_bytes(message)
            sp.sign(src / f"{name}.in", src / name)
            return (src / name).read_bytes()

        good1 = signed(alice, "good1", plain(f"Alice <{ALICE}>", "one"))
        good2 = signed(alice, "good2", plain(f"Alice <{ALICE}>", "two"))
        good3 = signed(alice, "good3", plain(f"Alice <{ALICE}>", "three"))
        opaque_src = src / "opaque.in"
        opaque_src.write_bytes(plain(f"Alice <{ALICE}>", "opaque"))
        alice.sign(opaque_src, src / "opaque", opaque=True)
        # Opaque signed-data in indefinite-length BER (openssl -stream), the bag included:
        # the bulk path takes the bag apart itself.
        entity = b"Content-Type: text/plain; charset=us-ascii\r\n\r\nstreamed by openssl\r\n"
        ber = subprocess.run(
            ["openssl", "cms", "-sign", "-nodetach", "-stream", "-binary", "-signer", pki.cert("alice", "sign"),
             "-inkey", pki.key("alice", "sign"), "-certfile", pki.intermediate, "-from", f"Alice <{ALICE}>",
             "-to", BOB, "-subject", "ber"], input=entity, capture_output=True, check=True).stdout
        untrusted = signed(mallory, "untrusted", plain(f"Mallory <{MALLORY}>", "trust me"))
        # The second signed line of the body: changed after signing.
        tampered = flip_in(good2, b"the numbers", 1)
        # A byte inside the signer's certificate in the bag (its base64 is in the
        # signature part): must not be answered from the certificate cache.
        sig_b64 = good3.split(b"application/pkcs7-signature")[-1]
        cert_line = [l for l in sig_b64.split(b"\r\n") if len(l) > 60][12]
        i = good3.index(cert_line) + 30
        swapped = b"A" if good3[i:i + 1] != b"A" else b"B"
        tampered_cert = good3[:i] + swapped + good3[i + 1:]
        # A byte of the signature value itself (it ends the DER, so the last full base64 line
        # of the signature part): refused by the bulk path's cached signature check and then
        # by OpenSSL, as the single-message path refuses it.
        last_line = [l for l in good1.split(b"application/pkcs7-signature")[-1].split(b"\r\n") if len(l) > 60][-1]
        i = good1.index(last_line) + 10
        bad_signature = good1[:i] + (b"A" if good1[i:i + 1] != b"A" else b"B") + good1[i + 1:]
        # multipart/signed with one part only (malformed: exit 3).
        boundary = good1.split(b'boundary="')[1].split(b'"')[0]
        head, rest = good1.split(b"\r\n\r\n", 1)
        first_part = rest.split(b"--" + boundary)[1]
        malformed = head + b"\r\n\r\n--" + boundary + first_part + b"--" + boundary + b"--\r\n"

        # The Maildir: cur/ and new/, plus what must never be read (tmp/, hidden files).
        cls.mbox = cls.tmp / "Maildir"
        for d in ("cur", "new", "tmp"):
            (cls.mbox / d).mkdir(parents=True)
        files = {
            "cur/1001.good1:2,S": good1,
            "cur/1002.tampered:2,S": tampered,
            "cur/1003.untrusted:2,S": untrusted,
            "cur/1004.unsigned:2,S": plain(f"Alice <{ALICE}>", "plain"),
            "cur/1005.malformed:2,S": malformed,
            "cur/1006.garbage:2,S": b"\x00\x01 not a message at all \xff\xfe",
            "cur/1007.tampered-cert:2,S": tampered_cert,
            "cur/1010.bad-signature:2,S": bad_signature,
            "new/2001.good2": good2,
            "new/2002.opaque": (src / "opaque").read_bytes(),
            "new/2003.ber-indefinite": ber,
        }
        for name, data in files.items():
            (cls.mbox / name).write_bytes(data)
        (cls.mbox / "tmp" / "3001.partial").write_bytes(b"half a mess")
        (cls.mbox / "cur" / ".hidden").write_bytes(b"not a message")
        # Folders, and links to folders, are not messages; a link to a message is one.
        (cls.mbox / "cur" / "sub.folder").mkdir()
        os.symlink(cls.mbox / "tmp", cls.mbox / "cur" / "link-to-folder")
        os.symlink(cls.mbox / "cur" / "1001.good1:2,S", cls.mbox / "new" / "2004.link-to-message")
        os.symlink(cls.mbox / "gone", cls.mbox / "cur" / "1008.dangling:2,S")
        cls.unreadable = ["cur/1008.dangling:2,S"]
        if os.geteuid() != 0:  # root reads mode-0 files anyway
            (cls.mbox / "cur" / "1009.noperm:2,S").write_bytes(good1)
            os.chmod(cls.mbox / "cur" / "1009.noperm:2,S", 0)
            cls.unreadable.append("cur/1009.noperm:2,S")
        cls.expected_files = sorted(list(files) + cls.unreadable + ["new/2004.link-to-message"])
        cls.validator = mailbox_validator()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_bulk(self, *extra, mbox=None, expect=None):
        r = self.bob.run("verify", "--maildir", mbox or self.mbox, *extra, expect=expect)
        self.assertNotIn(b"Sanitizer", r.stderr, r.describe())
        return r

    def bulk_json(self, *extra, mbox=None):
        r = self.run_bulk("--json", *extra, mbox=mbox)
        try:
            out = json.loads(r.stdout)
        except ValueError as e:
            raise AssertionError(f"stdout is not JSON ({e})\n{r.describe()}") from None
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in self.validator.iter_errors(out)]
        self.assertEqual(errors, [], r.describe())
        self.assertEqual(out["summary"]["exit_code"], r.rc, "the summary's exit code is the process's")
        return r, out

    def by_file(self, out):
        return {m["file"]: m for m in out["messages"]}

    def test_every_file_reported_once_in_order(self):
        _, out = self.bulk_json()
        files = [m["file"] for m in out["messages"]]
        self.assertEqual(files, self.expected_files)
        self.assertEqual(out["summary"]["total"], len(self.expected_files))

    def test_each_entry_equals_the_single_message_verdict(self):
        _, out = self.bulk_json("--jobs", "4")
        for m in out["messages"]:
            with self.subTest(file=m["file"]):
                single = self.bob.run("verify", "--in", self.mbox / m["file"], "--json")
                if "error" in m:
                    self.assertEqual(single.stdout, b"", "a file verify cannot examine has no verdict")
                    self.assertEqual(m["exit_code"], single.rc)
                    continue
                verdict = json.loads(single.stdout)
                sealpost_cli.validate_verdict(verdict, single.rc)
                entry = dict(m)
                del entry["file"]
                self.assertEqual(entry, verdict)

    def test_verdicts_name_the_reason(self):
        _, out = self.bulk_json()
        m = self.by_file(out)
        for name in ("cur/1001.good1:2,S", "new/2001.good2", "new/2002.opaque", "new/2003.ber-indefinite"):
            self.assertEqual(m[name]["exit_code"], OK, name)
            self.assertEqual(m[name]["signatures"][0]["status"], "valid")
            self.assertTrue(m[name]["signatures"][0]["trusted"])
        t = m["cur/1002.tampered:2,S"]
        self.assertEqual((t["exit_code"], t["signatures"][0]["status"]), (NOT_GOOD, "invalid"))
        self.assertEqual(t["signatures"][0]["detail"], "the content was changed after signing")
        b = m["cur/1010.bad-signature:2,S"]
        self.assertEqual((b["exit_code"], b["signatures"][0]["status"]), (NOT_GOOD, "invalid"))
        self.assertEqual(b["signatures"][0]["detail"], "the signature does not match the signed attributes")
        u = m["cur/1003.untrusted:2,S"]
        self.assertEqual((u["exit_code"], u["signatures"][0]["status"]), (NOT_GOOD, "valid"))
        self.assertFalse(u["signatures"][0]["trusted"])
        self.assertIn("untrusted", u["signatures"][0]["chain_problems"])
        n = m["cur/1004.unsigned:2,S"]
        self.assertEqual((n["exit_code"], n["signed"], n["signatures"]), (NOT_GOOD, False, []))
        bad = m["cur/1005.malformed:2,S"]
        self.assertEqual(bad["exit_code"], BAD_INPUT)
        self.assertEqual(bad["layers"][0]["status"], "malformed")
        g = m["cur/1006.garbage:2,S"]
        self.assertEqual(g["exit_code"], BAD_INPUT)
        self.assertIn("error", g)
        # The changed byte is inside alice's certificate: its issuer's signature over it no
        # longer checks out, although the message signature (by the same key) still does.
        c = m["cur/1007.tampered-cert:2,S"]
        self.assertEqual(c["exit_code"], NOT_GOOD)
        self.assertEqual(c["signatures"][0]["status"], "valid")
        self.assertFalse(c["signatures"][0]["trusted"])
        self.assertIn("bad-certificate-signature", c["signatures"][0]["chain_problems"])
        self.assertNotEqual(c["signatures"][0]["signer_fingerprint"], m["new/2001.good2"]["signatures"][0]["signer_fingerprint"])
        for name in self.unreadable:
            self.assertEqual(m[name]["exit_code"], BAD_INPUT, name)
            self.assertIn(name.split("/")[1].split(":")[0], m[name]["error"])

    def test_summary_counts(self):
        _, out = self.bulk_json()
        s = out["summary"]
        self.assertEqual((s["good"], s["invalid"], s["untrusted"], s["unsigned"]), (5, 2, 2, 1), json.dumps(s))
        self.assertEqual(s["malformed"], 2)
        self.assertEqual(s["unreadable"], len(self.unreadable))
        counted = sum(v for k, v in s.items() if k not in ("total", "exit_code"))
        self.assertEqual(counted, s["total"])

    def test_jobs_do_not_change_the_output(self):
        one = self.run_bulk("--json", "--jobs", "1")
        four = self.run_bulk("--json", "--jobs", "4")
        self.assertEqual(one.rc, four.rc)
        self.assertEqual(one.stdout, four.stdout)
        text1 = self.run_bulk("--jobs", "1")
        text4 = self.run_bulk("--jobs", "4")
        self.assertEqual(text1.stdout, text4.stdout)

    def test_exit_code_is_the_worst(self):
        # The full mailbox has every kind: a not-good verdict (1) outranks malformed (3).
        r, _ = self.bulk_json()
        self.assertEqual(r.rc, NOT_GOOD)
        cases = [  # files kept -> expected exit code
            (["cur/1001.good1:2,S", "new/2001.good2"], OK),
            (["cur/1001.good1:2,S", "cur/1005.malformed:2,S"], BAD_INPUT),
            (["cur/1001.good1:2,S", "cur/1005.malformed:2,S", "cur/1004.unsigned:2,S"], NOT_GOOD),
            (["cur/1001.good1:2,S", "cur/1006.garbage:2,S", "cur/1002.tampered:2,S"], NOT_GOOD),
            ([], OK),
        ]
        for keep, code in cases:
            with self.subTest(keep=keep):
                d = self.tmp / f"subset-{len(keep)}-{code}"
                shutil.rmtree(d, ignore_errors=True)
                for f in keep:
                    (d / Path(f).parent).mkdir(parents=True, exist_ok=True)
                    shutil.copy(self.mbox / f, d / f)
                d.mkdir(exist_ok=True)
                r, out = self.bulk_json(mbox=d)
                self.assertEqual(r.rc, code, r.describe())
                self.assertEqual(len(out["messages"]), len(keep))

    def test_plain_directory_of_files(self):
        d = self.tmp / "plain-folder"
        d.mkdir(exist_ok=True)
        shutil.copy(self.mbox / "cur/1001.good1:2,S", d / "a.eml")
        shutil.copy(self.mbox / "cur/1002.tampered:2,S", d / "b.eml")
        (d / "sub").mkdir(exist_ok=True)  # folders are not messages
        r, out = self.bulk_json(mbox=d)
        self.assertEqual([m["file"] for m in out["messages"]], ["a.eml", "b.eml"])
        self.assertEqual([m["exit_code"] for m in out["messages"]], [OK, NOT_GOOD])
        self.assertEqual(r.rc, NOT_GOOD)

    def test_text_output_one_line_per_message(self):
        r = self.run_bulk("--jobs", "2")
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), len(self.expected_files) + 1, r.describe())
        self.assertTrue(lines[0].startswith("good") and "1001.good1" in lines[0], lines[0])
        self.assertTrue(lines[1].startswith("invalid") and "1002.tampered" in lines[1], lines[1])
        self.assertIn(f"{len(self.expected_files)} messages:", lines[-1])
        self.assertEqual(r.rc, NOT_GOOD)
        self.assertEqual(r.stderr, b"", "no progress display when stderr is not a terminal")

    def test_progress_on_a_terminal_only(self):
        import pty
        master, slave = pty.openpty()
        env = dict(os.environ, HOME=str(self.bob.profile.parent))
        proc = subprocess.run([str(self.bob.binary), "--profile", str(self.bob.profile), "verify", "--maildir",
                       str(self.mbox), "--json"], stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(master)
        total = len(self.expected_files)
        self.assertIn(f"verified {total} of {total}".encode(), shown)
        self.assertTrue(shown.endswith(b"\r\x1b[K"), shown[-40:])  # the line is cleared at the end
        self.assertEqual(json.loads(proc.stdout)["summary"]["total"], total)  # stdout stays clean JSON

    def test_usage_errors(self):
        self.assertEqual(self.bob.run("verify").rc, USAGE)
        self.assertEqual(self.bob.run("verify", "--in", self.mbox / "new/2001.good2", "--jobs", "2").rc, USAGE)
        self.assertEqual(self.bob.run("verify", "--maildir", self.mbox, "--jobs", "0").rc, USAGE)
        self.assertEqual(self.bob.run("verify", "--maildir", self.mbox, "--in", "x").rc, USAGE)
        r = self.bob.run("verify", "--maildir", self.tmp / "no-such-folder")
        self.assertEqual(r.rc, BAD_INPUT, r.describe())
        self.assertIn(b"no-such-folder", r.stderr)


if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main()

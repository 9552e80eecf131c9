#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.7, parser robustness (R1-R4, R7, R9, R11): hostile BER, MIME, base64/QP,
PEM and header bytes. Each gives a deterministic typed result within 2 s of CPU (measured
on the child process), never a crash or a multi-GB allocation.

Run:  /usr/bin/python3 tests/catalogue/test_parser_robustness.py [-v] [--sealpost BIN]
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, BAD_INPUT, HEAD, MARKER, OK, b64_lines, child_max_rss_kib,  # noqa: E402
                     crashed, main, p7m_message, plain_message, run_checked,
                     e2e_util, stderr_lines)


def strings_in(value):
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


class ParserRobustness(CatalogueCase):
    CASE = "parser-robustness"

    # --- R1 / R2 --------------------------------------------------------------------------

    def test_R1_deep_ber_nesting(self):
        deep = b"\x30\x80" * 10000 + b"\x00\x00" * 10000
        for name, data in (("as p7m", p7m_message(deep, "signed-data")), ("bare", deep)):
            with self.subTest(name):
                r, v = self.examine_bounded(data)
                self.assertEqual(r.rc, BAD_INPUT, r.describe())
                self.assertEqual(len(stderr_lines(r)), 1, r.describe())
                self.assertFalse(v and v["signed"])

    def test_R2_huge_declared_length(self):
        liar = b"\x30\x84\xff\xff\xff\xf0" + b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\xa0\x80" + b"A" * 87
        for name, data in (("as p7m", p7m_message(liar, "signed-data")), ("bare", liar)):
            with self.subTest(name):
                r, v = self.examine_bounded(data)
                self.assertEqual(r.rc, BAD_INPUT, r.describe())
                self.assertFalse(v and v["signed"])
        self.assertLess(child_max_rss_kib(), 512 * 1024, "a child grew beyond 512 MiB")

    # --- R3 -------------------------------------------------------------------------------

    def test_R3_mime_depth_width_and_headers(self):
        def nested(levels):
            return HEAD.encode() + e2e_util.nested_multiparts(levels, "n")

        wide = (HEAD + 'Content-Type: multipart/mixed; boundary="w"\r\n\r\n').encode() + \
            b"--w\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 100000 + b"--w--\r\n"
        cases = {
            "10,000 nested multiparts": (nested(10000), r"nest|deep"),
            "100,000 sibling parts": (wide, r"too many MIME parts|parts"),
            "1 MB header line": (HEAD.encode() + b"X-Long: " + b"a" * (1 << 20) + b"\r\n\r\nhi\r\n", r"header line"),
            "100,000 header fields": (HEAD.encode() + b"X-H: v\r\n" * 100000 + b"\r\nhi\r\n", r"header fields"),
        }
        for name, (data, pattern) in cases.items():
            for command in ("verify", "read"):
                with self.subTest(name, command=command):
                    r, v = self.examine_bounded(data, command)
                    self.assert_typed_error(r, pattern)

    # --- R4 -------------------------------------------------------------------------------

    def test_R4_base64_and_qp_garbage_is_deterministic(self):
        signed = self.c.file(b"")
        self.alice.sign(self.c.file(plain_message()), signed, opaque=True)
        good = signed.read_bytes()
        head, body = good.split(b"\r\n\r\n", 1)
        one_line = body.replace(b"\r\n", b"")
        cases = {
            "invalid characters": head + b"\r\n\r\n" + body[:200] + b"!!@@**\r\n" + body[200:],
            "missing padding": head + b"\r\n\r\n" + body.rstrip(b"\r\n").rstrip(b"=") + b"\r\n",
            "one 20 MB line": head + b"\r\n\r\n" + (one_line * (20_000_000 // len(one_line) + 1)) + b"\r\n",
            "broken quoted-printable soft breaks": (HEAD + "Content-Type: text/plain\r\n"
                                                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                                    f"{MARKER}=\r\n=\r\n=ZZ=4=\r\n=\r\n").encode(),
        }
        for name, data in cases.items():
            with self.subTest(name):
                first = self.examine_bounded(data, "read")[0]
                second = self.examine_bounded(data, "read")[0]
                self.assertEqual((first.rc, first.stdout), (second.rc, second.stdout), "not deterministic")
                self.assertIn(first.rc, (OK, 1, BAD_INPUT), first.describe())

    # --- R7 -------------------------------------------------------------------------------

    def test_R7_malformed_pem_certificates_and_keys(self):
        cert = Path(self.w.cert("alice", "rsa")).read_text()
        key = Path(self.w.pki.key("alice", "rsa")).read_text()
        lines = cert.splitlines()
        bad_pems = {
            "truncated": "\n".join(lines[:4]) + "\n",
            "no END line": "\n".join(lines[:-1]) + "\n",
            "bad base64": lines[0] + "\n" + "!!!!" * 16 + "\n" + lines[-1] + "\n",
            "empty block": lines[0] + "\n" + lines[-1] + "\n",
            "two BEGIN lines": lines[0] + "\n" + cert,
            "huge header": lines[0] + "\nProc-Type: " + "4" * 100000 + "\n" + "\n".join(lines[1:]) + "\n",
        }
        key_lines = key.splitlines()
        for name, text in bad_pems.items():
            bad = self.c.file(text.encode(), ".pem")
            bad_key = self.c.file(("\n".join(key_lines[:3] + key_lines[-1:]) + "\n").encode(), ".key")
            commands = {
                "trust add": ["trust", "add", bad],
                "contacts add": ["contacts", "add", bad],
                "encrypt --recipient-cert": ["encrypt", "--in", self.c.file(plain_message()), "--out",
                                             self.c.dir / "r7.eml", "--recipient-cert", bad],
                "identity add (bad key)": ["identity", "add", "--cert", self.w.cert("alice", "rsa"), "--key", bad_key],
            }
            for cname, args in commands.items():
                with self.subTest(pem=name, command=cname):
                    r = run_checked(self.alice, *args)
                    self.assertIn(r.rc, (1, 2, BAD_INPUT), r.describe())
                    self.assertIsNone(crashed(r), r.describe())
                    self.assertEqual(len(stderr_lines(r)), 1, r.describe())

    # --- R9 -------------------------------------------------------------------------------

    def test_R9_loop_shapes_stay_within_cpu_budget(self):
        sd_oid = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"
        shapes = {
            "indefinite without end-of-contents": b"\x30\x80" + sd_oid + b"\xa0\x80\x30\x80" * 500,
            "nested empty constructed OCTET STRINGs": b"\x30\x80" + sd_oid + b"\xa0\x80" + b"\x24\x80" * 5000 + b"\x00\x00" * 5002,
            "zero-length items, many": b"\x30\x83\x0f\x42\x40" + b"\x31\x00" * 500000,
            "self-similar SignedData": (b"\x30\x80" + sd_oid + b"\xa0\x80") * 2000 + b"\x00\x00" * 4000,
        }
        for name, der in shapes.items():
            for form in ("p7m", "signature"):
                with self.subTest(name, form=form):
                    if form == "p7m":
                        data = p7m_message(der, "signed-data")
                    else:
                        data = (HEAD + 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
                                'micalg=sha-256; boundary="s"\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nhi\r\n'
                                "--s\r\nContent-Type: application/pkcs7-signature\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n").encode() + b64_lines(der) + b"--s--\r\n"
                    r, v = self.examine_bounded(data)
                    self.assertIn(r.rc, (1, BAD_INPUT), r.describe())
                    self.assertFalse(v and v["signed"] and v["signatures"] and
                                     v["signatures"][0]["status"] == "valid", r.describe())

    # --- R11 ------------------------------------------------------------------------------

    def test_R11_charset_chaos_in_headers(self):
        froms = {
            "invalid UTF-8 encoded-word": b"From: =?utf-8?B?/+7/?= <alice@example.org>",
            "unknown charset": b"From: =?x-martian?Q?Al=FFce?= <alice@example.org>",
            "NUL in display name": b"From: Ali\x00ce <alice@example.org>",
            "NUL in address": b"From: <ali\x00ce@example.org>",
            "raw 8-bit garbage": b"From: \xff\xfe\xfd <alice@example.org>",
            "ESC sequence in display name": b"From: =?utf-8?Q?Al=1B[2Jice?= <alice@example.org>",
            "C1 CSI in display name": b"From: =?utf-8?Q?Al=C2=9B2Jice?= <alice@example.org>",
            "raw UTF-8 C1 CSI in display name": b"From: Al\xc2\x9b2Jice <alice@example.org>",
        }
        rest = (b"To: bob@example.org\r\nSubject: =?utf-8?Q?=FF=00=C3?= \x00 chaos\r\n"
                b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nhi \x00 there\r\n")
        for name, from_line in froms.items():
            with self.subTest(name):
                data = from_line + b"\r\n" + rest
                for command in ("read", "verify"):
                    r, v = self.examine_bounded(data, command)
                    self.assertIsNotNone(v, r.describe())
                    self.assertFalse([x for x in strings_in(v) if "\x00" in x], r.describe())
                    self.assertFalse(v["signed"])
                    if "NUL in address" in name:
                        self.assertNotEqual(v["from"], "alice@example.org", r.describe())
                r = run_checked(self.bob, "read", "--in", self.c.file(data))
                self.assertIn(r.rc, (OK, 1, BAD_INPUT), r.describe())
                self.assertNotIn(b"\x00", r.stdout, r.describe())
                # Nothing that drives a terminal reaches it: no ESC, no C1 control.
                self.assertNotIn(b"\x1b", r.stdout, r.describe())
                self.assertIsNone(re.search(rb"\xc2[\x80-\x9f]", r.stdout), r.describe())


if __name__ == "__main__":
    main()

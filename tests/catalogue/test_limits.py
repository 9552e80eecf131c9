#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Resource bounds for messages (docs/limits.md): every cap is tested just below (works)
and just above (a typed "limit" error, exit 3, one line naming it), and the worst case
that still fits the caps stays within 2 s of CPU per message, measured on the child
(resource.getrusage(RUSAGE_CHILDREN)): a bound check, not a benchmark.

Run:  /usr/bin/python3 tests/catalogue/test_limits.py [-v] [--sealpost BIN]
"""

import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, cpu_budget, BAD_INPUT, CONTENT, HEAD, MARKER, OK, body, cpu_of_children,  # noqa: E402
                     e2e_util, enveloped_fields, main, p7m_message, parse, plain_message,
                     run_checked, signed_message, signer_infos, stderr_lines)

MIB = 1 << 20
MAX_MESSAGE = 50 * MIB
MAX_HEADER_LINE = 64 * 1024
MAX_HEADER_FIELDS = 2000
MAX_MIME_DEPTH = 32
MAX_MIME_PARTS = 10000
MAX_CRYPTO_LAYERS = 8
MAX_SIGNERS = 16
MAX_BAG = 64
MAX_RECIPIENTS = 1000
CPU_BUDGET = cpu_budget(2.0)


def nested(levels, leaf=b"Content-Type: text/plain\r\n\r\nhi\r\n"):
    """A message whose text leaf sits under `levels` nested multipart/mixed entities."""
    inner = leaf
    for i in range(levels):
        b = f"n{i}".encode()
        inner = (b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n"
                 + inner + b"\r\n--" + b + b"--\r\n")
    return HEAD.encode() + inner


def wide(parts, boundary="w"):
    return (HEAD + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n').encode() + \
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n".encode() * parts + f"--{boundary}--\r\n".encode()


class Limits(CatalogueCase):
    CASE = "limits"

    def assert_read_or_refused(self, r, ok, pattern):
        """At a limit the message reads (exit 0); one over it is refused (assert_typed_error)."""
        if ok:
            self.assertEqual(r.rc, OK, r.describe())
        else:
            self.assert_typed_error(r, pattern)

    # --- message size ---------------------------------------------------------------------

    def test_message_size(self):
        # The cap is on what is held in memory: standard input, and library callers. A file
        # over 16 MiB is streamed from disk instead (tests/e2e/test_streaming.py), so the
        # same bytes from a file are read, not refused.
        head = plain_message(text="")
        filler = b"y" * 76 + b"\r\n"
        for size, ok in ((MAX_MESSAGE, True), (MAX_MESSAGE + 1, False)):
            with self.subTest(size=size):
                data = head + filler * ((size - len(head)) // len(filler))
                data += b"z" * (size - len(data))
                self.assertEqual(len(data), size)
                r, cpu, wall = cpu_of_children(
                    lambda: self.bob.run("read", "--in", "-", "--json", input=data))
                self.assertLess(cpu, CPU_BUDGET, r.describe())
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                else:
                    self.assert_typed_error(r, r"larger than 50 MiB")
                    self.assertEqual(r.stdout, b"", r.describe())
                if not ok:
                    streamed, verdict = self.examine_bounded(data, "read")
                    self.assertEqual(streamed.rc, OK, streamed.describe())
                    self.assertTrue(any("streamed" in w for w in verdict["warnings"]), verdict)
        with self.subTest("decrypt of a plain file over the cap writes nothing"):
            path = self.c.file(head + b"x" * (MAX_MESSAGE + 1 - len(head)))
            out = self.c.dir / "too-big-out.eml"
            r = run_checked(self.bob, "decrypt", "--in", path, "--out", out)
            self.assertNotEqual(r.rc, OK, r.describe())
            self.assertIn(b"not encrypted", r.stderr, r.describe())
            self.assertFalse(out.exists())

    def test_worst_case_largest_signed_message(self):
        # Opaque signed-data whose base64 fills the cap: decode, parse, digest, walk.
        content = b"Content-Type: text/plain\r\n\r\n" + (b"q" * 74 + b"\r\n") * (36 * MIB // 76)
        der = self.signer.opaque(self.c, content)
        data = p7m_message(der, "signed-data")
        self.assertLess(len(data), MAX_MESSAGE)
        self.assertGreater(len(data), MAX_MESSAGE - 2 * MIB)
        r, v = self.examine_bounded(data)
        self.assertEqual(r.rc, OK, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "valid")

    # --- headers --------------------------------------------------------------------------

    def test_header_line_length(self):
        for length, ok in ((MAX_HEADER_LINE, True), (MAX_HEADER_LINE + 1, False)):
            with self.subTest(length=length):
                line = b"X-Long: " + b"a" * (length - len(b"X-Long: ") - 2) + b"\r\n"
                self.assertEqual(len(line), length)
                r, v = self.examine_bounded(line + plain_message(), "read")
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                    self.assertIn(MARKER, v["body"])
                else:
                    self.assert_typed_error(r, r"header line is longer than 64 KiB")

    def test_header_field_count(self):
        base = plain_message()
        fields = base.count(b"\r\n", 0, base.index(b"\r\n\r\n")) + 1
        for count, ok in ((MAX_HEADER_FIELDS, True), (MAX_HEADER_FIELDS + 1, False)):
            with self.subTest(count=count):
                data = b"X-H: v\r\n" * (count - fields) + base
                r, v = self.examine_bounded(data, "read")
                self.assert_read_or_refused(r, ok, r"more than 2000 header fields")

    # --- MIME depth and width -------------------------------------------------------------

    def test_mime_depth(self):
        for levels, ok in ((MAX_MIME_DEPTH, True), (MAX_MIME_DEPTH + 1, False)):
            with self.subTest(levels=levels):
                r, v = self.examine_bounded(nested(levels), "read")
                self.assert_read_or_refused(r, ok, r"deeper than 32 levels")

    def test_mime_parts_per_multipart(self):
        for parts, ok in ((MAX_MIME_PARTS, True), (MAX_MIME_PARTS + 1, False)):
            with self.subTest(parts=parts):
                r, v = self.examine_bounded(wide(parts), "read")
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                else:
                    self.assertEqual(r.rc, BAD_INPUT, r.describe())
                    self.assertTrue(any("too many MIME parts" in m for m in v["malformed"]), r.describe())

    def test_mime_parts_per_message(self):
        # Two inner multiparts under a root of two parts: 2 + half + the rest of the cap
        # (just below), then one part more (just above); each multipart alone is far below.
        half = MAX_MIME_PARTS // 2
        for extra, ok in ((0, True), (1, False)):
            with self.subTest(total=MAX_MIME_PARTS + extra):
                inner_a = wide(half, "a")[len(HEAD):]
                inner_b = wide(MAX_MIME_PARTS - 2 - half + extra, "b")[len(HEAD):]
                data = (HEAD + 'Content-Type: multipart/mixed; boundary="o"\r\n\r\n').encode() + \
                    b"--o\r\n" + inner_a + b"\r\n--o\r\n" + inner_b + b"\r\n--o--\r\n"
                r, v = self.examine_bounded(data, "read")
                self.assert_read_or_refused(r, ok, r"more than 10000 MIME parts")

    def test_worst_case_deep_mime_with_large_leaf(self):
        leaf = b"Content-Type: text/plain\r\n\r\n" + (b"d" * 74 + b"\r\n") * (45 * MIB // 76)
        r, v = self.examine_bounded(nested(MAX_MIME_DEPTH, leaf), "read")
        self.assertEqual(r.rc, OK, r.describe())

    def test_worst_case_most_parts(self):
        r, v = self.examine_bounded(wide(MAX_MIME_PARTS), "read")
        self.assertEqual(r.rc, OK, r.describe())

    # --- CMS layers -----------------------------------------------------------------------

    def test_crypto_layers(self):
        entity = CONTENT
        layers = {}
        for depth in range(1, MAX_CRYPTO_LAYERS + 2):
            der = self.signer.opaque(self.c, entity)
            entity = (b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
                      b"Content-Transfer-Encoding: binary\r\n\r\n" + der)
            layers[depth] = HEAD.encode() + entity
        for depth, ok in ((MAX_CRYPTO_LAYERS, True), (MAX_CRYPTO_LAYERS + 1, False)):
            with self.subTest(depth=depth):
                r, v = self.examine_bounded(layers[depth])
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                    self.assertEqual(len(v["signatures"]), depth)
                else:
                    self.assertEqual(r.rc, BAD_INPUT, r.describe())
                    self.assertEqual([l["status"] for l in v["layers"]][-1], "limit", r.describe())
                    self.assertRegex(stderr_lines(r)[0], "more than 8 nested cryptographic layers")

    # --- signers and certificates per SignedData ------------------------------------------

    def signed_variant(self, signers=1, bag=None):
        ci = parse(self.signer.detached(self.c))
        sis = signer_infos(ci)
        sis.kids = [copy.deepcopy(sis[0]) for _ in range(signers)]
        if bag is not None:
            certs = next(k for k in body(ci).kids if k.tag == 0xA0)
            leaf, inter = certs.kids[0], certs.kids[-1]
            certs.kids = [leaf] + [copy.deepcopy(inter) for _ in range(bag - 1)]
        return signed_message(CONTENT, ci.encode())

    def test_signers_per_signed_data(self):
        for n, ok in ((MAX_SIGNERS, True), (MAX_SIGNERS + 1, False)):
            with self.subTest(signers=n):
                r, v = self.examine_bounded(self.signed_variant(signers=n))
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                    self.assertEqual([s["status"] for s in v["signatures"]], ["valid"] * n)
                else:
                    self.assertEqual(r.rc, BAD_INPUT, r.describe())
                    self.assertEqual(v["layers"][0]["status"], "limit", r.describe())
                    self.assertRegex(v["layers"][0]["error"], "17 signers; at most 16")

    def test_certificates_per_bag(self):
        for n, ok in ((MAX_BAG, True), (MAX_BAG + 1, False)):
            with self.subTest(certificates=n):
                r, v = self.examine_bounded(self.signed_variant(bag=n))
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                else:
                    self.assertEqual(r.rc, BAD_INPUT, r.describe())
                    self.assertEqual(v["layers"][0]["status"], "limit", r.describe())
                    self.assertRegex(v["layers"][0]["error"], "65 certificates; at most 64")

    def test_worst_case_signers_and_bag(self):
        r, v = self.examine_bounded(self.signed_variant(signers=MAX_SIGNERS, bag=MAX_BAG))
        self.assertEqual(r.rc, OK, r.describe())

    # --- recipients per EnvelopedData -----------------------------------------------------

    def test_recipients_per_enveloped_data(self):
        w = self.w
        enc = self.c.file(b"")
        self.alice.encrypt(self.c.file(plain_message()), enc, [w.cert("bob", "rsa")], cipher="aes-256-cbc")
        der = e2e_util.base64_body(enc.read_bytes())
        for n, ok in ((MAX_RECIPIENTS, True), (MAX_RECIPIENTS + 1, False)):
            with self.subTest(recipients=n):
                ci = parse(der)
                fields, ri, _ = enveloped_fields(ci)
                ris = fields[ri].kids
                self.assertEqual(len(ris), 2)  # bob and alice (encrypt-to-self)
                fields[ri].kids = ris + [copy.deepcopy(ris[1]) for _ in range(n - 2)]
                path = self.c.file(p7m_message(ci.encode(), "enveloped-data"))
                r, v = self.run_bounded(path, "read")
                out = self.c.dir / f"recipients-{n}.eml"
                d = run_checked(self.bob, "decrypt", "--in", path, "--out", out)
                if ok:
                    self.assertEqual(r.rc, OK, r.describe())
                    self.assertIn(MARKER, v["body"])
                    self.assertEqual(d.rc, OK, d.describe())
                else:
                    self.assertEqual(r.rc, BAD_INPUT, r.describe())
                    self.assertEqual(v["layers"][0]["status"], "limit", r.describe())
                    self.assert_typed_error(d, "1001 recipients; at most 1000")
                    self.assertFalse(out.exists())


if __name__ == "__main__":
    main()

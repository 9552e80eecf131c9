# SPDX-License-Identifier: Apache-2.0
"""Interop suite: Sealpost against real S/MIME peers (openssl cms, gpgsm, NSS cmsutil),
in both directions, for every algorithm the peer supports (SUPPORT_MATRIX.md).

    SEALPOST_BIN=build/src/cli/sealpost python3 tests/interop/test_interop.py [OpenSslInteropTest]
    python3 tests/interop/test_interop.py --sealpost PATH GpgsmInteropTest

Test names say who produces and who consumes: test_sealpost_* are Sealpost -> peer,
test_peer_* are peer -> Sealpost, test_limit_* pin a measured limit of the peer (they use
openssl-made input and need no Sealpost binary).
"""

import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "support")]

import interop_mime as mime  # noqa: E402
import peers  # noqa: E402
import sealpost_cli  # noqa: E402
import testpki  # noqa: E402
from sealpost_cli import OK, NOT_GOOD  # noqa: E402

ALICE, BOB = "Alice <alice@example.org>", "Bob <bob@example.org>"
SIGNER_KINDS = ("sign", "ec256", "ec384")     # alice's keys Sealpost signs with
EC_KINDS = ("ec256", "ec384")


def norm(name):
    """'SHA-384' == 'sha384', 'AES-256-GCM' == 'aes256gcm'."""
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


class InteropCase:
    """Shared checks; the concrete classes below pick the peer (not a TestCase itself)."""
    PEER = None

    @classmethod
    def setUpClass(cls):
        cls.pki = testpki.shared()
        cls.tmp = Path(tempfile.mkdtemp(prefix=f"sealpost-interop-{cls.PEER.name}-"))
        cls.peer = cls.PEER(cls.pki, cls.tmp / "peer")

    @classmethod
    def tearDownClass(cls):
        cls.peer.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(dir=self.tmp, prefix=self._testMethodName[:40] + "-"))

    def write(self, name, data):
        path = self.dir / name
        path.write_bytes(data)
        return path

    def profile(self, sign=None, enc=None, as_sign="signing", as_enc="encryption"):
        """A Sealpost profile of the demo org: root trusted, intermediate known, identities."""
        ids = [(self.pki.cert(*who), self.pki.key(*who), as_)
               for who, as_ in ((sign, as_sign), (enc, as_enc)) if who]
        return sealpost_cli.make_profile(tempfile.mkdtemp(dir=self.dir), ids, [self.pki.root],
                                         [self.pki.intermediate])

    def message(self, tag, from_=ALICE, entity=mime.text_entity):
        body = mime.body_text(tag)
        return self.write("m.eml", mime.plain_message(from_, BOB, tag, body, entity)), body

    # --- what Sealpost writes must look like S/MIME to every client (RFC 8551 §3) ---

    def assert_form(self, raw, smime_type=None, micalg=None):
        self.assertIsNone(re.search(rb"(?<!\r)\n", raw), "Sealpost output has bare LF line endings")
        msg = mime.parse(raw)
        if smime_type is None:
            self.assertEqual(msg.get_content_type(), "multipart/signed")
            self.assertEqual(msg.get_param("protocol"), "application/pkcs7-signature")
            if micalg:
                self.assertEqual((msg.get_param("micalg") or "").lower(), micalg)
            sig = msg.get_payload()[1]
            self.assertEqual(sig.get_content_type(), "application/pkcs7-signature")
            names = (sig.get_param("name"), sig.get_filename())
            want_name, cte = "smime.p7s", sig.get("Content-Transfer-Encoding", "")
        else:
            self.assertEqual(msg.get_content_type(), "application/pkcs7-mime")
            self.assertEqual(mime.smime_type(raw), smime_type.lower())
            names = (msg.get_param("name"), msg.get_filename())
            want_name, cte = "smime.p7m", msg.get("Content-Transfer-Encoding", "")
        self.assertIn(want_name, names)
        self.assertEqual(cte.lower(), "base64")

    def assert_peer_ok(self, outcome, what):
        self.assertTrue(outcome.ok, f"{self.peer.name} rejected {what}:\n{outcome.detail}")

    def assert_body(self, entity, body):
        got = mime.first_text(entity)
        self.assertTrue(mime.same_text(got, body), f"body differs:\n{got!r}\n!=\n{body!r}")
        attachment = mime.attachment(entity)
        if attachment is not None:
            self.assertEqual(attachment, mime.ATTACHMENT, "the attachment changed on the way")

    # --- Sealpost -> peer ---

    def check_sealpost_sign(self, kind, digest, opaque=False, pss=False, entity=mime.text_entity):
        """digest None: Sealpost's default, which every peer must accept for that key."""
        sp = self.profile(sign=("alice", kind), enc=("alice", "enc"))
        m, body = self.message(f"sealpost signs {kind} {digest} {'pss' if pss else ''}",
                               entity=entity)
        out = self.dir / "s.eml"
        sp.sign(m, out, opaque=opaque, digest=digest, pss=pss)
        raw = out.read_bytes()
        algs = peers.cms_algorithms(peers.cms_der(raw))
        if digest is None:
            digest = algs["digest"][0]
        self.assert_form(raw, "signed-data" if opaque else None, "sha-" + digest[3:])
        self.assertEqual(algs["digest"], [digest], "Sealpost ignored --digest")
        if pss:
            self.assertEqual(algs["signature"], ["rsassaPss"], "Sealpost ignored --pss")
        elif kind in EC_KINDS:
            self.assertEqual(algs["signature"], ["ecdsa-with-" + digest.upper()])
        else:
            self.assertNotIn("rsassaPss", algs["signature"], "PSS without --pss")
        got = self.peer.verify(raw)
        self.assert_peer_ok(got, "Sealpost's signature")
        self.assert_body(got.content, body)
        if not opaque:  # tampered twin: one body byte changed after signing
            self.assertFalse(self.peer.verify(mime.flip_signed_body_byte(raw)).ok,
                             f"{self.peer.name} accepted a tampered Sealpost message")

    def check_sealpost_encrypt(self, cipher, kind="enc", oaep=False):
        sp = self.profile(sign=("alice", "sign"), enc=("alice", "enc"))
        m, body = self.message(f"sealpost encrypts {cipher} to {kind} {'oaep' if oaep else ''}")
        bob = self.pki.identity("bob", kind)
        out = self.dir / "e.eml"
        sp.encrypt(m, out, recipients=[bob.cert], cipher=cipher, oaep=oaep)
        cipher = cipher or "aes-256-cbc"  # the contract's default for unknown recipients
        raw = out.read_bytes()
        self.assert_form(raw, "authEnveloped-data" if "gcm" in cipher else "enveloped-data")
        algs = peers.cms_algorithms(mime.pkcs7_der(raw))
        self.assertEqual(algs["content"], [cipher])
        if oaep:
            self.assertEqual(algs["key"], ["rsaesOaep", "rsaesOaep"])  # alice's copy and bob's
        self.assertEqual(algs["agreement"], kind in EC_KINDS)
        got = self.peer.decrypt(raw, bob)
        self.assert_peer_ok(got, f"Sealpost's {cipher} message")
        self.assert_body(got.content, body)
        # The sender can read her own sent mail (checked with openssl, whatever the peer).
        own = peers.OpenSslPeer(self.pki, self.dir / "own").decrypt(
            raw, self.pki.identity("alice", "enc"))
        self.assertTrue(own.ok, f"not encrypted to the sender's own certificate:\n{own.detail}")

    def check_sealpost_protect(self):
        sp = self.profile(sign=("alice", "sign"), enc=("alice", "enc"))
        m, body = self.message("sealpost signs then encrypts")
        bob = self.pki.identity("bob", "enc")
        out = self.dir / "x.eml"
        sp.protect(m, out, recipients=[bob.cert])
        raw = out.read_bytes()
        self.assert_form(raw, "enveloped-data")
        inner = self.peer.decrypt(raw, bob)
        self.assert_peer_ok(inner, "Sealpost's signed+encrypted message")
        got = self.peer.verify(inner.content)
        self.assert_peer_ok(got, "the signature inside Sealpost's encrypted message")
        self.assert_body(got.content, body)

    # --- peer -> Sealpost ---

    def assert_good_signature(self, verdict, digest, matches_from=True):
        self.assertTrue(verdict["signed"], verdict)
        self.assertEqual(len(verdict["signatures"]), 1, verdict)
        s = verdict["signatures"][0]
        self.assertEqual(s["status"], "valid", s)
        self.assertTrue(s["trusted"], s)
        self.assertEqual(s["chain_problems"], [], s)
        self.assertEqual(s["signer_email"], "alice@example.org", s)
        self.assertIn("alice@example.org", s["signer_emails"], s)
        self.assertEqual(s["email_matches_from"], matches_from, s)
        self.assertTrue(s["covers_whole_message"], s)
        self.assertFalse(s["weak"], s)
        self.assertEqual(norm(s["digest"]), norm(digest), s)
        self.assertIsInstance(s["signing_time"], str, "all peers add a signing time")

    def assert_verdict_body(self, verdict, body):
        if "body" in verdict:  # optional for now
            self.assertTrue(mime.same_text(verdict["body"] or "", body), verdict["body"])

    def check_peer_sign(self, kind, digest, opaque=False, pss=False, from_=ALICE, lf=False,
                        entity=mime.text_entity):
        tag = f"peer signs {kind} {digest} {'pss' if pss else ''}"
        body = mime.body_text(tag)
        raw = self.peer.sign_message(self.pki.identity("alice", kind), from_, BOB, tag,
                                     entity(body), digest, opaque, pss)
        path = self.write("s.eml", mime.to_lf(raw) if lf else raw)
        sp = self.profile(enc=("bob", "enc"))
        matches = from_ == ALICE
        _, verdict = sp.verify(path, expect=OK if matches else NOT_GOOD)
        self.assert_good_signature(verdict, digest, matches)
        _, verdict = sp.read(path, expect=OK if matches else NOT_GOOD)
        self.assert_good_signature(verdict, digest, matches)
        self.assert_verdict_body(verdict, body)
        if not opaque and matches:  # tampered twin
            bad = self.write("bad.eml", mime.flip_signed_body_byte(path.read_bytes()))
            _, verdict = sp.verify(bad, expect=NOT_GOOD)
            self.assertEqual([s["status"] for s in verdict["signatures"]], ["invalid"], verdict)

    def check_peer_encrypt(self, cipher, kind="enc", oaep=False):
        bob = self.pki.identity("bob", kind)
        tag = f"peer encrypts {cipher} to {kind} {'oaep' if oaep else ''}"
        body = mime.body_text(tag)
        raw = self.peer.encrypt_message([bob], ALICE, BOB, tag, mime.text_entity(body), cipher,
                                        oaep)
        algs = peers.cms_algorithms(mime.pkcs7_der(raw))
        cipher = cipher or algs["content"][0]  # NSS chooses by itself
        self.assertEqual(algs["content"], [cipher], "the peer did not use the cipher asked for")
        path = self.write("e.eml", raw)
        sp = self.profile(enc=("bob", kind), as_enc="encryption")
        out = self.dir / "d.eml"
        sp.decrypt(path, out, expect=OK)
        self.assert_body(out.read_bytes(), body)
        _, verdict = sp.read(path)
        self.assertTrue(verdict["encrypted"], verdict)
        self.assertFalse(verdict["signed"], verdict)
        self.assertEqual(verdict["signatures"], [], verdict)
        self.assertEqual(norm(verdict["encryption"]["algorithm"]), norm(cipher), verdict)
        self.assertEqual(verdict["encryption"]["authenticated"], "gcm" in cipher, verdict)
        self.assert_verdict_body(verdict, body)

    def check_peer_sign_then_encrypt(self, cipher):
        alice, bob = self.pki.identity("alice", "sign"), self.pki.identity("bob", "enc")
        tag = "peer signs then encrypts"
        body = mime.body_text(tag)
        inner = self.peer.sign_message(alice, ALICE, BOB, tag, mime.text_entity(body),
                                       headers=False)
        path = self.write("x.eml", self.peer.encrypt_message([bob], ALICE, BOB, tag, inner, cipher))
        sp = self.profile(enc=("bob", "enc"))
        _, verdict = sp.read(path, expect=OK)
        self.assertTrue(verdict["encrypted"], verdict)
        self.assert_good_signature(verdict, "sha256")
        self.assert_verdict_body(verdict, body)
        out = self.dir / "d.eml"
        sp.decrypt(path, out, expect=OK)
        self.assert_body(out.read_bytes(), body)


def _add(cls, name, check, *args, **kwargs):
    def test(self):
        getattr(self, check)(*args, **kwargs)
    test.__name__ = name
    setattr(cls, name, test)


def _digest_fits(peer, kind, digest):
    """gpgsm refuses ECDSA with a digest shorter than the curve (P-384 with SHA-256)."""
    return not (peer.EC_DIGEST_AT_LEAST_CURVE and kind == "ec384" and digest == "sha256")


def _add_encrypt_tests(cls, who, ciphers):
    """test_{who}_encrypts_* (checked by check_{who}_encrypt) for every cipher (None: the
    default) to each recipient kind the peer handles, and with RSA-OAEP where it can."""
    p = cls.PEER
    for cipher in ciphers:
        for kind in ("enc",) + (EC_KINDS if p.ECDH else ()):
            _add(cls, f"test_{who}_encrypts_{(cipher or 'default').replace('-', '')}_to_{kind}",
                 f"check_{who}_encrypt", cipher, kind)
        if p.OAEP:
            _add(cls, f"test_{who}_encrypts_{cipher.replace('-', '')}_oaep", f"check_{who}_encrypt",
                 cipher, oaep=True)


def generate(cls):
    """Adds one test method per algorithm combination the class's peer supports."""
    p = cls.PEER
    rsa_pss = [("sign", True)] if p.PSS_VERIFY else []
    for kind, pss in [(k, False) for k in SIGNER_KINDS] + rsa_pss:
        label = "pss" if pss else kind
        digests = [d for d in p.DIGESTS if _digest_fits(p, kind, d)]
        for digest in digests:
            _add(cls, f"test_sealpost_signs_{label}_{digest}_detached", "check_sealpost_sign",
                 kind, digest, pss=pss)
        _add(cls, f"test_sealpost_signs_{label}_{digests[0]}_opaque", "check_sealpost_sign",
             kind, digests[0], opaque=True, pss=pss)
        if not pss:
            _add(cls, f"test_sealpost_signs_{label}_default_digest", "check_sealpost_sign",
                 kind, None)
    _add(cls, "test_sealpost_signs_multipart_mixed", "check_sealpost_sign", "sign", "sha256",
         entity=mime.mixed_entity)
    _add_encrypt_tests(cls, "sealpost", p.CIPHERS)
    _add(cls, "test_sealpost_encrypts_default_cipher", "check_sealpost_encrypt", None)
    _add(cls, "test_sealpost_signs_then_encrypts", "check_sealpost_protect")

    for kind, pss in [(k, False) for k in p.SIGN_KINDS] + ([("sign", True)] if p.PSS_SIGN else []):
        label = "pss" if pss else kind
        for digest in p.DIGESTS:
            _add(cls, f"test_peer_signs_{label}_{digest}_detached", "check_peer_sign",
                 kind, digest, pss=pss)
        _add(cls, f"test_peer_signs_{label}_sha256_opaque", "check_peer_sign",
             kind, "sha256", opaque=True, pss=pss)
    _add(cls, "test_peer_signs_from_mismatch", "check_peer_sign", "sign", "sha256", from_=BOB)
    _add(cls, "test_peer_signs_multipart_mixed", "check_peer_sign", p.SIGN_KINDS[0], "sha256",
         entity=mime.mixed_entity)
    _add_encrypt_tests(cls, "peer", p.MAKE_CIPHERS)
    _add(cls, "test_peer_signs_then_encrypts", "check_peer_sign_then_encrypt", p.MAKE_CIPHERS[0])
    return cls


def _openssl_message(pki, tmp, extra=(), **enc):
    """An openssl-made encrypted message to bob (the input of the peers' limit tests)."""
    recipients = [pki.identity("bob", "enc"), *extra]
    return peers.OpenSslPeer(pki, tmp / "openssl").encrypt_message(
        recipients, ALICE, BOB, "limit", mime.text_entity(mime.body_text("limit")), **enc)


@generate
class OpenSslInteropTest(InteropCase, unittest.TestCase):
    PEER = peers.OpenSslPeer

    def test_peer_signs_with_lf_line_endings(self):
        # A message saved on Unix: Sealpost canonicalises line endings before verifying.
        self.check_peer_sign("sign", "sha256", lf=True)

    def test_peer_signs_with_untrusted_root(self):
        mallory = self.pki.identity("mallory", "untrusted")
        raw = self.peer.sign_message(mallory, "Mallory <mallory@example.org>", BOB, "evil",
                                     mime.text_entity(mime.body_text("evil")))
        _, verdict = self.profile(enc=("bob", "enc")).verify(self.write("s.eml", raw),
                                                              expect=NOT_GOOD)
        s = verdict["signatures"][0]
        self.assertFalse(s["trusted"], s)
        self.assertNotEqual(s["chain_problems"], [], s)
        self.assertEqual(s["signer_email"], "mallory@example.org", s)

    def test_peer_encrypts_gcm_tampered(self):
        # AES-GCM: nothing may be released when the tag does not check (ARCHITECTURE.md).
        bob = self.pki.identity("bob", "enc")
        raw = self.peer.encrypt_message([bob], ALICE, BOB, "gcm tamper",
                                        mime.text_entity(mime.body_text("gcm")), "aes-256-gcm")
        bad = mime.pkcs7_mime(ALICE, BOB, "gcm tamper",
                              mime.flip_ciphertext_byte(mime.pkcs7_der(raw)), "authEnveloped-data")
        self.assertFalse(self.peer.decrypt(bad, bob).ok, "the tamper missed the ciphertext")
        sp = self.profile(enc=("bob", "enc"))
        out = self.dir / "d.eml"
        result = sp.decrypt(self.write("e.eml", bad), out)
        self.assertNotEqual(result.rc, OK, result.describe())
        self.assertFalse(out.exists() and b"interop test" in out.read_bytes(),
                         "plaintext released although the GCM tag failed")


class _NoGcmNoOaepDecryption:
    """Limits gpgsm 2.2 and NSS share: neither decrypts AuthEnvelopedData (AES-GCM) nor
    RSA-OAEP key transport, both of which openssl makes."""

    def test_limit_cannot_decrypt_authenveloped_gcm(self):
        raw = _openssl_message(self.pki, self.dir, cipher="aes-256-gcm")
        self.assertFalse(self.peer.decrypt(raw).ok)

    def test_limit_cannot_decrypt_oaep(self):
        raw = _openssl_message(self.pki, self.dir, oaep=True)
        self.assertFalse(self.peer.decrypt(raw).ok)


@generate
class GpgsmInteropTest(_NoGcmNoOaepDecryption, InteropCase, unittest.TestCase):
    PEER = peers.GpgsmPeer

    def fresh_gpgsm(self):
        g = peers.GpgsmPeer(self.pki, self.dir / "gpgsm", keys=[])
        self.addCleanup(g.close)
        return g

    def test_limit_cannot_import_pbes2_hmac_sha256_p12(self):
        g = self.fresh_gpgsm()
        g.gpgsm("--import", self.pki.p12("bob", "enc"))
        self.assertNotIn(b"\ncrs:", b"\n" + g.gpgsm("--with-colons", "--list-secret-keys").stdout)

    def test_limit_cannot_import_ec_key(self):
        p = self.fresh_gpgsm().gpgsm("--import", self.pki.p12_legacy("bob", "ec256"))
        self.assertNotEqual(p.returncode, 0)  # 2.2.40 segfaults

    def test_limit_cannot_encrypt_to_ec(self):
        g = self.fresh_gpgsm()
        g.gpgsm("--import", self.pki.cert("bob", "ec256"))
        with self.assertRaises(AssertionError):
            g.encrypt_message([self.pki.identity("bob", "ec256")], ALICE, BOB, "x", b"x\r\n")

    def test_limit_rejects_p384_with_sha256(self):
        a = self.pki.identity("alice", "ec384")
        raw = peers.OpenSslPeer(self.pki, self.dir / "o").sign_message(
            a, ALICE, BOB, "p384", mime.text_entity("p384"), digest="sha256")
        self.assertFalse(self.peer.verify(raw).ok)

    def test_limit_rejects_pss_with_maximum_salt(self):
        # openssl's default PSS salt is the maximum; gpgsm 2.2 wants salt = digest length.
        der = self.dir / "pss.p7s"
        entity = self.write("entity.txt", mime.text_entity("pss"))
        a = self.pki.identity("alice", "sign")
        peers._check(peers.run(["openssl", "cms", "-sign", "-binary", "-in", entity, "-signer",
                                a.cert, "-inkey", a.key, "-outform", "DER", "-out", der,
                                "-keyopt", "rsa_padding_mode:pss"]))
        raw = mime.multipart_signed(ALICE, BOB, "pss", entity.read_bytes(), der.read_bytes())
        self.assertFalse(self.peer.verify(raw).ok)


@generate
class NssInteropTest(_NoGcmNoOaepDecryption, InteropCase, unittest.TestCase):
    PEER = peers.NssPeer

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peer.add_cert(cls.pki.identity("bob", "ec256"))

    def test_limit_cannot_parse_message_with_any_ecdh_recipient(self):
        # bob's RSA recipient info is fine; alice's ECDH one makes NSS reject the whole message.
        raw = _openssl_message(self.pki, self.dir, extra=[self.pki.identity("alice", "ec256")])
        self.assertFalse(self.peer.decrypt(raw).ok)

    def test_limit_cannot_encrypt_to_ec(self):
        with self.assertRaises(AssertionError):
            self.peer.encrypt_message([self.pki.identity("bob", "ec256")], ALICE, BOB, "x",
                                      b"x\r\n")


if __name__ == "__main__":
    unittest.main(argv=sealpost_cli.take_binary_arg(sys.argv), verbosity=2)

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Catalogue §2.5, certificate path validation P1–P9, through `sealpost verify --json` (and
`sealpost encrypt` for the send side of P7).

Each case builds its chain with the openssl CLI (tests/support/chainpki.py), signs a message
with `openssl cms -sign` (so a certificate Sealpost would refuse to sign with can still sign),
and asserts the typed verdict: the signature itself is "valid" but the signer is not trusted,
for the reason the catalogue names (a chain_problems entry). Every rejected case has a valid
twin that differs only in the property under test.

Run:  SEALPOST_BIN=build/src/cli/sealpost SEALPOST_PASSPHRASE_FILE=build/test-passphrase \\
      SEALPOST_POLICY=tests/support/test-policy.toml python3 tests/catalogue/test_paths.py -v
"""
import datetime
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
sys.path.insert(0, str(HERE.parent / "revocation"))
import chainpki  # noqa: E402
import netutil  # noqa: E402
import sealpost_cli  # noqa: E402
from sealpost_cli import NOT_GOOD, OK  # noqa: E402

OPENSSL = os.environ.get("OPENSSL", "openssl")
ALICE = "alice@example.com"
_tmp = None
F = ROOT = ICA = None


def setUpModule():
    global _tmp, F, ROOT, ICA
    sealpost_cli.binary_path()  # fail early, not per test, when the binary is missing
    _tmp = Path(tempfile.mkdtemp(prefix="sealpost-catalogue-paths-"))
    F = chainpki.Factory(_tmp / "pki")
    ROOT = F.issue("root", "CN=Paths Root,O=Sealpost catalogue", key_label="root")
    ICA = F.issue("ica", "CN=Paths ICA,O=Sealpost catalogue", issuer=ROOT, key_label="ica")


def tearDownModule():
    if _tmp:
        shutil.rmtree(_tmp, ignore_errors=True)


def days(n):
    return F.now + datetime.timedelta(days=n)


def ca_ext(extra="", bc="critical,CA:true", ku="critical,keyCertSign,cRLSign"):
    lines = ["subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid:always"]
    if bc:
        lines.append(f"basicConstraints = {bc}")
    if ku:
        lines.append(f"keyUsage = {ku}")
    return "\n".join(lines) + "\n" + extra


class PathCase(unittest.TestCase):
    """Signing with openssl, verifying with sealpost; one reader profile per set of anchors."""

    _readers = {}
    _count = 0

    @classmethod
    def name(cls, stem):
        PathCase._count += 1
        return f"{stem}-{PathCase._count}"

    def ee(self, issuer=None, email=ALICE, key="rsa:2048", **kw):
        ext = kw.pop("ext", None) or chainpki.leaf(email, **{k: kw.pop(k) for k in ("ku", "eku", "extra") if k in kw})
        return F.issue(self.name("ee"), f"CN={email or 'no email'},O=Sealpost catalogue", issuer=issuer or ICA,
                       key=key, ext=ext, **kw)

    def ca(self, stem, issuer=None, ext=None, subject=None, **kw):
        name = self.name(stem)
        subject = subject or f"CN={name},O=Sealpost catalogue"
        issued = F.issue(name, subject, issuer=issuer or ROOT, ext=ext or ca_ext(),
                         key_label=kw.pop("key_label", "ica"), **kw)
        issued.subject = subject
        return issued

    def signed(self, signer, chain=None, sender=ALICE, md="sha256"):
        """A multipart/signed message from `sender`, by `signer`, carrying `chain` (default ICA)."""
        chain = [ICA] if chain is None else chain
        work = Path(tempfile.mkdtemp(dir=_tmp))
        body = work / "body.txt"
        body.write_bytes(b"Content-Type: text/plain; charset=us-ascii\r\n\r\nP-case body\r\n")
        args = [OPENSSL, "cms", "-sign", "-binary", "-crlfeol", "-in", body, "-signer", signer.cert,
                "-inkey", signer.key, "-md", md, "-from", sender, "-to", "bob@example.com",
                "-subject", "path case", "-out", work / "signed.eml"]
        if chain:  # the signer's certificate is always included; these are the helpers
            bundle = work / "chain.pem"
            bundle.write_text("".join(c.pem for c in chain))
            args += ["-certfile", bundle]
        chainpki.run(args)
        return work / "signed.eml"

    def reader(self, anchors):
        key = tuple(str(a.cert) for a in anchors)
        if key not in PathCase._readers:
            PathCase._readers[key] = sealpost_cli.make_profile(tempfile.mkdtemp(dir=_tmp),
                                                               anchors=[a.cert for a in anchors])
        return PathCase._readers[key]

    def verify(self, message, anchors=None):
        result, verdict = self.reader(anchors or [ROOT]).verify(message)
        self.assertEqual(len(verdict["signatures"]), 1, result.describe())
        return result, verdict["signatures"][0]

    def assertRejected(self, signer, problem, chain=None, anchors=None, sender=ALICE, status="valid"):
        result, sig = self.verify(self.signed(signer, chain, sender), anchors)
        self.assertEqual(result.rc, NOT_GOOD, result.describe())
        self.assertEqual(sig["status"], status, result.describe())  # the signature itself, apart from the chain
        self.assertFalse(sig["trusted"], result.describe())
        self.assertIn(problem, sig["chain_problems"], result.describe())
        return sig

    def assertAccepted(self, signer, chain=None, anchors=None, sender=ALICE):
        result, sig = self.verify(self.signed(signer, chain, sender), anchors)
        self.assertEqual(result.rc, OK, result.describe())
        self.assertEqual((sig["status"], sig["trusted"], sig["chain_problems"]), ("valid", True, []),
                         result.describe())
        return sig


class P1Validity(PathCase):
    """P1: expired or not-yet-valid certificates anywhere in the chain."""

    def test_P1_expired_signer(self):
        self.assertRejected(self.ee(not_before=days(-400), not_after=days(-30)), "expired")

    def test_P1_expired_signer_valid_twin(self):
        self.assertAccepted(self.ee(not_before=days(-400), not_after=days(30)))

    def test_P1_not_yet_valid_signer(self):
        self.assertRejected(self.ee(not_before=days(10), not_after=days(400)), "not-yet-valid")

    def test_P1_expired_intermediate(self):
        ica = self.ca("expired-ica", not_before=days(-400), not_after=days(-1))
        self.assertRejected(self.ee(issuer=ica), "expired", chain=[ica])

    def test_P1_expired_intermediate_valid_twin(self):
        ica = self.ca("current-ica", not_before=days(-400), not_after=days(10))
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])

    def test_P1_expired_root(self):
        root = F.issue(self.name("expired-root"), "CN=Expired Root", ext=ca_ext(), key_label="root2",
                       not_before=days(-400), not_after=days(-1))
        ica = self.ca("under-expired-root", issuer=root)
        self.assertRejected(self.ee(issuer=ica), "expired", chain=[ica], anchors=[root])


class P2Revocation(PathCase):
    """P2: revoked by CRL, by OCSP only, and revocation unreachable; real `openssl ocsp` and
    a loopback HTTP server, as in tests/revocation."""

    @classmethod
    def setUpClass(cls):
        import test_revocation as rt  # CliCa: an `openssl ca` directory that can revoke
        cls.rt = rt
        cls.ocsp_port, cls.http_port = netutil.free_ports(2)
        cls.dir = Path(tempfile.mkdtemp(dir=_tmp))
        cls.www = cls.dir / "www"
        cls.www.mkdir()
        cls.ca = rt.CliCa(cls.dir / "ca", "P2 Revocation CA")
        aia = f"authorityInfoAccess = OCSP;URI:http://127.0.0.1:{cls.ocsp_port}/\n"
        cdp = f"crlDistributionPoints = URI:http://127.0.0.1:{cls.http_port}/ca.crl\n"
        leaf = chainpki.leaf(None, eku="emailProtection")
        signer = {}
        for who, urls in (("good", aia + cdp), ("crl", cdp), ("ocsp", aia)):
            for state in ("good", "revoked"):
                stem = f"{who}-{state}"
                cert, key = cls.ca.issue(stem, stem, leaf + urls + f"subjectAltName = email:{stem}@example.com\n")
                signer[stem] = chainpki.Issued(stem, cert, key)
                if state == "revoked":
                    cls.ca.revoke(cert, "keyCompromise")
        cls.ca.crl(cls.www / "ca.crl")
        cls.signers = signer
        cls.anchor = chainpki.Issued("p2-ca", cls.ca.cert, cls.ca.key)

    def setUp(self):
        self.servers = netutil.Servers(self.rt.ENV)

    def tearDown(self):
        self.servers.stop()

    def spawn(self, args, ready):
        """Starts a server whose output goes to a log file; waits until ready(log text)."""
        log_path = self.dir / f"server-{len(self.servers.running)}-{self.id().rsplit('.', 1)[-1]}.log"
        self.servers.start(args, log_path, ready, args[0])

    def start_ocsp(self):
        # Connecting to test readiness would use up one of -nrequest; its banner says it listens.
        ca = self.ca
        self.spawn([OPENSSL, "ocsp", "-index", ca.dir / "index.txt", "-port", self.ocsp_port, "-rsigner", ca.cert,
                    "-rkey", ca.key, "-CA", ca.cert, "-nrequest", "10"], lambda text: b"ACCEPT" in text)

    def start_http(self):
        self.spawn([self.rt.PYTHON, "-m", "http.server", "--bind", "127.0.0.1", "--directory", self.www,
                    self.http_port], lambda _: netutil.accepts(self.http_port, timeout=1))

    def check(self, stem, mode="soft-fail"):
        """(exit code, signature verdict) of `stem`'s message under revocation `mode`."""
        signer = self.signers[stem]
        message = self.signed(signer, chain=[], sender=f"{stem}@example.com")
        # A fresh profile each time: answers are cached per profile, and each case must ask.
        reader = sealpost_cli.make_profile(tempfile.mkdtemp(dir=_tmp), anchors=[self.anchor.cert])
        policy = self.dir / f"policy-{mode}.toml"
        policy.write_text(f'vault_kdf_n = 32768\nrevocation = "{mode}"\n')
        result, verdict = reader.json("--policy", policy, "verify", "--in", message)
        return result, verdict["signatures"][0]

    def assertRevoked(self, stem):
        result, sig = self.check(stem)
        self.assertEqual((result.rc, sig["revocation"], sig["trusted"]), (NOT_GOOD, "revoked", False), result.describe())
        self.assertIn("revoked", sig["chain_problems"])

    def assertGood(self, stem):
        result, sig = self.check(stem)
        self.assertEqual((result.rc, sig["revocation"], sig["trusted"]), (OK, "good", True), result.describe())

    def test_P2_revoked_by_crl(self):
        self.start_http()  # no OCSP URL in the certificate: only the CRL can tell
        self.assertRevoked("crl-revoked")

    def test_P2_revoked_by_crl_valid_twin(self):
        self.start_http()
        self.assertGood("crl-good")

    def test_P2_revoked_by_ocsp_only(self):
        self.start_ocsp()  # no CRL distribution point: only OCSP can tell
        self.assertRevoked("ocsp-revoked")

    def test_P2_revoked_by_ocsp_only_valid_twin(self):
        self.start_ocsp()
        self.assertGood("ocsp-good")

    def test_P2_revocation_unreachable_is_unknown_not_good(self):
        # Nothing listens: soft-fail keeps the signature but says "unknown", never "good".
        result, sig = self.check("good-good")
        self.assertEqual(sig["revocation"], "unknown", result.describe())
        self.assertEqual(result.rc, OK, result.describe())
        # hard-fail turns the unknown into a failure (exit 4: no responder answered).
        result, sig = self.check("good-good", mode="hard-fail")
        self.assertEqual((result.rc, sig["revocation"]), (sealpost_cli.NETWORK, "unknown"), result.describe())

    def test_P2_revocation_reachable_valid_twin(self):
        self.start_ocsp()
        self.start_http()
        result, sig = self.check("good-good", mode="hard-fail")
        self.assertEqual((result.rc, sig["revocation"]), (OK, "good"), result.describe())


class P3NonCaIntermediate(PathCase):
    """P3: an intermediate that is not a CA must not issue."""

    def test_P3_non_ca_intermediate_ca_false(self):
        ica = self.ca("ca-false", ext=ca_ext(bc="critical,CA:false"))
        self.assertRejected(self.ee(issuer=ica), "invalid-ca", chain=[ica])

    def test_P3_non_ca_intermediate_without_basic_constraints(self):
        ica = self.ca("no-bc", ext=ca_ext(bc=None))
        self.assertRejected(self.ee(issuer=ica), "invalid-ca", chain=[ica])

    def test_P3_non_ca_intermediate_without_key_cert_sign(self):
        ica = self.ca("no-certsign", ext=ca_ext(ku="critical,cRLSign,digitalSignature"))
        self.assertRejected(self.ee(issuer=ica), "invalid-ca", chain=[ica])

    def test_P3_non_ca_intermediate_valid_twin(self):
        ica = self.ca("proper-ca", ext=ca_ext())
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])


class P4PathLength(PathCase):
    """P4: pathLenConstraint 0 followed by another CA."""

    def chain(self, pathlen, self_issued=False):
        upper = self.ca("pathlen", ext=ca_ext(bc=f"critical,CA:true,pathlen:{pathlen}"))
        if self_issued:  # the same CA name, a new key: RFC 5280 does not count it
            lower = self.ca("rollover", issuer=upper, subject=upper.subject, key_label="rollover")
        else:
            lower = self.ca("below-pathlen", issuer=upper, key_label="ica2")
        return self.ee(issuer=lower), [lower, upper]

    def test_P4_pathlen_zero_followed_by_ca(self):
        ee, chain = self.chain(0)
        self.assertRejected(ee, "path-too-long", chain=chain)

    def test_P4_pathlen_zero_followed_by_ca_valid_twin(self):
        ee, chain = self.chain(1)
        self.assertAccepted(ee, chain=chain)

    def test_P4_pathlen_zero_followed_by_self_issued_ca_is_allowed(self):
        ee, chain = self.chain(0, self_issued=True)
        self.assertAccepted(ee, chain=chain)


class P5EmailNameConstraints(PathCase):
    """P5: rfc822Name constraints on the signer's addresses."""

    def constrained(self, constraint):
        return self.ca("nc", ext=ca_ext(f"nameConstraints = critical,{constraint}\n"))

    def test_P5_email_outside_permitted_domain(self):
        ica = self.constrained("permitted;email:example.com")
        self.assertRejected(self.ee(issuer=ica, email="foo@evil.com"), "name-constraints", chain=[ica],
                            sender="foo@evil.com")

    def test_P5_email_inside_permitted_domain_valid_twin(self):
        ica = self.constrained("permitted;email:example.com")
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])

    def test_P5_malformed_double_at_address(self):
        ica = self.constrained("permitted;email:example.com")
        # Not an addr-spec at all: refused as such (OpenSSL's constraint check alone let it pass).
        self.assertRejected(self.ee(issuer=ica, email="a@b@example.com"), "malformed-email-address", chain=[ica])

    def test_P5_literal_asterisk_constraint_is_not_a_wildcard(self):
        ica = self.constrained("permitted;email:*@example.com")
        self.assertRejected(self.ee(issuer=ica), "name-constraints", chain=[ica])

    def test_P5_excluded_domain(self):
        ica = self.constrained("excluded;email:evil.com")
        self.assertRejected(self.ee(issuer=ica, email="foo@evil.com"), "name-constraints", chain=[ica],
                            sender="foo@evil.com")

    def test_P5_excluded_domain_valid_twin(self):
        ica = self.constrained("excluded;email:evil.com")
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])


class P6ExtendedKeyUsage(PathCase):
    """P6: RFC 8550 §4.4.4, the signer's EKU must allow emailProtection."""

    def test_P6_server_auth_only(self):
        self.assertRejected(self.ee(eku="serverAuth"), "wrong-purpose")

    def test_P6_empty_eku(self):
        # An EKU extension with no purpose at all (DER SEQUENCE {}), which RFC 5280 forbids.
        self.assertRejected(self.ee(eku=None, extra="2.5.29.37 = DER:30:00\n"), "wrong-purpose")

    def test_P6_any_eku_accepted(self):
        self.assertAccepted(self.ee(eku="anyExtendedKeyUsage"))

    def test_P6_absent_eku_accepted(self):
        self.assertAccepted(self.ee(eku=None))

    def test_P6_email_protection_valid_twin(self):
        self.assertAccepted(self.ee(eku="emailProtection"))


class P7KeyUsage(PathCase):
    """P7: RFC 8550 §4.4.2, key usage per operation; on the send side an unfit certificate is
    'no usable certificate' (exit 1, nothing written)."""

    def test_P7_signer_with_key_encipherment_only(self):
        self.assertRejected(self.ee(ku="keyEncipherment"), "wrong-key-usage")

    def test_P7_signer_with_digital_signature_valid_twin(self):
        self.assertAccepted(self.ee(ku="digitalSignature"))

    def encrypt_to(self, recipient):
        """Runs `sealpost encrypt` to `recipient` from a sender with its own encryption identity."""
        if not hasattr(P7KeyUsage, "_sender"):
            own = self.ee(issuer=ROOT, email="sender@example.com", ku="keyEncipherment")
            P7KeyUsage._sender = sealpost_cli.make_profile(tempfile.mkdtemp(dir=_tmp), anchors=[ROOT.cert],
                                                           identities=[(own.cert, own.key, "encryption")])
        work = Path(tempfile.mkdtemp(dir=_tmp))
        (work / "m.eml").write_bytes(b"From: sender@example.com\r\nTo: alice@example.com\r\nSubject: s\r\n\r\nhi\r\n")
        out = work / "e.eml"
        result = P7KeyUsage._sender.run("encrypt", "--in", work / "m.eml", "--out", out,
                                        "--recipient-cert", recipient.cert)
        return result, out

    def test_P7_rsa_encryption_cert_with_digital_signature_only(self):
        result, out = self.encrypt_to(self.ee(issuer=ROOT, ku="digitalSignature"))
        self.assertEqual(result.rc, NOT_GOOD, result.describe())
        self.assertIn(b"wrong-key-usage", result.stderr, result.describe())
        self.assertFalse(out.exists(), "nothing may be written for an unusable recipient")

    def test_P7_ec_encryption_cert_without_key_agreement(self):
        result, out = self.encrypt_to(self.ee(issuer=ROOT, key="ec:P-256", ku="digitalSignature,keyEncipherment"))
        self.assertEqual(result.rc, NOT_GOOD, result.describe())
        self.assertIn(b"wrong-key-usage", result.stderr, result.describe())
        self.assertFalse(out.exists(), "nothing may be written for an unusable recipient")

    def test_P7_rsa_encryption_cert_valid_twin(self):
        result, out = self.encrypt_to(self.ee(issuer=ROOT, ku="keyEncipherment"))
        self.assertEqual(result.rc, OK, result.describe())
        self.assertTrue(out.exists())

    def test_P7_ec_encryption_cert_valid_twin(self):
        result, out = self.encrypt_to(self.ee(issuer=ROOT, key="ec:P-256", ku="keyAgreement"))
        self.assertEqual(result.rc, OK, result.describe())
        self.assertTrue(out.exists())


class P8CriticalExtensions(PathCase):
    """P8: unknown critical extensions, and a critical AKI (RFC 5280 §4.2.1.1: MUST be non-critical)."""

    def test_P8_unknown_critical_extension_on_signer(self):
        self.assertRejected(self.ee(extra="1.3.6.1.4.1.55555.1 = critical,DER:05:00\n"),
                            "unhandled-critical-extension")

    def test_P8_unknown_non_critical_extension_valid_twin(self):
        self.assertAccepted(self.ee(extra="1.3.6.1.4.1.55555.1 = DER:05:00\n"))

    def test_P8_critical_aki_on_intermediate(self):
        ext = ca_ext().replace("authorityKeyIdentifier = keyid:always", "authorityKeyIdentifier = critical,keyid:always")
        ica = self.ca("critical-aki", ext=ext)
        self.assertRejected(self.ee(issuer=ica), "unhandled-critical-extension", chain=[ica])

    def test_P8_non_critical_aki_valid_twin(self):
        ica = self.ca("non-critical-aki", ext=ca_ext())
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])


class P9WeakChainCrypto(PathCase):
    """P9: weak algorithms anywhere in the chain (security level 2, as the limbo OpenSSL harness)."""

    def test_P9_md5_signed_intermediate(self):
        ica = self.ca("md5-ica", md="md5")
        self.assertRejected(self.ee(issuer=ica), "weak-signature-algorithm", chain=[ica])

    def test_P9_sha1_signed_intermediate(self):
        ica = self.ca("sha1-ica", md="sha1")
        self.assertRejected(self.ee(issuer=ica), "weak-signature-algorithm", chain=[ica])

    def test_P9_sha256_signed_intermediate_valid_twin(self):
        ica = self.ca("sha256-ica", md="sha256")
        self.assertAccepted(self.ee(issuer=ica), chain=[ica])

    def test_P9_rsa_1024_signer(self):
        # The message signature is refused too (catalogue A4), and the chain names the key.
        self.assertRejected(self.ee(key="rsa:1024"), "weak-key", status="insecure-algorithm")

    def test_P9_rsa_2048_signer_valid_twin(self):
        self.assertAccepted(self.ee(key="rsa:2048"))

    def test_P9_explicit_curve_signer(self):
        self.assertRejected(self.ee(key="ec-explicit:prime256v1", ku="digitalSignature"), "explicit-curve")

    def test_P9_named_curve_signer_valid_twin(self):
        self.assertAccepted(self.ee(key="ec:P-256", ku="digitalSignature"))


if __name__ == "__main__":
    unittest.main(argv=sealpost_cli.take_binary_arg(sys.argv), verbosity=2)

# SPDX-License-Identifier: Apache-2.0
"""The real S/MIME peers of the interop suite: `openssl cms`, gpgsm and NSS cmsutil.

Each peer has the same small interface, working on whole RFC 5322 messages (bytes):
  sign_message(identity, from_, to, subject, entity, digest, opaque, pss) -> message
  encrypt_message(recipients, from_, to, subject, entity, cipher, oaep)   -> message
  verify(message)             -> Outcome(ok, content, detail)  (signature AND chain good)
  decrypt(message, identity)  -> Outcome(ok, content, detail)
What each peer can do (measured, see SUPPORT_MATRIX.md) is in its class attributes.
"""

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import interop_mime as mime


@dataclasses.dataclass
class Outcome:
    ok: bool
    content: bytes
    detail: str


def run(args, input=None, env=None, timeout=60):
    return subprocess.run([str(a) for a in args], input=input, capture_output=True, env=env,
                          timeout=timeout)


def describe(proc):
    return (f"$ {' '.join(map(str, proc.args))}\n-> exit {proc.returncode}\n"
            f"{proc.stdout.decode(errors='replace')[-1500:]}\n"
            f"{proc.stderr.decode(errors='replace')[-1500:]}")


def cms_print(der):
    """`openssl cms -cmsout -print` of DER: the neutral way to see which algorithms a
    message really uses."""
    p = run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER"], input=der)
    if p.returncode != 0:
        raise AssertionError(f"openssl cannot parse the CMS:\n{describe(p)}")
    return p.stdout.decode()


def cms_algorithms(der):
    """Algorithm names as openssl prints them: {'digest': [...], 'signature': [...],
    'content': [...], 'key': [...], 'agreement': bool}."""
    text = cms_print(der)
    pick = lambda field: re.findall(field + r": \n\s+algorithm: (\S+)", text)
    return {"digest": pick("digestAlgorithm"), "signature": pick("signatureAlgorithm"),
            "content": pick("contentEncryptionAlgorithm"),
            "key": pick("keyEncryptionAlgorithm"), "agreement": "d.kari" in text}


def cms_der(raw):
    """DER of a message: opaque signed / enveloped body, or the detached signature."""
    if mime.parse(raw).get_content_type() == "multipart/signed":
        return mime.split_signed(raw)[1]
    return mime.pkcs7_der(raw)


class _Peer:
    name = "?"
    EC_DIGEST_AT_LEAST_CURVE = False

    def __init__(self, pki, workdir):
        self.pki = pki
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._n = 0

    def _file(self, suffix, data=None):
        self._n += 1
        path = self.dir / f"{self._n:03d}{suffix}"
        if data is not None:
            path.write_bytes(data)
        return path

    def close(self):
        pass


class OpenSslPeer(_Peer):
    name = "openssl"
    SIGN_KINDS = ("sign", "rsa", "ec256", "ec384")
    DIGESTS = ("sha256", "sha384", "sha512")
    PSS_VERIFY = PSS_SIGN = True
    CIPHERS = ("aes-256-cbc", "aes-128-cbc", "aes-256-gcm", "aes-128-gcm")  # decrypts
    MAKE_CIPHERS = CIPHERS                                                    # encrypts
    OAEP = True
    ECDH = True
    DECRYPT_KINDS = ("enc", "rsa", "ec256", "ec384")

    def sign_message(self, identity, from_, to, subject, entity, digest="sha256", opaque=False,
                     pss=False, headers=True):
        out = self._file(".eml")
        args = ["openssl", "cms", "-sign", "-binary", "-in", self._file(".txt", entity),
                "-signer", identity.cert, "-inkey", identity.key,
                "-certfile", self.pki.intermediate,
                "-md", digest, "-crlfeol", "-out", out]
        if opaque:
            args.append("-nodetach")
        if pss:  # salt length = digest length, as RFC 4056 §3.1 recommends (gpgsm needs it)
            args += ["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:digest"]
        if headers:
            args += ["-from", from_, "-to", to, "-subject", subject]
        _check(run(args))
        return out.read_bytes()

    def encrypt_message(self, recipients, from_, to, subject, entity, cipher="aes-256-cbc",
                        oaep=False):
        out = self._file(".eml")
        args = ["openssl", "cms", "-encrypt", "-binary", "-in", self._file(".txt", entity),
                f"-{cipher}", "-from", from_, "-to", to, "-subject", subject, "-out", out]
        for r in recipients:
            args += ["-recip", r.cert]
            if oaep and not r.kind.startswith("ec"):
                args += ["-keyopt", "rsa_padding_mode:oaep"]
        _check(run(args))
        return out.read_bytes()

    def verify(self, raw):
        content, signer = self._file(".out"), self._file(".signer.pem")
        p = run(["openssl", "cms", "-verify", "-in", self._file(".eml", raw), "-CAfile",
                 self.pki.root, "-purpose", "smimesign", "-out", content, "-signer", signer])
        got = content.read_bytes() if p.returncode == 0 else b""
        return Outcome(p.returncode == 0, got, describe(p))

    def decrypt(self, raw, identity):
        out = self._file(".out")
        p = run(["openssl", "cms", "-decrypt", "-in", self._file(".eml", raw),
                 "-recip", identity.cert, "-inkey", identity.key, "-out", out])
        return Outcome(p.returncode == 0, out.read_bytes() if p.returncode == 0 else b"",
                       describe(p))


class GpgsmPeer(_Peer):
    """gpgsm 2.2 in a throwaway GNUPGHOME. Imports legacy (3DES) PKCS#12 files because 2.2
    cannot parse PBES2 with an HMAC-SHA-256 PRF, and only RSA keys because importing an EC
    key from PKCS#12 crashes it."""
    name = "gpgsm"
    SIGN_KINDS = ("sign", "rsa")
    DIGESTS = ("sha256", "sha384", "sha512")
    PSS_VERIFY = True               # only with salt length = digest length
    EC_DIGEST_AT_LEAST_CURVE = True  # rejects e.g. P-384 with SHA-256
    PSS_SIGN = False
    CIPHERS = MAKE_CIPHERS = ("aes-256-cbc", "aes-128-cbc")
    OAEP = False
    ECDH = False
    DECRYPT_KINDS = ("enc", "rsa")
    _CIPHER = {"aes-256-cbc": "AES256", "aes-128-cbc": "AES"}
    KEYS = [("alice", "sign"), ("alice", "rsa"), ("bob", "enc"), ("bob", "rsa")]

    def __init__(self, pki, workdir, keys=None):
        super().__init__(pki, workdir)
        # Short path: the agent's socket lives here and sun_path is only 108 bytes.
        self.home = Path(tempfile.mkdtemp(prefix="gh-", dir="/tmp"))
        (self.home / "gpgsm.conf").write_text(
            "disable-crl-checks\ndisable-trusted-cert-crl-check\ndisable-dirmngr\n"
            "no-common-certs-import\n")
        (self.home / "gpg-agent.conf").write_text("allow-loopback-pinentry\n")
        self.env = dict(os.environ, GNUPGHOME=str(self.home))
        _check(self.gpgsm("--import", pki.root, pki.intermediate))
        (self.home / "trustlist.txt").write_text(f"{sha1_fingerprint(pki.root)} S relax\n")
        for name, kind in self.KEYS if keys is None else keys:
            self._import_p12(pki, name, kind)

    def _import_p12(self, pki, name, kind):
        tries = []

        def attempt(path):
            tries.append(self.gpgsm("--import", path))
            return tries[-1].returncode == 0

        if not pki.import_legacy_p12(name, kind, attempt):
            _check(tries[-1])

    def gpgsm(self, *args):
        return run(["gpgsm", "--batch", "--status-fd", "1", "--pinentry-mode", "loopback",
                    "--passphrase-fd", "0", *args], input=b"test\n", env=self.env)

    def close(self):
        run(["gpgconf", "--kill", "all"], env=self.env)
        shutil.rmtree(self.home, ignore_errors=True)

    def sign_message(self, identity, from_, to, subject, entity, digest="sha256", opaque=False,
                     pss=False, headers=True):
        if pss:
            raise NotImplementedError("gpgsm 2.2 cannot create RSASSA-PSS signatures")
        out = self._file(".der")
        _check(self.gpgsm("--sign", *([] if opaque else ["--detach-sign"]),
                          "--local-user", sha1_fingerprint(identity.cert, colons=False),
                          "--digest-algo", digest.upper(), "--include-certs", "-2",
                          "--output", out, self._file(".txt", entity)))
        der = out.read_bytes()
        if opaque:
            return _wrap(mime.pkcs7_mime, headers, from_, to, subject, der, "signed-data")
        micalg = "sha-" + digest[3:]
        return _wrap(mime.multipart_signed, headers, from_, to, subject, entity, der, micalg)

    def encrypt_message(self, recipients, from_, to, subject, entity, cipher="aes-256-cbc",
                        oaep=False):
        if oaep:
            raise NotImplementedError("gpgsm 2.2 cannot encrypt with RSAES-OAEP")
        out = self._file(".der")
        rcpt = [a for r in recipients
                for a in ("--recipient", sha1_fingerprint(r.cert, colons=False))]
        _check(self.gpgsm("--encrypt", "--cipher-algo", self._CIPHER[cipher], *rcpt,
                          "--output", out, self._file(".txt", entity)))
        return mime.pkcs7_mime(from_, to, subject, out.read_bytes(), "enveloped-data")

    def verify(self, raw):
        if mime.parse(raw).get_content_type() == "multipart/signed":
            content, sig = mime.split_signed(raw)
            p = self.gpgsm("--verify", self._file(".p7s", sig), self._file(".txt", content))
        else:
            out = self._file(".out")
            p = self.gpgsm("--verify", "--output", out, self._file(".der", mime.pkcs7_der(raw)))
            content = out.read_bytes() if out.exists() else b""
        status = p.stdout.decode(errors="replace")
        ok = p.returncode == 0 and "[GNUPG:] GOODSIG" in status and "TRUST_FULLY" in status
        return Outcome(ok, content if ok else b"", describe(p))

    def decrypt(self, raw, identity=None):
        out = self._file(".out")
        p = self.gpgsm("--decrypt", "--output", out, self._file(".der", cms_der(raw)))
        # Judge by status, not exit code: gpgsm exits 2 after merely logging that it lacks
        # the certificate of another recipient (here: the sender's own copy).
        ok = b"[GNUPG:] DECRYPTION_OKAY" in p.stdout and b"DECRYPTION_FAILED" not in p.stdout
        return Outcome(ok, out.read_bytes() if ok else b"", describe(p))


class NssPeer(_Peer):
    """NSS cmsutil (Thunderbird's CMS engine) with a throwaway sql: database."""
    name = "nss"
    SIGN_KINDS = ("sign", "rsa", "ec256", "ec384")
    DIGESTS = ("sha256", "sha384", "sha512")
    PSS_VERIFY = True
    PSS_SIGN = False                # cmsutil has no option for it
    CIPHERS = ("aes-256-cbc", "aes-128-cbc")
    MAKE_CIPHERS = (None,)          # cmsutil chooses the cipher itself
    OAEP = False
    ECDH = False
    DECRYPT_KINDS = ("enc", "rsa")
    # alice's encryption key too: cmsutil -Y looks the preferred cert up among user certs.
    KEYS = ([("alice", k) for k in ("sign", "enc", "rsa", "ec256", "ec384")]
            + [("bob", "enc"), ("bob", "rsa")])

    def __init__(self, pki, workdir, keys=None):
        super().__init__(pki, workdir)
        self.db = "sql:" + str(self.dir / "nssdb")
        (self.dir / "nssdb").mkdir()
        _check(run(["certutil", "-N", "-d", self.db, "--empty-password"]))
        for name, kind in self.KEYS if keys is None else keys:
            _check(run(["pk12util", "-i", pki.p12(name, kind), "-d", self.db,
                        "-W", "test", "-K", ""]))
        # Trust is set on the root after the imports: a PKCS#12 brings its CA certs untrusted.
        _check(run(["certutil", "-A", "-n", "root", "-t", "C,C,C", "-i", pki.root, "-d", self.db]))

    def add_cert(self, identity):
        """Makes a recipient certificate (no key) known under nickname name-kind."""
        _check(run(["certutil", "-A", "-n", f"{identity.name}-{identity.kind}", "-t", ",,",
                    "-i", identity.cert, "-d", self.db]))

    def sign_message(self, identity, from_, to, subject, entity, digest="sha256", opaque=False,
                     pss=False, headers=True):
        if pss:
            raise NotImplementedError("cmsutil cannot create RSASSA-PSS signatures")
        out = self._file(".der")
        # Like Thunderbird, name the encryption cert in an EncryptionKeyPreference attribute;
        # cmsutil's default (the signing cert) fails for a signing-only cert.
        ekp = f"{identity.name}-{'enc' if identity.kind == 'sign' else identity.kind}"
        _check(run(["cmsutil", "-S", "-N", f"{identity.name}-{identity.kind}", "-G", "-P",
                    "-Y", ekp, "-H", digest.upper(), *([] if opaque else ["-T"]), "-i",
                    self._file(".txt", entity), "-o", out, "-d", self.db]))
        der = out.read_bytes()
        if opaque:
            return _wrap(mime.pkcs7_mime, headers, from_, to, subject, der, "signed-data")
        return _wrap(mime.multipart_signed, headers, from_, to, subject, entity, der,
                     "sha-" + digest[3:])

    def encrypt_message(self, recipients, from_, to, subject, entity, cipher=None, oaep=False):
        """cmsutil picks the cipher itself (AES-128-CBC when nothing is known of the recipient)."""
        if oaep:
            raise NotImplementedError("cmsutil cannot encrypt with RSAES-OAEP")
        out = self._file(".der")
        nicks = ",".join(f"{r.name}-{r.kind}" for r in recipients)
        _check(run(["cmsutil", "-E", "-r", nicks, "-i", self._file(".txt", entity), "-o", out,
                    "-d", self.db]))
        return mime.pkcs7_mime(from_, to, subject, out.read_bytes(), "enveloped-data")

    def verify(self, raw):
        # cmsutil exits 0 even on a bad signature: the verdict is the signer0.status line.
        if mime.parse(raw).get_content_type() == "multipart/signed":
            content, sig = mime.split_signed(raw)
            p = run(["cmsutil", "-D", "-n", "-h", "2", "-u", "4", "-i", self._file(".p7s", sig),
                     "-c", self._file(".txt", content), "-d", self.db])
        else:
            der = self._file(".der", mime.pkcs7_der(raw))
            p = run(["cmsutil", "-D", "-n", "-h", "2", "-u", "4", "-i", der, "-d", self.db])
            out = self._file(".out")
            q = run(["cmsutil", "-D", "-i", der, "-o", out, "-d", self.db])
            content = out.read_bytes() if q.returncode == 0 else b""
        statuses = re.findall(rb"signer\d+\.status=(\w+)", p.stdout)
        ok = p.returncode == 0 and statuses and all(s == b"GoodSignature" for s in statuses)
        return Outcome(bool(ok), content if ok else b"", describe(p))

    def decrypt(self, raw, identity=None):
        out = self._file(".out")
        p = run(["cmsutil", "-D", "-i", self._file(".der", cms_der(raw)), "-o", out, "-d", self.db])
        ok = p.returncode == 0
        return Outcome(ok, out.read_bytes() if ok else b"", describe(p))


def _wrap(fn, headers, from_, to, subject, *args):
    """A full message, or (headers=False) just the S/MIME entity, for nesting in an envelope."""
    raw = fn(from_, to, subject, *args)
    if headers:
        return raw
    return raw[raw.index(b"MIME-Version:"):]


def _check(proc):
    if proc.returncode != 0:
        raise AssertionError(f"peer command failed:\n{describe(proc)}")
    return proc


def sha1_fingerprint(cert, colons=True):
    p = _check(run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha1"]))
    fpr = p.stdout.decode().strip().split("=", 1)[1]
    return fpr if colons else fpr.replace(":", "")

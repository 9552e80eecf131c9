# SPDX-License-Identifier: Apache-2.0
"""Arbitrary certificate chains built with the openssl CLI at test time (never committed).

testpki.py makes one fixed demo organisation; this makes whatever a path-validation case
needs: any extensions, validity dates in the past or future, weak digests, short RSA keys,
explicit-curve EC keys.

    f = chainpki.Factory(workdir)
    root = f.issue("root", "CN=Root", ext=chainpki.CA)                 # self-signed
    ica = f.issue("ica", "CN=ICA", issuer=root, ext=chainpki.CA + "nameConstraints=permitted;email:example.com\\n")
    ee = f.issue("ee", "CN=Alice", issuer=ica, key="ec:P-256",
                 ext=chainpki.leaf("alice@example.com", ku="digitalSignature", eku="emailProtection"))
    ee.pem (text), ee.cert / ee.key (paths)

Certificates are issued by `openssl ca` (the only CLI that takes -startdate/-enddate in
OpenSSL 3.0). Keys are cached by spec, so a factory makes each kind of key once.
"""

import dataclasses
import datetime
import os
import subprocess
from pathlib import Path

OPENSSL = os.environ.get("OPENSSL", "openssl")

CA = ("basicConstraints = critical,CA:true\n"
      "keyUsage = critical,keyCertSign,cRLSign\n"
      "subjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid:always\n")


def leaf(email=None, ku="digitalSignature,nonRepudiation", eku="emailProtection", extra=""):
    """Extension lines of an S/MIME end-entity certificate; None drops a line."""
    lines = ["basicConstraints = critical,CA:false", "subjectKeyIdentifier = hash",
             "authorityKeyIdentifier = keyid:always"]
    if email is not None:
        lines.append(f"subjectAltName = email:{email}")
    if ku is not None:
        lines.append(f"keyUsage = critical,{ku}")
    if eku is not None:
        lines.append(f"extendedKeyUsage = {eku}")
    return "\n".join(lines) + "\n" + extra


_CA_CONFIG = """\
[ca]
default_ca = ca_default
[ca_default]
database = {dir}/index.txt
new_certs_dir = {dir}/issued
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = yes
[policy_any]
commonName = optional
[req]
distinguished_name = dn
[dn]
"""


@dataclasses.dataclass
class Issued:
    name: str
    cert: Path
    key: Path

    @property
    def pem(self):
        return self.cert.read_text()


def asn1_time(when: datetime.datetime) -> str:
    return when.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


def run(args, **kw):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"$ {' '.join(map(str, args))}\n{proc.stderr}")
    return proc.stdout


class Factory:
    def __init__(self, workdir):
        self.dir = Path(workdir)
        (self.dir / "issued").mkdir(parents=True, exist_ok=True)
        (self.dir / "index.txt").write_text("")
        (self.dir / "serial").write_text("01" + os.urandom(7).hex().upper() + "\n")
        self.config = self.dir / "ca.cnf"
        self.config.write_text(_CA_CONFIG.format(dir=self.dir))
        self._keys = {}
        self.now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def key(self, spec="rsa:2048", label="shared") -> Path:
        """A private key, one per (spec, label): rsa:BITS, ec:CURVE, ec-explicit:CURVE, ed25519.
        End entities may share a key; each CA should get its own label."""
        if (spec, label) in self._keys:
            return self._keys[(spec, label)]
        path = self.dir / (f"key-{label}-" + spec.replace(":", "-") + ".pem")
        kind, _, arg = spec.partition(":")
        if kind == "rsa":
            run([OPENSSL, "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{arg}", "-out", path])
        elif kind == "ec":
            run([OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{arg}", "-out", path])
        elif kind == "ec-explicit":
            run([OPENSSL, "ecparam", "-name", arg, "-param_enc", "explicit", "-genkey", "-noout", "-out", path])
        elif kind == "ed25519":
            run([OPENSSL, "genpkey", "-algorithm", "ED25519", "-out", path])
        else:
            raise ValueError(f"unknown key spec {spec}")
        self._keys[(spec, label)] = path
        return path

    def issue(self, name, subject, issuer=None, key="rsa:2048", ext=CA, md="sha256",
              not_before=None, not_after=None, key_label=None) -> Issued:
        """Issues `name` (a file stem) for `subject` ("/CN=x" or "CN=x,O=y"), signed by
        `issuer` (None: self-signed) with `ext` (extension lines) and digest `md`.
        Validity: not_before/not_after datetimes, default one day ago to a year ahead.
        key_label: own key (CAs pass their name); default the key shared by end entities."""
        key_path = self.key(key, key_label or "shared")
        csr = self.dir / f"{name}.csr"
        cert = self.dir / f"{name}.pem"
        extfile = self.dir / f"{name}.ext"
        extfile.write_text("[ext]\n" + ext)
        subj = subject if subject.startswith("/") else "/" + subject.replace(",", "/")
        run([OPENSSL, "req", "-new", "-config", self.config, "-key", key_path, "-subj", subj, "-out", csr])
        start = not_before or self.now - datetime.timedelta(days=1)
        end = not_after or self.now + datetime.timedelta(days=365)
        args = [OPENSSL, "ca", "-batch", "-notext", "-config", self.config, "-in", csr, "-out", cert,
                "-startdate", asn1_time(start), "-enddate", asn1_time(end), "-md", md,
                "-extfile", extfile, "-extensions", "ext", "-preserveDN"]
        if issuer is None:
            args += ["-selfsign", "-keyfile", key_path]
        else:
            args += ["-cert", issuer.cert, "-keyfile", issuer.key]
        run(args)
        return Issued(name, cert, key_path)

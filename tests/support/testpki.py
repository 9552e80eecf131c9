# SPDX-License-Identifier: Apache-2.0
"""Throwaway demo-organisation PKI, built with the openssl CLI at test time (never committed).

    pki = testpki.shared()            # built once per process in a temp dir
    pki.cert('alice', 'sign'), pki.key('bob', 'enc'), pki.p12('alice', 'ec256'), pki.root

CLI: python3 testpki.py OUTDIR   (writes the files and prints the manifest as JSON)

Identities (name, kind): for alice and bob: 'sign' (RSA-2048 signing only), 'enc' (RSA-2048
encryption only), 'rsa' (RSA-2048 dual), 'ec256' / 'ec384' (EC dual). Special cases:
('carol', 'expired'), ('mallory', 'untrusted') under "Evil Root", ('alice', 'weak')
RSA-1024, ('alice', 'serverauth') whose only EKU is serverAuth.
"""

import atexit
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OPENSSL = os.environ.get("OPENSSL", "openssl")
P12_PASSWORD = "test"
DOMAIN = "example.org"

CA_EXTENSIONS = """\
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""


def ca_config(ca_dir="$ENV::CADIR", crl_days=None, days=None, keep_organization=False, ca_section="ca_ext"):
    """An openssl config for `openssl req` and `openssl ca`: the CA's bookkeeping under ca_dir
    (see init_ca_dir; a crlnumber only when crl_days is given), a policy that requires a
    CN (and drops every other name part, O too unless keep_organization), and the
    extension section `ca_section` for self-signed CAs (CA_EXTENSIONS)."""
    lines = ["[req]", "distinguished_name = dn", "[dn]", "[ca]", "default_ca = ca_default", "[ca_default]",
             f"database = {ca_dir}/index.txt", f"new_certs_dir = {ca_dir}", f"serial = {ca_dir}/serial",
             "default_md = sha256", "policy = policy_any", "unique_subject = no", "copy_extensions = none"]
    if crl_days is not None:
        lines += [f"crlnumber = {ca_dir}/crlnumber", f"default_crl_days = {crl_days}"]
    if days is not None:
        lines.append(f"default_days = {days}")
    lines += ["[policy_any]", *(["organizationName = optional"] if keep_organization else []),
              "commonName = supplied", f"[{ca_section}]"]
    return "\n".join(lines) + "\n" + CA_EXTENSIONS


def init_ca_dir(ca_dir, crlnumber=None):
    """The empty database and first serial (and CRL number) `openssl ca` needs in ca_dir."""
    ca_dir = Path(ca_dir)
    ca_dir.mkdir(parents=True, exist_ok=True)
    (ca_dir / "index.txt").write_text("")
    (ca_dir / "serial").write_text("1000\n")
    if crlnumber is not None:
        (ca_dir / "crlnumber").write_text(f"{crlnumber}\n")


# `openssl ca` settings (only the expired cert needs them) and the CA extension sections.
_CONFIG = ca_config(keep_organization=True, ca_section="root") + """\
[intermediate]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

# Leaf extension sections; openssl configs have no inheritance, so each gets the common
# lines. The SAN comes per certificate through $ENV::SAN.
_LEAF_COMMON = """\
basicConstraints = critical,CA:false
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = email:$ENV::SAN
"""
_LEAF_SECTIONS = {  # section: (keyUsage, extendedKeyUsage)
    "sign": ("digitalSignature,nonRepudiation", "emailProtection"),
    "enc": ("keyEncipherment", "emailProtection"),
    "rsa_dual": ("digitalSignature,keyEncipherment", "emailProtection"),
    "ec_dual": ("digitalSignature,keyAgreement", "emailProtection"),
    "serverauth": ("digitalSignature,keyEncipherment", "serverAuth"),
}

# kind -> (key spec, extension section)
_KINDS = {
    "sign": ("rsa:2048", "sign"),
    "enc": ("rsa:2048", "enc"),
    "rsa": ("rsa:2048", "rsa_dual"),
    "ec256": ("ec:P-256", "ec_dual"),
    "ec384": ("ec:P-384", "ec_dual"),
    "weak": ("rsa:1024", "rsa_dual"),
    "serverauth": ("rsa:2048", "serverauth"),
    "expired": ("rsa:2048", "rsa_dual"),
    "untrusted": ("rsa:2048", "rsa_dual"),
}

IDENTITIES = (
    [(n, k) for n in ("alice", "bob") for k in ("sign", "enc", "rsa", "ec256", "ec384")]
    + [("alice", "weak"), ("alice", "serverauth"), ("carol", "expired"), ("mallory", "untrusted")]
)


@dataclasses.dataclass(frozen=True)
class Identity:
    name: str
    kind: str
    email: str
    cert: Path   # leaf certificate (PEM)
    key: Path    # PKCS#8 unencrypted (PEM)
    chain: Path  # leaf + issuing CA(s), up to and including the root (PEM)
    p12: Path    # key + chain, password "test", AES-256-CBC/PBKDF2, SHA-256 MAC


class Pki:
    """Paths of one generated PKI. Everything is PEM except the .p12 files."""

    def __init__(self, outdir):
        d = Path(outdir)
        self.dir = d
        self.root, self.root_key = d / "root.pem", d / "root.key"
        self.intermediate, self.intermediate_key = d / "intermediate.pem", d / "intermediate.key"
        self.evil_root, self.evil_root_key = d / "evil-root.pem", d / "evil-root.key"
        self.ca_chain = d / "ca-chain.pem"  # intermediate + root
        self.password = P12_PASSWORD
        self.identities = {}
        for name, kind in IDENTITIES:
            stem = d / f"{name}-{kind}"
            self.identities[(name, kind)] = Identity(
                name, kind, email(name), Path(f"{stem}.pem"), Path(f"{stem}.key"),
                Path(f"{stem}-chain.pem"), Path(f"{stem}.p12"))

    def identity(self, name, kind):
        return self.identities[(name, kind)]

    def cert(self, name, kind):
        return self.identities[(name, kind)].cert

    def key(self, name, kind):
        return self.identities[(name, kind)].key

    def p12(self, name, kind):
        return self.identities[(name, kind)].p12

    def chain(self, name, kind):
        return self.identities[(name, kind)].chain

    def p12_legacy(self, name, kind, fresh=False):
        """A PKCS#12 in the old SHA-1/3DES format (made on first use), for importers that
        cannot read PBES2 with an HMAC-SHA-256 PRF, e.g. gpgsm 2.2. fresh=True exports it
        again (new salts)."""
        i = self.identities[(name, kind)]
        out = self.dir / f"{name}-{kind}-legacy.p12"
        if fresh or not out.exists():
            _run(["pkcs12", "-export", "-in", i.cert, "-inkey", i.key,
                  "-certfile", self.dir / f"{name}-{kind}-cas.pem", "-name", f"{name}-{kind}",
                  "-passout", f"pass:{P12_PASSWORD}", "-keypbe", "PBE-SHA1-3DES",
                  "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-out", out])
        return out

    def import_legacy_p12(self, name, kind, try_import, attempts=4):
        """Imports the legacy PKCS#12 of name/kind with try_import(path) -> bool, exporting it
        anew (new salts) when that fails: gpgsm 2.2 rejects about one in a hundred of the files
        openssl writes, always the same file, and accepts the same key exported again (a gpgsm
        bug, not what any test is about). True once an import succeeded."""
        return any(try_import(self.p12_legacy(name, kind, fresh=attempt > 0)) for attempt in range(attempts))

    def manifest(self):
        out = {k: str(getattr(self, k)) for k in
               ("root", "root_key", "intermediate", "intermediate_key", "evil_root", "ca_chain")}
        out["password"] = self.password
        out["identities"] = {f"{n}/{k}": {f: str(v) for f, v in dataclasses.asdict(i).items()}
                             for (n, k), i in self.identities.items()}
        return out


def email(name):
    return f"{name}@{DOMAIN}"


def _run(args, env=None):
    p = subprocess.run([OPENSSL, *args], capture_output=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args))} failed:\n{p.stderr.decode()}")


def _genkey_cmd(spec, path):
    alg, param = spec.split(":")
    if alg == "rsa":
        opts = ["-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{param}"]
    else:
        opts = ["-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{param}",
                "-pkeyopt", "ec_param_enc:named_curve"]
    return [OPENSSL, "genpkey", *opts, "-out", str(path)]


def _genkeys(jobs):
    """Generates keys in parallel: RSA key generation dominates the build time."""
    procs = [subprocess.Popen(_genkey_cmd(spec, path), stderr=subprocess.PIPE)
             for spec, path in jobs]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"openssl genpkey failed: {err.decode()}")


def genkey(spec, path):
    """A new private key: spec "rsa:BITS" or "ec:CURVE"."""
    _run(_genkey_cmd(spec, path)[1:])


def self_signed(cfg, key, subject, out, ext, env=None, days=3650):
    """A self-signed certificate for key, with the extension section ext of cfg."""
    _run(["req", "-new", "-x509", "-config", cfg, "-key", key, "-sha256", "-days", str(days),
          "-subj", subject, "-extensions", ext, "-out", out], env=env)


# openssl x509/req cannot back-date in 3.0; `openssl ca` takes explicit dates.
EXPIRED_DATES = ["-startdate", "20200101000000Z", "-enddate", "20210101000000Z"]


def ca_issue(cfg, env, subject, key, csr, out, ext, ca, ca_key, dates):
    """A certificate for key issued through `openssl ca` (recorded in its database, so it
    can be revoked), with `dates` such as EXPIRED_DATES or ["-days", "365"]."""
    _run(["req", "-new", "-config", cfg, "-key", key, "-subj", subject, "-out", csr], env=env)
    _run(["ca", "-batch", "-config", cfg, "-notext", "-in", csr, "-out", out, "-cert", ca,
          "-keyfile", ca_key, *dates, "-extensions", ext], env=env)


def _issue(cfg, env, subject, key, out, ext, ca, ca_key, days=825):
    _run(["req", "-new", "-config", cfg, "-key", key, "-subj", subject, "-sha256",
          "-x509", "-CA", ca, "-CAkey", ca_key, "-days", str(days),
          "-extensions", ext, "-out", out], env=env)


def build(outdir):
    """Writes the whole PKI into outdir (created if needed) and returns its Pki."""
    pki = Pki(outdir)
    d = pki.dir
    d.mkdir(parents=True, exist_ok=True)
    text = _CONFIG + "".join(
        f"[{n}]\n{_LEAF_COMMON}keyUsage = critical,{ku}\nextendedKeyUsage = {eku}\n"
        for n, (ku, eku) in _LEAF_SECTIONS.items())
    cfg = d / "openssl.cnf"
    cfg.write_text(text)
    init_ca_dir(d / "ca")  # `openssl ca` bookkeeping
    env = dict(os.environ, CADIR=str(d / "ca"), SAN="")

    _genkeys([("rsa:3072", pki.root_key), ("rsa:3072", pki.evil_root_key),
              ("rsa:3072", pki.intermediate_key)]
             + [(_KINDS[i.kind][0], i.key) for i in pki.identities.values()])

    org = "/O=Sealpost Demo Org"
    self_signed(cfg, pki.root_key, f"{org}/CN=Sealpost Test Root", pki.root, "root", env=env)
    self_signed(cfg, pki.evil_root_key, "/O=Evil Corp/CN=Evil Root", pki.evil_root, "root", env=env)
    _issue(cfg, env, f"{org}/CN=Sealpost Test Intermediate CA", pki.intermediate_key,
           pki.intermediate, "intermediate", pki.root, pki.root_key, days=3000)
    pki.ca_chain.write_bytes(pki.intermediate.read_bytes() + pki.root.read_bytes())

    for i in pki.identities.values():
        ext = _KINDS[i.kind][1]
        subject = f"{org}/CN={i.name.capitalize()} ({i.kind})"
        env["SAN"] = i.email
        if i.kind == "expired":
            ca_issue(cfg, env, subject, i.key, d / "ca" / f"{i.name}-{i.kind}.csr", i.cert, ext,
                     pki.intermediate, pki.intermediate_key, EXPIRED_DATES)
            cas = [pki.intermediate, pki.root]
        elif i.kind == "untrusted":
            _issue(cfg, env, f"/O=Evil Corp/CN={i.name.capitalize()}", i.key, i.cert, ext,
                   pki.evil_root, pki.evil_root_key)
            cas = [pki.evil_root]
        else:
            _issue(cfg, env, subject, i.key, i.cert, ext, pki.intermediate, pki.intermediate_key)
            cas = [pki.intermediate, pki.root]
        i.chain.write_bytes(b"".join(p.read_bytes() for p in [i.cert, *cas]))
        cafile = d / f"{i.name}-{i.kind}-cas.pem"
        cafile.write_bytes(b"".join(p.read_bytes() for p in cas))
        _run(["pkcs12", "-export", "-in", i.cert, "-inkey", i.key, "-certfile", cafile,
              "-name", f"{i.name}-{i.kind}", "-passout", f"pass:{P12_PASSWORD}",
              "-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256",
              "-out", i.p12])
    (d / "manifest.json").write_text(json.dumps(pki.manifest(), indent=2))
    return pki


_shared = None


def shared():
    """One PKI per process, in a temp dir removed at exit."""
    global _shared
    if _shared is None:
        tmp = tempfile.mkdtemp(prefix="sealpost-pki-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        _shared = build(tmp)
    return _shared


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: testpki.py OUTDIR")
    print(json.dumps(build(sys.argv[1]).manifest(), indent=2))

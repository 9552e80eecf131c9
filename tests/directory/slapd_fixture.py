# SPDX-License-Identifier: Apache-2.0
"""A throwaway OpenLDAP server on loopback with an Active-Directory-like tree, for the
directory suite and the directory benchmark.

    with SlapdFixture() as ldap:        # or .start() / .stop()
        ldap.ldap_url, ldap.ldaps_url, ldap.ca_file, ldap.person("bob").fingerprints

Everything is made at start-up in a temp dir: a test CA and a server certificate for
127.0.0.1 (IP SAN only, so ldaps://localhost is a name mismatch) with the openssl CLI, a
slapd.conf (mdb, core/cosine/inetorgperson plus AD's proxyAddresses), and the tree, loaded
with ldapadd. slapd runs as an ordinary child process (`-d stats`, so it stays in the
foreground and logs every search filter to slapd.log) on two free ports, and is killed on
stop() or at exit. The system's own slapd instance is never touched.

The tree (dc=example,dc=org):
  ou=people      alice (one dual-use certificate); bob (encryption, signing-only, expired
                 and revoked certificates); carol (a certificate for another address); dave
                 (a certificate from an unrelated CA); erin (only a userSMIMECertificate
                 PKCS#7 bundle: her certificate and the CA); frank (no mail, AD-style
                 proxyAddresses SMTP:/smtp:); heidi (one good certificate and a garbage
                 userSMIMECertificate); literal-star (mail a*@example.org); literal-paren
                 (mail *)(mail=*); big (a 10 MB userSMIMECertificate); wide (a 2 MB one)
  ou=restricted  grace: anonymous reads see nothing here, cn=reader can read
  ou=services    cn=reader, with a password
  ou=bulk        10,000 people bulk-00000..bulk-09999@example.org, each also
                 everyone@bulk.example.org, all with the same certificate
  ou=elsewhere   a referral object to a port nobody should ever connect to

CLI: python3 slapd_fixture.py   (starts it, prints the URLs, waits for Ctrl-C)
"""

import atexit
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import netutil  # noqa: E402
import testpki  # noqa: E402

OPENSSL = os.environ.get("OPENSSL", "openssl")
SLAPD = os.environ.get("SLAPD", "/usr/sbin/slapd")
LDAPADD = os.environ.get("LDAPADD", "ldapadd")
SCHEMA_DIR = Path(os.environ.get("LDAP_SCHEMA_DIR", "/etc/ldap/schema"))
MODULE_DIR = Path(os.environ.get("LDAP_MODULE_DIR", "/usr/lib/ldap"))

BASE_DN = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "admin-secret-for-tests"
READER_DN = f"cn=reader,ou=services,{BASE_DN}"
READER_PASSWORD = "reader-secret-for-tests"
BULK_COUNT = 10_000
BULK_SHARED_MAIL = "everyone@bulk.example.org"
IDLE_TIMEOUT_S = 3

# Loopback never goes through a proxy (netutil), and the client tools must not pick up a
# user's ~/.ldaprc or /etc/ldap/ldap.conf.
ENV = dict(netutil.LOOPBACK_ENV, LDAPNOINIT="1")

# AD's proxyAddresses (its real OID) with an equality rule, which AD has and which the
# informational msuser.schema shipped with OpenLDAP lacks, on an auxiliary class of ours
# (under OpenLDAP's experimental arc, 1.3.6.1.4.1.4203.666).
_AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.2.210 NAME 'proxyAddresses'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( 1.3.6.1.4.1.4203.666.11.77.1 NAME 'sealpostMailRecipient'
    SUP top AUXILIARY MAY proxyAddresses )
"""

_SLAPD_CONF = """\
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {dir}/ad.schema
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath {modules}
moduleload back_mdb
# The 10 MB test attribute has to get in through ldapadd.
sockbuf_max_incoming_auth 67108864
# Idle connections are closed after a few seconds, as AD does after 15 minutes, so that
# reusing a pooled connection the server has dropped can be tested.
idletimeout {idle_timeout}
TLSCACertificateFile {dir}/pki/ca.pem
TLSCertificateFile {dir}/pki/server.pem
TLSCertificateKeyFile {dir}/pki/server.key

database mdb
maxsize 1073741824
# A throwaway database: no fsync per write (10,000 adds would otherwise take minutes).
dbnosync
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_password}
directory {dir}/db
index objectClass eq
index mail eq
index proxyAddresses eq
access to attrs=userPassword
    by anonymous auth
    by * none
access to dn.subtree="ou=restricted,{base}"
    by dn.exact="{reader_dn}" read
    by * none
access to *
    by * read
"""


def _leaf_section(name, key_usage):
    return (f"[{name}]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,{key_usage}\n"
            "extendedKeyUsage = emailProtection\nsubjectAltName = email:$ENV::SAN\n")


_CA_CONFIG = testpki.ca_config(crl_days=30) + """\
[server_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
""" + (_leaf_section("dual", "digitalSignature,keyAgreement") + _leaf_section("enc", "keyAgreement")
       + _leaf_section("sign", "digitalSignature,nonRepudiation"))


@dataclasses.dataclass
class Person:
    """One entry of the tree and what a lookup of it must return."""
    uid: str
    dn: str
    mails: list
    certs: list = dataclasses.field(default_factory=list)        # PEM paths, userCertificate
    bundle_certs: list = dataclasses.field(default_factory=list)  # leaf PEMs in the PKCS#7
    bundle_chain: list = dataclasses.field(default_factory=list)  # CA PEMs in the PKCS#7
    fingerprints: list = dataclasses.field(default_factory=list)  # expected "certificates"
    chain_fingerprints: list = dataclasses.field(default_factory=list)


def run(args, cwd=None, env=None, stdin=None):
    """Runs a command (in ENV unless told); raises with its output on failure."""
    return netutil.run(args, cwd=cwd, env=env or ENV, stdin=stdin)


def fingerprint(pem_path):
    out = run([OPENSSL, "x509", "-in", pem_path, "-noout", "-fingerprint", "-sha256"]).decode()
    return out.strip().split("=", 1)[1].replace(":", "").lower()


class TestPki:
    """The test CA (people and the server), an unrelated CA, and every certificate."""

    def __init__(self, directory, crl_url=None):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cadir = self.dir / "ca"
        testpki.init_ca_dir(self.cadir, crlnumber="1000")
        self.config = self.dir / "openssl.cnf"
        config = _CA_CONFIG
        if crl_url:
            # People's certificates name where the CA's CRL is (revocation tests serve crl.pem there).
            config = config.replace("subjectAltName = email:$ENV::SAN",
                                    f"subjectAltName = email:$ENV::SAN\ncrlDistributionPoints = URI:{crl_url}")
        self.config.write_text(config)
        self.env = dict(ENV, CADIR=str(self.cadir), SAN="")
        self.ca, self.ca_key = self.dir / "ca.pem", self.dir / "ca.key"
        self.other_ca, self.other_ca_key = self.dir / "other-ca.pem", self.dir / "other-ca.key"
        self.server, self.server_key = self.dir / "server.pem", self.dir / "server.key"
        self.crl = self.dir / "crl.pem"
        self._keygen(self.ca_key)
        self._keygen(self.other_ca_key)
        self._keygen(self.server_key)
        self._self_signed(self.ca_key, "/O=Sealpost Test/CN=Sealpost LDAP Test CA", self.ca)
        self._self_signed(self.other_ca_key, "/O=Unrelated/CN=Unrelated CA", self.other_ca)
        self._issue("server", "/CN=127.0.0.1", "server_ext", key=self.server_key, out=self.server)

    def _keygen(self, path):
        testpki.genkey("ec:P-256", path)

    def _self_signed(self, key, subject, out):
        testpki.self_signed(self.config, key, subject, out, "ca_ext", env=self.env)

    def _issue(self, name, subject, ext, key=None, out=None, san="", issuer="ca",
               start="-1d", days=365):
        """Issues a certificate with `openssl ca` (it can back-date) and returns its path."""
        key = key or self.dir / f"{name}.key"
        out = out or self.dir / f"{name}.pem"
        if not key.exists():
            self._keygen(key)
        ca, ca_key = (self.ca, self.ca_key) if issuer == "ca" else (self.other_ca, self.other_ca_key)
        dates = testpki.EXPIRED_DATES if start == "expired" else ["-days", str(days)]
        testpki.ca_issue(self.config, dict(self.env, SAN=san or "nobody@example.org"), subject, key,
                         self.cadir / f"{name}.csr", out, ext, ca, ca_key, dates)
        return out

    def person_cert(self, name, email, ext="dual", **kwargs):
        return self._issue(name, f"/O=Sealpost Test/CN={name}", ext, san=email, **kwargs)

    def revoke(self, cert):
        run([OPENSSL, "ca", "-config", self.config, "-revoke", cert, "-cert", self.ca,
             "-keyfile", self.ca_key], env=self.env)
        run([OPENSSL, "ca", "-config", self.config, "-gencrl", "-cert", self.ca,
             "-keyfile", self.ca_key, "-out", self.crl], env=self.env)

    def bundle(self, name, pems):
        """A DER PKCS#7 certs-only bundle, as published in userSMIMECertificate."""
        out = self.dir / f"{name}.p7b"
        args = [OPENSSL, "crl2pkcs7", "-nocrl", "-outform", "DER", "-out", out]
        for pem in pems:
            args += ["-certfile", pem]
        run(args, env=self.env)
        return out

    def der(self, pem):
        out = pem.with_suffix(".der")
        run([OPENSSL, "x509", "-in", pem, "-outform", "DER", "-out", out], env=self.env)
        return out


class SlapdFixture:
    """slapd on 127.0.0.1 with the test tree. See the module docstring."""

    def __init__(self, bulk_count=BULK_COUNT, crl_url=None, distinct_bulk_certs=0):
        """crl_url: put this CRL distribution point into every person's certificate.
        distinct_bulk_certs: the first N bulk people get a certificate of their own (same key,
        own subject and serial) instead of the shared one, as real recipients have."""
        self.bulk_count = bulk_count
        self.distinct_bulk_certs = distinct_bulk_certs
        self.crl_url = crl_url
        self.dir = None
        self.process = None
        self.people = {}
        self.log = None

    # --- lifecycle ---

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sealpost-slapd-"))
        atexit.register(self.stop)
        try:
            self.pki = TestPki(self.dir / "pki", crl_url=self.crl_url)
            self.ldap_port, self.ldaps_port, self.trap_port = netutil.free_ports(3)
            self._write_config()
            self._start_slapd()
            self._load_tree()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self.process:
            netutil.stop_process(self.process, timeout=10)
        self.process = None
        if self.log:
            self.log.close()
            self.log = None
        if self.dir and not os.environ.get("SEALPOST_KEEP_SLAPD_DIR"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- what tests use ---

    @property
    def ldap_url(self):
        return f"ldap://127.0.0.1:{self.ldap_port}"

    @property
    def ldaps_url(self):
        return f"ldaps://127.0.0.1:{self.ldaps_port}"

    @property
    def ca_file(self):
        return str(self.pki.ca)

    @property
    def other_ca_file(self):
        return str(self.pki.other_ca)

    def person(self, uid):
        return self.people[uid]

    def bulk_mail(self, i):
        return f"bulk-{i:05d}@example.org"

    def bulk_dn(self, i):
        return f"uid=bulk-{i:05d},ou=bulk,{BASE_DN}"

    def write_reader_password(self, path, password=READER_PASSWORD):
        Path(path).write_text(password + "\n")
        os.chmod(path, 0o600)
        return str(path)

    def log_text(self):
        """Everything slapd logged so far (-d stats: connections, binds, search filters)."""
        self.log.flush()
        return (self.dir / "slapd.log").read_text(errors="replace")

    # --- set-up ---

    def _write_config(self):
        (self.dir / "db").mkdir()
        (self.dir / "ad.schema").write_text(_AD_SCHEMA)
        (self.dir / "slapd.conf").write_text(_SLAPD_CONF.format(
            schema=SCHEMA_DIR, modules=MODULE_DIR, dir=self.dir, base=BASE_DN, root_dn=ROOT_DN,
            root_password=ROOT_PASSWORD, reader_dn=READER_DN, idle_timeout=IDLE_TIMEOUT_S))
        # slapd reads the key as whatever user it runs as; keep it private anyway.
        os.chmod(self.pki.server_key, 0o600)

    def _start_slapd(self):
        urls = f"ldap://127.0.0.1:{self.ldap_port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        self.log = open(self.dir / "slapd.log", "wb")
        self.process = subprocess.Popen(
            [SLAPD, "-h", urls, "-f", str(self.dir / "slapd.conf"), "-d", "stats"],
            stdout=self.log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
        ports = (self.ldap_port, self.ldaps_port)
        if netutil.wait_until(lambda: all(netutil.accepts(p) for p in ports), self.process, 20):
            return
        if self.process.poll() is not None:
            raise RuntimeError(f"slapd exited with {self.process.returncode}:\n{self.log_text()}")
        raise RuntimeError(f"slapd did not start listening in time:\n{self.log_text()}")

    def _ldapadd(self, ldif_path, manage_dsa_it=False):
        args = [LDAPADD, "-x", "-H", self.ldap_url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f", ldif_path]
        if manage_dsa_it:
            args.insert(1, "-M")  # add the referral object itself, not follow it
        run(args)

    def _load_tree(self):
        pki = self.pki
        people = f"ou=people,{BASE_DN}"

        def add(uid, mails, ou=people, **kwargs):
            p = Person(uid=uid, dn=f"uid={uid},{ou}", mails=mails, **kwargs)
            self.people[uid] = p
            return p

        alice = add("alice", ["alice@example.org"], certs=[pki.person_cert("alice", "alice@example.org")])
        bob_revoked = pki.person_cert("bob-revoked", "bob@example.org", ext="enc")
        pki.revoke(bob_revoked)
        add("bob", ["bob@example.org"], certs=[
            pki.person_cert("bob-enc", "bob@example.org", ext="enc"),
            pki.person_cert("bob-sign", "bob@example.org", ext="sign"),
            pki.person_cert("bob-expired", "bob@example.org", ext="enc", start="expired"),
            bob_revoked])
        add("carol", ["carol@example.org"],
            certs=[pki.person_cert("carol-wrong", "someone-else@example.org")])
        add("dave", ["dave@example.org"],
            certs=[pki.person_cert("dave-untrusted", "dave@example.org", issuer="other")])
        erin_cert = pki.person_cert("erin", "erin@example.org")
        add("erin", ["erin@example.org"], bundle_certs=[erin_cert], bundle_chain=[pki.ca])
        add("frank", [], certs=[pki.person_cert("frank", "frank@corp.example.org")])
        add("heidi", ["heidi@example.org"], certs=[pki.person_cert("heidi", "heidi@example.org")])
        add("literal-star", ["a*@example.org"])
        add("literal-paren", ["*)(mail=*"])
        add("big", ["big@example.org"])
        add("wide", ["wide@example.org"])
        add("grace", ["grace@example.org"], ou=f"ou=restricted,{BASE_DN}",
            certs=[pki.person_cert("grace", "grace@example.org")])
        bulk_cert = pki.person_cert("bulk", "bulk@example.org")
        for p in self.people.values():
            p.fingerprints = [fingerprint(c) for c in p.certs + p.bundle_certs]
            p.chain_fingerprints = [fingerprint(c) for c in p.bundle_chain]
        self.bulk_fingerprint = fingerprint(bulk_cert)

        big = self.dir / "big.bin"
        big.write_bytes(os.urandom(10 * 1000 * 1000))
        wide = self.dir / "wide.bin"
        wide.write_bytes(os.urandom(2 * 1000 * 1000))
        garbage = self.dir / "garbage.bin"
        garbage.write_bytes(b"this is not a PKCS#7 bundle")
        erin_bundle = pki.bundle("erin", [erin_cert, pki.ca])

        lines = [f"dn: {BASE_DN}", "objectClass: dcObject", "objectClass: organization", "dc: example",
                 "o: Example", ""]
        for ou in ("people", "restricted", "services", "bulk"):
            lines += [f"dn: ou={ou},{BASE_DN}", "objectClass: organizationalUnit", f"ou: {ou}", ""]
        lines += [f"dn: {READER_DN}", "objectClass: person", "objectClass: simpleSecurityObject",
                  "cn: reader", "sn: reader", f"userPassword: {READER_PASSWORD}", ""]
        extra = {
            "frank": ["proxyAddresses: SMTP:frank@corp.example.org",
                      "proxyAddresses: smtp:frank.alias@example.org",
                      "proxyAddresses: X500:/o=Example/ou=Exchange/cn=frank"],
            "heidi": [f"userSMIMECertificate:< file://{garbage}"],
            "erin": [f"userSMIMECertificate:< file://{erin_bundle}"],
            "big": [f"userSMIMECertificate:< file://{big}"],
            "wide": [f"userSMIMECertificate:< file://{wide}"],
        }
        for p in self.people.values():
            lines += [f"dn: {p.dn}", "objectClass: inetOrgPerson", "objectClass: sealpostMailRecipient",
                      f"uid: {p.uid}", f"cn: {p.uid}", f"sn: {p.uid}"]
            lines += [f"mail: {m}" for m in p.mails]
            lines += [f"userCertificate;binary:< file://{pki.der(Path(c))}" for c in p.certs]
            lines += extra.get(p.uid, []) + [""]
        ldif = self.dir / "tree.ldif"
        ldif.write_text("\n".join(lines) + "\n")
        self._ldapadd(ldif)

        referral = self.dir / "referral.ldif"
        referral.write_text(
            f"dn: ou=elsewhere,{BASE_DN}\nobjectClass: referral\nobjectClass: extensibleObject\n"
            f"ou: elsewhere\nref: ldap://127.0.0.1:{self.trap_port}/ou=elsewhere,{BASE_DN}\n")
        self._ldapadd(referral, manage_dsa_it=True)

        bulk_der = pki.der(bulk_cert)
        bulk_key = pki.dir / "bulk.key"
        bulk = self.dir / "bulk.ldif"
        with open(bulk, "w") as f:
            for i in range(self.bulk_count):
                der = bulk_der
                if i < self.distinct_bulk_certs:
                    der = pki.der(pki.person_cert(f"bulk-{i:05d}", self.bulk_mail(i), key=bulk_key))
                f.write(f"dn: {self.bulk_dn(i)}\nobjectClass: inetOrgPerson\nuid: bulk-{i:05d}\n"
                        f"cn: bulk {i}\nsn: bulk\nmail: {self.bulk_mail(i)}\nmail: {BULK_SHARED_MAIL}\n"
                        f"userCertificate;binary:< file://{der}\n\n")
        self._ldapadd(bulk)


def _main():
    # SIGTERM (and SIGINT, which a background job may ignore) end the wait; stop() runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    fixture = SlapdFixture(bulk_count=int(os.environ.get("BULK_COUNT", BULK_COUNT))).start()
    print(f"{fixture.ldap_url}  {fixture.ldaps_url}  CA {fixture.ca_file}  dir {fixture.dir}", flush=True)
    try:
        while True:
            signal.pause()
    finally:
        fixture.stop()


if __name__ == "__main__":
    _main()

# SPDX-License-Identifier: Apache-2.0
"""Revocation suite: the revocation_probe driver against a real `openssl ocsp` responder and
a loopback HTTP server serving CRLs, on a CA made with `openssl ca` at test time.

Every server is started by the test that needs it and stopped in tearDown. Ports are picked
by binding port 0 once, when the certificates (which name them) are made.

    REVOCATION_PROBE=/path/to/revocation_probe python3 test_revocation.py
"""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import netutil  # noqa: E402
import testpki  # noqa: E402

OPENSSL = os.environ.get("OPENSSL", "openssl")
PROBE = os.environ.get("REVOCATION_PROBE", "")
PYTHON = sys.executable or "/usr/bin/python3"

ENV = netutil.LOOPBACK_ENV

# Paths relative to the CA directory: every `openssl ca` here runs there.
_CA_CONFIG = testpki.ca_config(ca_dir=".", crl_days=7, days=30)


def run(args, cwd=None):
    """Runs an openssl command; raises with its output on failure."""
    return netutil.run(args, cwd=cwd, env=ENV)


class CliCa:
    """A CA directory driven by `openssl ca`, with an index.txt so it can revoke."""

    def __init__(self, directory, name, signer=None, extensions=""):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True)
        (self.dir / "ca.cnf").write_text(_CA_CONFIG)
        testpki.init_ca_dir(self.dir, crlnumber="01")
        self.cert, self.key = self.dir / "ca.pem", self.dir / "ca.key"
        if signer is None:
            run([OPENSSL, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-config", "ca.cnf",
                 "-extensions", "ca_ext", "-subj", f"/CN={name}"], cwd=self.dir)
        else:  # an intermediate: issued (and revocable) by `signer`
            cert, key = signer.issue(f"issued-{self.dir.name}", name, "basicConstraints = critical,CA:true\n"
                                     "keyUsage = critical,keyCertSign,cRLSign\n" + extensions)
            shutil.copy(cert, self.cert)
            shutil.copy(key, self.key)

    def _request(self, stem, name):
        run([OPENSSL, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-config", "ca.cnf", "-subj", f"/CN={name}"],
            cwd=self.dir)

    def issue(self, stem, name, extension_lines):
        """Issues CN=name through `openssl ca` (recorded in index.txt); returns (cert, key)."""
        self._request(stem, name)
        (self.dir / f"{stem}.ext").write_text("[leaf]\n" + extension_lines + "\n")
        run([OPENSSL, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
             "-in", f"{stem}.csr", "-out", f"{stem}.pem", "-extfile", f"{stem}.ext", "-extensions", "leaf",
             "-notext"], cwd=self.dir)
        return self.dir / f"{stem}.pem", self.dir / f"{stem}.key"

    def issue_unrecorded(self, stem, name, extension_lines):
        """Issues CN=name with `openssl x509 -req`: signed by the CA, unknown to its index."""
        self._request(stem, name)
        (self.dir / f"{stem}.ext").write_text("[leaf]\n" + extension_lines + "\n")
        run([OPENSSL, "x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", "0x7777", "-days", "30", "-extfile", f"{stem}.ext", "-extensions", "leaf",
             "-out", f"{stem}.pem"], cwd=self.dir)
        return self.dir / f"{stem}.pem"

    def revoke(self, cert, reason):
        run([OPENSSL, "ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-revoke", str(cert),
             "-crl_reason", reason], cwd=self.dir)

    def crl(self, out, *extra, pem=False):
        """Writes a CRL (DER unless pem) to `out`."""
        tmp = self.dir / "crl.tmp.pem"
        run([OPENSSL, "ca", "-gencrl", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
             *extra, "-out", str(tmp)], cwd=self.dir)
        if pem:
            shutil.copy(tmp, out)
        else:
            run([OPENSSL, "crl", "-in", str(tmp), "-outform", "DER", "-out", str(out)])


class Pki:
    """The certificates of the suite. Every URL points at 127.0.0.1 ports chosen here."""

    def __init__(self, root):
        self.root = Path(root)
        (self.ocsp_port, self.issuer_ocsp_port, self.rogue_ocsp_port, self.http_port, self.stream_port,
         self.dead_port) = netutil.free_ports(6)
        self.www = self.root / "www"
        self.www.mkdir()
        ca = self.ca = CliCa(self.root / "ca", "Revocation Test CA")

        ocsp = f"http://127.0.0.1:{self.ocsp_port}/"
        crl = f"http://127.0.0.1:{self.http_port}"
        leaf = "basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\n"

        def aia(url):
            return f"authorityInfoAccess = OCSP;URI:{url}\n"

        def cdp(path):
            return f"crlDistributionPoints = URI:{crl}/{path}\n"

        self.ocsp_signer, self.ocsp_key = ca.issue(
            "ocsp", "OCSP Responder",
            "basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\n"
            "extendedKeyUsage = OCSPSigning\n")
        self.alice, self.alice_key = ca.issue("alice", "alice", leaf + aia(ocsp) + cdp("ca.crl"))
        self.bob, _ = ca.issue("bob", "bob", leaf + aia(ocsp) + cdp("ca.crl"))
        self.carol, _ = ca.issue("carol", "carol", leaf + cdp("ca.crl"))
        self.dave, _ = ca.issue("dave", "dave", leaf + cdp("ca-pem.crl"))
        self.nobody, _ = ca.issue("nobody", "nobody", leaf)
        self.badsig, _ = ca.issue("badsig", "badsig", leaf + cdp("badsig.crl"))
        self.impostor, _ = ca.issue("impostor", "impostor", leaf + cdp("impostor.crl"))
        self.stale, _ = ca.issue("stale", "stale", leaf + cdp("stale.crl"))
        self.big, _ = ca.issue("big", "big", leaf + cdp("big.crl"))
        self.stream = ca.issue("stream", "stream",
                               leaf + f"crlDistributionPoints = URI:http://127.0.0.1:{self.stream_port}/endless\n")[0]
        self.dead = ca.issue("dead", "dead", leaf + aia(f"http://127.0.0.1:{self.dead_port}/")
                             + f"crlDistributionPoints = URI:http://127.0.0.1:{self.dead_port}/ca.crl\n")[0]
        self.rogue_target = ca.issue("rogue", "rogue", leaf + aia(f"http://127.0.0.1:{self.rogue_ocsp_port}/"))[0]
        self.direct = ca.issue("direct", "direct", leaf + aia(f"http://127.0.0.1:{self.issuer_ocsp_port}/"))[0]
        self.ghost = ca.issue_unrecorded("ghost", "ghost", leaf + aia(ocsp) + cdp("ca.crl"))
        ca.revoke(self.bob, "keyCompromise")
        ca.revoke(self.dave, "superseded")

        # A chain root -> Sub CA (revoked by the root) -> erin (good under Sub).
        self.root_ca = CliCa(self.root / "root", "Revocation Root")
        self.sub_ca = CliCa(self.root / "sub", "Revocation Sub CA", signer=self.root_ca,
                            extensions=cdp("root.crl"))
        self.erin, _ = self.sub_ca.issue("erin", "erin", leaf + cdp("sub.crl"))
        self.root_ca.revoke(self.sub_ca.cert, "cACompromise")
        self.erin_chain = self.root / "erin-chain.pem"
        self.erin_chain.write_bytes(self.erin.read_bytes() + self.sub_ca.cert.read_bytes()
                                    + self.root_ca.cert.read_bytes())

        ca.crl(self.www / "ca.crl")
        ca.crl(self.www / "ca-pem.crl", pem=True)
        self.root_ca.crl(self.www / "root.crl")
        self.sub_ca.crl(self.www / "sub.crl")
        ca.crl(self.www / "stale.crl", "-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200108000000Z")
        der = bytearray((self.www / "ca.crl").read_bytes())
        der[-3] ^= 0x01  # inside the ECDSA signature
        (self.www / "badsig.crl").write_bytes(bytes(der))
        # Same subject name, different key: only the signature check can tell.
        CliCa(self.root / "impostor-ca", "Revocation Test CA").crl(self.www / "impostor.crl")
        (self.www / "big.crl").write_bytes(os.urandom(2 << 20))


_pki = None
_tmp = None


def setUpModule():
    global _pki, _tmp
    if not PROBE or not os.access(PROBE, os.X_OK):
        raise unittest.SkipTest("set REVOCATION_PROBE to the revocation_probe binary")
    _tmp = tempfile.mkdtemp(prefix="sealpost-revocation-")
    try:
        _pki = Pki(_tmp)
    except BaseException:
        tearDownModule()  # unittest skips it when setUpModule fails
        raise


def tearDownModule():
    if _tmp:
        shutil.rmtree(_tmp, ignore_errors=True)


class _EndlessHandler(http.server.BaseHTTPRequestHandler):
    """Answers 200 with no Content-Length and streams until the client hangs up."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.end_headers()
        chunk = b"\x30" * 65536
        try:
            for _ in range(4096):  # 256 MiB at most, should the client never stop
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


class RevocationTest(unittest.TestCase):
    def setUp(self):
        self.servers = netutil.Servers(ENV)
        self.threaded_servers = []
        self.sockets = []
        self.work = Path(tempfile.mkdtemp(dir=_tmp))
        self.cache = self.work / "cache"

    def tearDown(self):
        self.stop_servers()
        for s in self.sockets:
            s.close()
        shutil.rmtree(self.work, ignore_errors=True)

    # -- servers ------------------------------------------------------------------------

    def stop_servers(self):
        self.servers.stop()
        for server, thread in self.threaded_servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self.threaded_servers = []

    def start_ocsp(self, port=None, signer=None, key=None, name="ocsp"):
        """A real `openssl ocsp` responder on the CA's index.txt (delegated signer by default)."""
        port = port or _pki.ocsp_port
        ca = _pki.ca
        # Connecting to test readiness would use up one of -nrequest; its banner says it listens.
        self.servers.start([OPENSSL, "ocsp", "-index", ca.dir / "index.txt", "-port", port,
                            "-rsigner", signer or _pki.ocsp_signer, "-rkey", key or _pki.ocsp_key,
                            "-CA", ca.cert, "-nrequest", "20"], self.work / f"{name}.log",
                           lambda log: b"ACCEPT" in log, "openssl ocsp")

    def start_http(self):
        """`python3 -m http.server` serving the CRLs from www/ on loopback."""
        self.servers.start([PYTHON, "-m", "http.server", "--bind", "127.0.0.1", "--directory", _pki.www,
                            _pki.http_port], self.work / "http.log",
                           lambda _: netutil.accepts(_pki.http_port, timeout=1), "http.server")

    def start_endless(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", _pki.stream_port), _EndlessHandler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.threaded_servers.append((server, thread))

    # -- the driver ---------------------------------------------------------------------

    def probe(self, cert, issuer=None, *extra, cache=True):
        args = [PROBE, "--cert", str(cert), "--issuer", str(issuer or _pki.ca.cert), "--timeout-ms", "3000", *extra]
        if cache:
            args += ["--cache", str(self.cache)]
        return self._run(args)

    def probe_chain(self, chain):
        return self._run([PROBE, "--chain", str(chain), "--cache", str(self.cache), "--timeout-ms", "3000"])

    def _run(self, args):
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr.decode(errors="replace"))
        if os.environ.get("REVOCATION_VERBOSE"):
            print(f"\n  {self._testMethodName}: {done.stdout.decode().strip()}", file=sys.stderr)
        return json.loads(done.stdout)

    def assertState(self, result, state, source=None):
        self.assertEqual(result["state"], state, result)
        if source is not None:
            self.assertEqual(result["source"], source, result)

    # -- answers ------------------------------------------------------------------------

    def test_good_from_ocsp(self):
        self.start_ocsp()
        result = self.probe(_pki.alice)
        self.assertState(result, "good", "ocsp")
        self.assertIn("OCSP responder", result["detail"])
        self.assertEqual(result["subject"], "CN=alice")

    def test_revoked_from_ocsp(self):
        self.start_ocsp()
        result = self.probe(_pki.bob)
        self.assertState(result, "revoked", "ocsp")
        self.assertEqual(result["reason"], "keyCompromise")
        self.assertTrue(result["revoked_at"].endswith("Z"), result)

    def test_revoked_from_crl_when_ocsp_is_down(self):
        self.start_http()
        result = self.probe(_pki.bob)
        self.assertState(result, "revoked", "crl")
        self.assertEqual(result["reason"], "keyCompromise")
        self.assertIn("/ca.crl", result["detail"])

    def test_good_and_revoked_from_der_and_pem_crls(self):
        self.start_http()
        self.assertState(self.probe(_pki.carol), "good", "crl")
        result = self.probe(_pki.dave)
        self.assertState(result, "revoked", "crl")
        self.assertEqual(result["reason"], "superseded")

    def test_issuer_signed_ocsp_answer_is_accepted(self):
        self.start_ocsp(port=_pki.issuer_ocsp_port, signer=_pki.ca.cert, key=_pki.ca.key, name="ocsp-issuer")
        self.assertState(self.probe(_pki.direct), "good", "ocsp")

    def test_ocsp_unknown_falls_through_to_the_crl(self):
        self.start_ocsp()
        self.start_http()
        result = self.probe(_pki.ghost)
        self.assertState(result, "good", "crl")

    def test_chain_reports_the_revoked_intermediate(self):
        self.start_http()
        self.assertState(self.probe(_pki.erin, _pki.sub_ca.cert), "good", "crl")
        result = self.probe_chain(_pki.erin_chain)
        self.assertState(result, "revoked", "crl")
        self.assertEqual(result["subject"], "CN=Revocation Sub CA")
        self.assertEqual(result["reason"], "cACompromise")

    # -- never "good" without a verified, current answer --------------------------------

    def test_responders_down_is_unknown_and_unreachable(self):
        started = time.monotonic()
        result = self.probe(_pki.alice)
        self.assertState(result, "unknown", "")
        self.assertTrue(result["unreachable"], result)
        self.assertTrue(result["detail"].startswith("responder unreachable: "), result)
        self.assertIn("/ca.crl", result["detail"])  # the CRL was tried too
        self.assertLess(time.monotonic() - started, 15)

    def test_hanging_responder_times_out_as_unreachable(self):
        # Listening but never accepting: connections complete, no answer ever comes.
        s = socket.socket()
        s.bind(("127.0.0.1", _pki.dead_port))
        s.listen(8)
        self.sockets.append(s)
        started = time.monotonic()
        result = self.probe(_pki.dead, None, "--timeout-ms", "500")
        self.assertState(result, "unknown")
        self.assertTrue(result["unreachable"], result)
        self.assertLess(time.monotonic() - started, 10)

    def test_certificate_without_urls_is_unknown(self):
        result = self.probe(_pki.nobody)
        self.assertState(result, "unknown", "")
        self.assertFalse(result["unreachable"])
        self.assertIn("names no http:// OCSP responder or CRL distribution point", result["detail"])

    def test_crl_with_bad_signature_is_unknown(self):
        self.start_http()
        for cert in (_pki.badsig, _pki.impostor):
            result = self.probe(cert)
            self.assertState(result, "unknown", "")
            self.assertIn("signature does not verify", result["detail"])
            self.assertFalse(result["unreachable"])

    def test_expired_crl_is_unknown(self):
        self.start_http()
        result = self.probe(_pki.stale)
        self.assertState(result, "unknown")
        self.assertIn("stale", result["detail"])

    def test_current_crl_is_unknown_past_its_next_update(self):
        self.start_http()
        result = self.probe(_pki.carol, None, "--at", time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                     time.gmtime(time.time() + 8 * 86400)))
        self.assertState(result, "unknown")
        self.assertIn("stale", result["detail"])

    def test_responder_signing_with_a_non_responder_certificate_is_not_believed(self):
        # alice's certificate is issued by the same CA but lacks id-kp-OCSPSigning.
        self.start_ocsp(port=_pki.rogue_ocsp_port, signer=_pki.alice, key=_pki.alice_key, name="ocsp-rogue")
        result = self.probe(_pki.rogue_target)
        self.assertState(result, "unknown")
        self.assertIn("not signed by the issuer or a responder it authorised", result["detail"])

    def test_oversized_responses_are_refused_and_bounded(self):
        self.start_http()
        self.start_endless()
        for cert in (_pki.big, _pki.stream):  # with and without Content-Length
            started = time.monotonic()
            result = self.probe(cert, None, "--max-bytes", "1000000")
            self.assertState(result, "unknown")
            self.assertIn("larger than 1000000 bytes", result["detail"])
            self.assertLess(time.monotonic() - started, 15)

    def test_wrong_issuer_is_unknown(self):
        self.start_ocsp()
        self.start_http()
        result = self.probe(_pki.alice, _pki.root_ca.cert)
        self.assertState(result, "unknown")

    # -- the cache ----------------------------------------------------------------------

    def test_cache_answers_with_the_servers_stopped(self):
        self.start_ocsp()
        self.start_http()
        self.assertState(self.probe(_pki.alice), "good", "ocsp")
        self.assertState(self.probe(_pki.bob), "revoked", "ocsp")
        self.assertState(self.probe(_pki.carol), "good", "crl")
        self.stop_servers()
        self.assertState(self.probe(_pki.alice), "good", "cache")
        result = self.probe(_pki.bob)
        self.assertState(result, "revoked", "cache")
        self.assertEqual(result["reason"], "keyCompromise")
        self.assertState(self.probe(_pki.carol), "good", "cache")
        for entry in self.cache.iterdir():
            self.assertEqual(entry.stat().st_mode & 0o777, 0o600, entry)
        self.assertEqual(self.cache.stat().st_mode & 0o777, 0o700)

    def test_cache_contents_are_reverified(self):
        self.start_ocsp()
        self.assertState(self.probe(_pki.alice), "good", "ocsp")
        self.assertState(self.probe(_pki.bob), "revoked", "ocsp")
        self.stop_servers()
        entries = {}
        for entry in sorted(self.cache.iterdir()):
            entries[entry] = entry.read_bytes()
        self.assertEqual(len(entries), 2)
        alice_entry = next(e for e in entries if self.probe_entry_is(e, _pki.alice, entries))
        bob_entry = next(e for e in entries if e != alice_entry)
        # bob's genuine, signed answer under alice's key: it does not cover alice's CertID.
        alice_entry.write_bytes(entries[bob_entry])
        result = self.probe(_pki.alice)
        self.assertState(result, "unknown")
        self.assertIn("cached OCSP response ignored: OCSP response does not cover the certificate", result["detail"])
        # A flipped byte in the signature: no longer verifies.
        tampered = bytearray(entries[alice_entry])
        tampered[-3] ^= 0x01
        alice_entry.write_bytes(bytes(tampered))
        self.assertState(self.probe(_pki.alice), "unknown")
        alice_entry.write_bytes(entries[alice_entry])
        self.assertState(self.probe(_pki.alice), "good", "cache")

    def probe_entry_is(self, entry, cert, entries):
        """True if `entry` is cert's: hide the others and ask the probe (servers are down)."""
        hidden = [e for e in entries if e != entry]
        for e in hidden:
            e.rename(e.with_suffix(".hidden"))
        try:
            return self.probe(cert)["source"] == "cache"
        finally:
            for e in hidden:
                e.with_suffix(".hidden").rename(e)

    def test_stale_cached_crl_is_not_used(self):
        self.start_http()
        self.assertState(self.probe(_pki.carol), "good", "crl")
        self.stop_servers()
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 8 * 86400))
        result = self.probe(_pki.carol, None, "--at", later)
        self.assertState(result, "unknown")
        self.assertTrue(result["unreachable"], result)  # it went to the network, which is down


if __name__ == "__main__":
    unittest.main(verbosity=2)

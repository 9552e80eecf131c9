# SPDX-License-Identifier: Apache-2.0
"""Directory suite: ldap_probe (LdapDirectory) against a real slapd on loopback.

One slapd (slapd_fixture.py) serves the whole module; fake servers for the failure cases
(silent, resetting, refusing StartTLS) are loopback sockets opened by the test that needs
them. Catalogue rows: L1-L3 injection, L5 cleartext bind, L6 StartTLS refusal, L7 TLS
verification, L8 empty password, L9/L10 size caps, L11 referrals.

    python3 test_ldap.py /path/to/ldap_probe     (or LDAP_PROBE=/path/to/ldap_probe)
"""

import json
import re
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import netutil  # noqa: E402
import slapd_fixture  # noqa: E402
from slapd_fixture import BASE_DN, BULK_SHARED_MAIL, ENV, READER_DN, READER_PASSWORD  # noqa: E402

PROBE = os.environ.get("LDAP_PROBE", "")
FIXTURE = None
# The probe's own timings (runs_ms) exclude process start-up; "quickly" means this.
QUICK_MS = 5000


def setUpModule():
    global FIXTURE
    if not PROBE or not os.access(PROBE, os.X_OK):
        raise unittest.SkipTest("no ldap_probe given (argument or $LDAP_PROBE)")
    FIXTURE = slapd_fixture.SlapdFixture().start()


def tearDownModule():
    if FIXTURE:
        FIXTURE.stop()


class Probe:
    """One ldap_probe run: exit code, parsed JSON, per-address results by index."""

    def __init__(self, returncode, out, err):
        self.returncode = returncode
        self.stderr = err
        self.json = json.loads(out) if out.strip() else {}
        self.results = self.json.get("results", [])
        self.create_error = self.json.get("create_error")

    def one(self):
        assert len(self.results) == 1, self.json
        return self.results[0]

    @property
    def ms(self):
        return max(self.json.get("runs_ms", [0]))


def probe(*args, addresses=(), url=None, base=BASE_DN, timeout=120):
    cmd = [PROBE, "--url", url or FIXTURE.ldap_url]
    if base is not None:
        cmd += ["--base", base]
    cmd += [str(a) for a in args]
    cmd += list(addresses)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=ENV)
    stderr = done.stderr.decode(errors="replace")
    # Sanitizer builds report through stderr (ASan's exit status 1 looks like a refused config).
    if done.returncode not in (0, 1) or "Sanitizer" in stderr or "runtime error:" in stderr:
        raise AssertionError(f"{cmd} exited {done.returncode}:\n{stderr}")
    return Probe(done.returncode, done.stdout.decode(), stderr)


def dns(result):
    return [e["dn"] for e in result["entries"]]


class FakeServer(netutil.LoopbackServer):
    """A loopback TCP server with a scripted behaviour, counting connections and keeping
    every byte clients send:
      'silent'   accept and never answer (a tarpit)
      'reset'    accept and close at once
      'no-tls'   answer the first request (StartTLS) with protocolError, then only listen
    """

    def __init__(self, behaviour, port=0):
        self.behaviour = behaviour
        self.connections = 0
        self.received = []
        self.clients = []
        super().__init__(port, backlog=16, reuse_address=True)

    @property
    def url(self):
        return f"ldap://127.0.0.1:{self.port}"

    def on_client(self, client):
        self.connections += 1
        self.clients.append(client)
        if self.behaviour == "reset":
            client.close()
        elif self.behaviour == "no-tls":
            threading.Thread(target=self._refuse_starttls, args=(client,), daemon=True).start()

    def _refuse_starttls(self, client):
        data = b""
        try:
            while len(data) < 2 or len(data) < 2 + data[1]:
                chunk = client.recv(4096)
                if not chunk:
                    return
                data += chunk
            message_id = data[4]  # 30 LL 02 01 ID: libldap's short form for small ids
            # ExtendedResponse [APPLICATION 24] { resultCode protocolError(2), "", "" }
            client.sendall(bytes([0x30, 0x0C, 0x02, 0x01, message_id, 0x78, 0x07, 0x0A, 0x01, 0x02,
                                  0x04, 0x00, 0x04, 0x00]))
            while True:
                chunk = client.recv(4096)
                if not chunk:
                    return
                self.received.append(chunk)
        except OSError:
            return

    def operations_after_refusal(self):
        """LDAP protocolOp tags the client sent after the refusal (0x42 = unbind)."""
        data, ops = b"".join(self.received), []
        while len(data) >= 2 and data[0] == 0x30 and data[1] < 0x80:
            message, data = data[2:2 + data[1]], data[2 + data[1]:]
            if len(message) > 3 and message[0] == 0x02:
                ops.append(message[2 + message[1]])
        return ops

    def close(self):
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass
        super().close()


class LdapDirectoryTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def password_file(self, password=READER_PASSWORD):
        return FIXTURE.write_reader_password(Path(self.tmp.name) / "password", password)

    def fake(self, behaviour, port=0):
        server = FakeServer(behaviour, port)
        self.addCleanup(server.close)
        return server

    def assertFound(self, result, *uids):
        self.assertTrue(result["ok"], result)
        self.assertEqual(dns(result), [FIXTURE.person(u).dn for u in uids])

    def assertFails(self, result, code, *fragments):
        self.assertFalse(result["ok"], result)
        self.assertEqual(result["code"], code, result)
        for fragment in fragments:
            self.assertIn(fragment, result["message"])

    # --- what an anonymous lookup returns ---

    def test_anonymous_lookup_returns_the_entry_and_its_certificate(self):
        result = probe(addresses=["alice@example.org"]).one()
        self.assertFound(result, "alice")
        entry = result["entries"][0]
        self.assertEqual([c["sha256"] for c in entry["certificates"]], FIXTURE.person("alice").fingerprints)
        self.assertEqual(entry["certificates"][0]["emails"], ["alice@example.org"])
        self.assertEqual(entry["problems"], [])

    def test_every_published_certificate_is_returned_unjudged(self):
        # Encryption, signing-only, expired and revoked: choosing among them is not the
        # directory's job (catalogue L12 happens above it).
        for uid in ("bob", "carol", "dave"):
            with self.subTest(uid=uid):
                result = probe(addresses=[f"{uid}@example.org"]).one()
                self.assertFound(result, uid)
                got = [c["sha256"] for c in result["entries"][0]["certificates"]]
                self.assertEqual(sorted(got), sorted(FIXTURE.person(uid).fingerprints))
        carol = probe(addresses=["carol@example.org"]).one()["entries"][0]
        self.assertEqual(carol["certificates"][0]["emails"], ["someone-else@example.org"])

    def test_smime_bundle_yields_the_certificate_and_its_ca_as_chain_only(self):
        result = probe(addresses=["erin@example.org"]).one()
        self.assertFound(result, "erin")
        entry = result["entries"][0]
        self.assertEqual([c["sha256"] for c in entry["certificates"]], FIXTURE.person("erin").fingerprints)
        self.assertEqual([c["sha256"] for c in entry["chain"]], FIXTURE.person("erin").chain_fingerprints)

    def test_unparsable_value_is_a_problem_not_an_error(self):
        result = probe(addresses=["heidi@example.org"]).one()
        self.assertFound(result, "heidi")
        entry = result["entries"][0]
        self.assertEqual([c["sha256"] for c in entry["certificates"]], FIXTURE.person("heidi").fingerprints)
        self.assertEqual(len(entry["problems"]), 1)
        self.assertIn("unparsable PKCS#7 bundle in userSMIMECertificate", entry["problems"][0])

    def test_proxy_addresses_smtp_match_finds_ad_style_entries(self):
        # SMTP: (primary) and smtp: (secondary) both match: proxyAddresses is case-insensitive.
        for address in ("frank.alias@example.org", "frank@corp.example.org", "FRANK.ALIAS@example.org"):
            with self.subTest(address=address):
                self.assertFound(probe(addresses=[address]).one(), "frank")
        self.assertFound(probe(addresses=["/o=Example/ou=Exchange/cn=frank"]).one())

    def test_unknown_address_is_an_empty_answer(self):
        self.assertFound(probe(addresses=["nobody@example.org"]).one())

    # --- L1-L3: injection ---

    def test_injection_shaped_addresses_match_only_themselves(self):
        cases = {
            "*": [],
            "a*": [],
            "*@example.org": [],
            "a*@example.org": ["literal-star"],
            "*)(mail=*": ["literal-paren"],
            "x)(|(mail=*)": [],
            "x)(objectClass=*": [],
            "bulk-0000*": [],
        }
        run = probe(addresses=list(cases))
        log = FIXTURE.log_text().lower()
        for result in run.results:
            with self.subTest(address=result["address"]):
                self.assertFound(result, *cases[result["address"]])
                # What slapd received is exactly the escaped filter (it logs \XX upper-case).
                self.assertIn(f'filter="{result["filter"].lower()}"', log)
                self.assertNotIn("=*", result["filter"])

    def test_control_characters_are_rejected_before_any_search(self):
        before = FIXTURE.log_text().count(" SRCH ")
        for raw in (b"alice@example.org\x00", b"alice\x00@example.org", b"alice@example.org\r\nx"):
            with self.subTest(address=raw):
                result = probe("--address-hex", raw.hex()).one()
                self.assertFails(result, "invalid-argument", "control character")
        self.assertEqual(FIXTURE.log_text().count(" SRCH "), before)

    # --- L5/L8: binding ---

    def test_bound_lookup_reads_the_restricted_subtree(self):
        self.assertFound(probe(addresses=["grace@example.org"]).one())  # anonymous: hidden
        for url, extra in ((FIXTURE.ldap_url, ["--starttls"]), (FIXTURE.ldaps_url, [])):
            with self.subTest(url=url):
                result = probe(*extra, "--ca-file", FIXTURE.ca_file, "--bind-dn", READER_DN,
                               "--bind-password-file", self.password_file(), url=url,
                               addresses=["grace@example.org"]).one()
                self.assertFound(result, "grace")

    def test_wrong_password_is_bad_password(self):
        for dn in (READER_DN, f"cn=nobody,ou=services,{BASE_DN}"):
            with self.subTest(dn=dn):
                result = probe("--starttls", "--ca-file", FIXTURE.ca_file, "--bind-dn", dn,
                               "--bind-password-file", self.password_file("wrong"),
                               addresses=["alice@example.org"]).one()
                self.assertFails(result, "bad-password", "refused the bind DN/password")

    def test_bind_without_tls_is_refused_before_any_connection(self):
        trap = self.fake("silent")
        run = probe("--bind-dn", READER_DN, "--bind-password-file", self.password_file(), url=trap.url,
                    addresses=["alice@example.org"])
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.create_error["code"], "policy")
        self.assertIn("without TLS", run.create_error["message"])
        time.sleep(0.2)
        self.assertEqual(trap.connections, 0)

    def test_empty_password_is_refused(self):
        run = probe("--starttls", "--ca-file", FIXTURE.ca_file, "--bind-dn", READER_DN,
                    "--bind-password-file", self.password_file(""), addresses=["alice@example.org"])
        self.assertEqual(run.create_error["code"], "policy")
        self.assertIn("unauthenticated bind", run.create_error["message"])

    # --- L6/L7: TLS ---

    def test_ldaps_and_starttls_with_the_test_ca_succeed(self):
        for url, extra in ((FIXTURE.ldaps_url, []), (FIXTURE.ldap_url, ["--starttls"])):
            with self.subTest(url=url):
                result = probe(*extra, "--ca-file", FIXTURE.ca_file, url=url, addresses=["alice@example.org"]).one()
                self.assertFound(result, "alice")

    def test_wrong_ca_fails_with_the_reason(self):
        for url, extra in ((FIXTURE.ldaps_url, []), (FIXTURE.ldap_url, ["--starttls"])):
            with self.subTest(url=url):
                result = probe(*extra, "--ca-file", FIXTURE.other_ca_file, url=url,
                               addresses=["alice@example.org"]).one()
                self.assertFails(result, "network", "cannot be reached", "TLS failed",
                                 f"does not verify against {FIXTURE.other_ca_file}")

    def test_system_store_does_not_trust_the_test_ca(self):
        result = probe(url=FIXTURE.ldaps_url, addresses=["alice@example.org"]).one()
        self.assertFails(result, "network", "TLS failed", "does not verify against")

    def test_name_mismatch_fails_with_the_reason(self):
        # The server certificate names only IP 127.0.0.1.
        ldaps = FIXTURE.ldaps_url.replace("127.0.0.1", "localhost")
        ldap = FIXTURE.ldap_url.replace("127.0.0.1", "localhost")
        for url, extra in ((ldaps, []), (ldap, ["--starttls"])):
            with self.subTest(url=url):
                result = probe(*extra, "--ca-file", FIXTURE.ca_file, url=url, addresses=["alice@example.org"]).one()
                self.assertFails(result, "network", "TLS failed", "does not name the host localhost")

    def test_refused_starttls_aborts_without_cleartext_fallback(self):
        server = self.fake("no-tls")
        result = probe("--starttls", "--ca-file", FIXTURE.ca_file, url=server.url,
                       addresses=["alice@example.org"]).one()
        self.assertFails(result, "policy", "refused StartTLS", "not continuing without TLS")
        time.sleep(0.2)
        self.assertTrue(set(server.operations_after_refusal()) <= {0x42}, server.operations_after_refusal())

    # --- unreachable servers ---

    def test_server_down_is_a_network_error(self):
        port = netutil.free_ports(1)[0]
        for url in (f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{port}"):
            with self.subTest(url=url):
                result = probe("--ca-file", FIXTURE.ca_file, url=url, addresses=["alice@example.org"]).one()
                self.assertFails(result, "network", f"the directory {url} cannot be reached")

    def test_silent_or_resetting_server_is_a_network_error_within_the_timeout(self):
        for behaviour in ("silent", "reset"):
            server = self.fake(behaviour)
            for scheme, extra in (("ldap", []), ("ldaps", []), ("ldap", ["--starttls"])):
                url = f"{scheme}://127.0.0.1:{server.port}"
                with self.subTest(behaviour=behaviour, url=url, starttls=bool(extra)):
                    run = probe(*extra, "--ca-file", FIXTURE.ca_file, "--timeout-ms", "500", url=url,
                                addresses=["alice@example.org"])
                    self.assertFails(run.one(), "network", "cannot be reached")
                    self.assertLess(run.ms, 3000)

    # --- L9/L10: bounded answers ---

    def test_ten_megabyte_attribute_is_a_limit_error_quickly(self):
        run = probe(addresses=["big@example.org"])
        self.assertFails(run.one(), "limit", "over the limit of")
        self.assertLess(run.ms, QUICK_MS)

    def test_value_over_the_per_value_cap_is_a_limit_error(self):
        run = probe(addresses=["wide@example.org"])
        self.assertFails(run.one(), "limit", "2000000-byte value in userSMIMECertificate", "1048576")
        self.assertLess(run.ms, QUICK_MS)

    def test_ten_thousand_entries_is_a_limit_error_quickly(self):
        run = probe(addresses=[BULK_SHARED_MAIL])
        self.assertFails(run.one(), "limit", "more than 100 directory entries")
        self.assertLess(run.ms, QUICK_MS)
        run = probe("--max-entries", "3", addresses=[BULK_SHARED_MAIL])
        self.assertFails(run.one(), "limit", "more than 3 directory entries")

    def test_total_bytes_cap_is_a_limit_error(self):
        sizes = [FIXTURE.pki.der(Path(p)).stat().st_size for p in FIXTURE.person("bob").certs]
        run = probe("--max-attribute-bytes", max(sizes), "--max-total-bytes", sum(sizes) - 1,
                    addresses=["bob@example.org"])
        self.assertFails(run.one(), "limit", f"over the limit of {sum(sizes) - 1} bytes")
        run = probe("--max-attribute-bytes", max(sizes), "--max-total-bytes", sum(sizes),
                    addresses=["bob@example.org"])
        self.assertFound(run.one(), "bob")

    # --- L11: referrals ---

    def test_referrals_are_not_chased(self):
        trap = self.fake("silent", port=FIXTURE.trap_port)
        # The subtree holds a referral object: slapd sends a continuation reference.
        self.assertFound(probe(addresses=["alice@example.org"]).one(), "alice")
        result = probe(base=f"ou=elsewhere,{BASE_DN}", addresses=["alice@example.org"]).one()
        self.assertFails(result, "unsupported", "referrals are not followed")
        time.sleep(0.2)
        self.assertEqual(trap.connections, 0)

    def test_missing_base_dn_is_an_invalid_argument(self):
        result = probe(base=f"ou=missing,{BASE_DN}", addresses=["alice@example.org"]).one()
        self.assertFails(result, "invalid-argument", "check ldap_base_dn")

    def test_connection_dropped_while_idle_is_replaced_not_silently_reopened(self):
        # slapd drops the pooled connection while idle. libldap would reconnect by itself,
        # in clear and unbound; the second lookup must still run over StartTLS as the reader
        # (grace is invisible to anyone else).
        run = probe("--starttls", "--ca-file", FIXTURE.ca_file, "--bind-dn", READER_DN,
                    "--bind-password-file", self.password_file(), "--repeat", "2",
                    "--pause-ms", str((slapd_fixture.IDLE_TIMEOUT_S + 2) * 1000),
                    addresses=["grace@example.org"])
        self.assertFound(run.one(), "grace")
        self.assertIn("closed (idletimeout)", FIXTURE.log_text())

    # --- LookupMany ---

    def test_lookup_many_returns_one_result_per_address_in_order(self):
        indices = [(i * 97) % FIXTURE.bulk_count for i in range(100)]
        addresses = [FIXTURE.bulk_mail(i) for i in indices]
        for mode in (["--many"], []):
            with self.subTest(mode=mode):
                run = probe(*mode, addresses=addresses)
                self.assertEqual([r["address"] for r in run.results], addresses)
                for i, result in zip(indices, run.results):
                    self.assertTrue(result["ok"], result)
                    self.assertEqual(dns(result), [FIXTURE.bulk_dn(i)])
                    self.assertEqual(result["entries"][0]["certificates"][0]["sha256"], FIXTURE.bulk_fingerprint)

    def test_lookup_many_keeps_failures_apart(self):
        run = probe("--many", "--pool-size", "3",
                    addresses=["alice@example.org", "big@example.org", "nobody@example.org", "bob@example.org",
                               BULK_SHARED_MAIL, "erin@example.org"])
        alice, big, nobody, bob, bulk, erin = run.results
        self.assertFound(alice, "alice")
        self.assertFails(big, "limit")
        self.assertFound(nobody)
        self.assertFound(bob, "bob")
        self.assertFails(bulk, "limit")
        self.assertFound(erin, "erin")

    def connections_that_searched(self, addresses):
        """slapd's connection ids (from its -d stats log) whose searches named `addresses`."""
        wanted = {f"(mail={a})" for a in addresses}
        conns = set()
        for line in FIXTURE.log_text().splitlines():
            match = re.search(r"conn=(\d+) op=\d+ SRCH base=.* filter=\"\(\|(\(mail=[^)]*\))", line)
            if match and match.group(2) in wanted:
                conns.add(match.group(1))
        return conns

    def test_lookup_many_keeps_many_searches_in_flight_per_connection(self):
        # 60 addresses: with 60 in flight they all go down one connection; with 20 in flight
        # they are shared out to three connections at most, with one in flight (no
        # pipelining) to the pool's eight at most (a worker that is done early takes the
        # next share on its own connection, so fewer is fine).
        cases = [("1", "60", 1, 1), ("8", "20", 1, 3), ("8", "1", 2, 8)]
        for n, (pool, in_flight, fewest, most) in enumerate(cases):
            with self.subTest(pool=pool, in_flight=in_flight):
                indices = [n * 60 + i for i in range(60)]
                addresses = [FIXTURE.bulk_mail(i) for i in indices]
                run = probe("--many", "--pool-size", pool, "--in-flight", in_flight, addresses=addresses)
                self.assertEqual([r["address"] for r in run.results], addresses)
                for i, result in zip(indices, run.results):
                    self.assertTrue(result["ok"], result)
                    self.assertEqual(dns(result), [FIXTURE.bulk_dn(i)])
                connections = len(self.connections_that_searched(addresses))
                self.assertGreaterEqual(connections, fewest)
                self.assertLessEqual(connections, most)

    def test_oversized_answer_in_flight_fails_only_its_own_address(self):
        # big@ draws a 10 MB message while other searches share its connection: that breaks
        # the connection, the others are asked again and only big@ fails.
        addresses = [FIXTURE.bulk_mail(i) for i in range(500, 510)] + ["big@example.org"] + \
            [FIXTURE.bulk_mail(i) for i in range(510, 520)]
        run = probe("--many", "--pool-size", "1", "--in-flight", "21", addresses=addresses)
        for result in run.results:
            if result["address"] == "big@example.org":
                self.assertFails(result, "limit", "over the limit of")
            else:
                self.assertTrue(result["ok"], result)
                self.assertEqual(len(result["entries"]), 1, result)

    def test_lookup_many_over_tls_with_a_bind(self):
        addresses = [FIXTURE.bulk_mail(i) for i in range(40)] + ["grace@example.org"]
        run = probe("--many", "--starttls", "--ca-file", FIXTURE.ca_file, "--bind-dn", READER_DN,
                    "--bind-password-file", self.password_file(), addresses=addresses)
        self.assertTrue(all(r["ok"] for r in run.results), run.results)
        self.assertFound(run.results[-1], "grace")

    def test_lookup_many_on_a_down_server_fails_every_address(self):
        port = netutil.free_ports(1)[0]
        run = probe("--many", url=f"ldap://127.0.0.1:{port}", addresses=[FIXTURE.bulk_mail(i) for i in range(30)])
        self.assertEqual(len(run.results), 30)
        for result in run.results:
            self.assertFails(result, "network", "cannot be reached", result["address"])
        self.assertLess(run.ms, QUICK_MS)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        PROBE = sys.argv.pop(1)
    unittest.main(verbosity=2)

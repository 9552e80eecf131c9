#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes Sealpost's own S/MIME path-validation cases in the x509-limbo format.

x509-limbo has no S/MIME case (no emailProtection EKU, no RFC822 peer name), so these fill
the gap: the emailProtection EKU (RFC 8550 §4.4.4), key usage per operation (§4.4.2) and
rfc822Name name constraints (RFC 5280 §4.2.1.10; catalogue P5, P6, P7). Certificates are
made with the openssl CLI at test time (tests/support/chainpki.py).

How a case says what it validates for (limbo_runner reads it so): extended_key_usage is
["emailProtection"] and key_usage names the operation, ["digitalSignature"] for signing
(RFC 8550: digitalSignature or nonRepudiation) or ["keyEncipherment"] / ["keyAgreement"]
for encryption (RFC 8550: keyEncipherment for RSA, keyAgreement for EC).

Usage: gen_smime_cases.py OUT.json [--scratch DIR]
"""
import argparse
import datetime
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import chainpki  # noqa: E402

SIGN, ENCRYPT_RSA, ENCRYPT_EC = ["digitalSignature"], ["keyEncipherment"], ["keyAgreement"]


class Cases:
    def __init__(self, factory):
        self.f = factory
        self.root = factory.issue("root", "CN=S/MIME Test Root,O=Sealpost limbo", key_label="root")
        self.ica = factory.issue("ica", "CN=S/MIME Test ICA,O=Sealpost limbo", issuer=self.root, key_label="ica")
        self.when = (factory.now.isoformat()).replace("Z", "+00:00")
        self.cases = []
        self._n = 0

    def ee(self, email="alice@example.com", key="rsa:2048", issuer=None, **leaf):
        self._n += 1
        return self.f.issue(f"ee{self._n}", f"CN=EE {self._n},O=Sealpost limbo", issuer=issuer or self.ica,
                            key=key, ext=chainpki.leaf(email, **leaf))

    def nc_ica(self, constraints):
        self._n += 1
        return self.f.issue(f"nc{self._n}", f"CN=NC ICA {self._n},O=Sealpost limbo", issuer=self.root,
                            ext=chainpki.CA + f"nameConstraints = critical,{constraints}\n", key_label="ica")

    def add(self, cid, description, expected, ee, ica=None, operation=SIGN, peer="alice@example.com"):
        self.cases.append({
            "id": f"smime::{cid}",
            "conflicts_with": [],
            "features": [],
            "importance": "high",
            "description": description,
            "validation_kind": "CLIENT",
            "trusted_certs": [self.root.pem],
            "untrusted_intermediates": [(ica or self.ica).pem],
            "peer_certificate": ee.pem,
            "peer_certificate_key": None,
            "validation_time": self.when,
            "signature_algorithms": [],
            "key_usage": operation,
            "extended_key_usage": ["emailProtection"],
            "expected_result": expected,
            "expected_peer_name": None,
            "expected_peer_names": [{"kind": "RFC822", "value": peer}] if peer else [],
            "max_chain_depth": None,
            "crls": [],
        })


def eku_cases(c):
    c.add("eku::email-protection", "EE EKU emailProtection: an S/MIME signer.", "SUCCESS",
          c.ee(eku="emailProtection"))
    c.add("eku::server-auth-only", "EE EKU serverAuth only: not for mail (RFC 8550 §4.4.4).", "FAILURE",
          c.ee(eku="serverAuth"))
    c.add("eku::any-eku", "EE EKU anyExtendedKeyUsage only: allows mail.", "SUCCESS",
          c.ee(eku="anyExtendedKeyUsage"))
    c.add("eku::absent", "EE without EKU: unrestricted (RFC 5280 §4.2.1.12).", "SUCCESS", c.ee(eku=None))
    c.add("eku::server-and-email", "EE EKU serverAuth and emailProtection.", "SUCCESS",
          c.ee(eku="serverAuth,emailProtection"))
    c.add("eku::encrypt-server-auth-only", "Encryption certificate with EKU serverAuth only.", "FAILURE",
          c.ee(ku="keyEncipherment", eku="serverAuth"), operation=ENCRYPT_RSA)
    ica = c.f.issue("ica-serverauth", "CN=TLS-only ICA,O=Sealpost limbo", issuer=c.root,
                    ext=chainpki.CA + "extendedKeyUsage = serverAuth\n", key_label="ica")
    c.add("eku::ica-server-auth-only", "ICA restricted to serverAuth by EKU above an emailProtection EE "
          "(EKU chaining, as OpenSSL and NSS apply it).", "FAILURE", c.ee(issuer=ica), ica=ica)


def key_usage_cases(c):
    c.add("ku::sign-digital-signature", "Signing with digitalSignature.", "SUCCESS", c.ee(ku="digitalSignature"))
    c.add("ku::sign-non-repudiation-only", "Signing with nonRepudiation only (RFC 8550 allows either bit).",
          "SUCCESS", c.ee(ku="nonRepudiation"))
    c.add("ku::sign-key-encipherment-only", "Signing with a keyEncipherment-only certificate.", "FAILURE",
          c.ee(ku="keyEncipherment"))
    c.add("ku::sign-absent", "Signing with no key usage extension (unrestricted).", "SUCCESS", c.ee(ku=None))
    c.add("ku::encrypt-rsa-key-encipherment", "RSA encryption with keyEncipherment.", "SUCCESS",
          c.ee(ku="keyEncipherment"), operation=ENCRYPT_RSA)
    c.add("ku::encrypt-rsa-digital-signature-only", "RSA encryption with digitalSignature only.", "FAILURE",
          c.ee(ku="digitalSignature"), operation=ENCRYPT_RSA)
    c.add("ku::encrypt-rsa-key-agreement-only", "RSA encryption with keyAgreement only (RSA does key "
          "transport, so keyEncipherment is needed).", "FAILURE", c.ee(ku="keyAgreement"), operation=ENCRYPT_RSA)
    c.add("ku::encrypt-rsa-absent", "RSA encryption with no key usage extension.", "SUCCESS",
          c.ee(ku=None), operation=ENCRYPT_RSA)
    c.add("ku::encrypt-ec-key-agreement", "EC (ECDH) encryption with keyAgreement.", "SUCCESS",
          c.ee(key="ec:P-256", ku="keyAgreement"), operation=ENCRYPT_EC)
    c.add("ku::encrypt-ec-key-encipherment-only", "EC encryption with keyEncipherment only (ECDH needs "
          "keyAgreement).", "FAILURE", c.ee(key="ec:P-256", ku="keyEncipherment"), operation=ENCRYPT_EC)
    c.add("ku::encrypt-ec-digital-signature-only", "EC encryption with digitalSignature only.", "FAILURE",
          c.ee(key="ec:P-256", ku="digitalSignature"), operation=ENCRYPT_EC)
    c.add("ku::sign-ec-digital-signature", "EC signing with digitalSignature.", "SUCCESS",
          c.ee(key="ec:P-256", ku="digitalSignature"))


def name_constraint_cases(c):
    host = c.nc_ica("permitted;email:example.com")
    c.add("nc::permitted-host-match", "ICA permits the host example.com; EE alice@example.com.", "SUCCESS",
          c.ee(issuer=host), ica=host)
    c.add("nc::permitted-host-other-domain", "ICA permits example.com; EE foo@evil.com.", "FAILURE",
          c.ee("foo@evil.com", issuer=host), ica=host, peer="foo@evil.com")
    c.add("nc::permitted-host-not-subdomain", "ICA permits the host example.com; EE at sub.example.com "
          "(a host constraint does not cover subdomains).", "FAILURE",
          c.ee("alice@sub.example.com", issuer=host), ica=host, peer="alice@sub.example.com")
    c.add("nc::permitted-malformed-double-at", "ICA permits example.com; EE SAN a@b@example.com is not an "
          "addr-spec and must not pass as one at example.com.", "FAILURE",
          c.ee("a@b@example.com", issuer=host), ica=host, peer=None)
    c.add("nc::permitted-subject-email-outside", "ICA permits example.com; EE without SAN whose subject "
          "emailAddress is foo@evil.com (RFC 5280 applies rfc822 constraints to it).", "FAILURE",
          c.f.issue("ee-dn-email", "CN=Legacy,emailAddress=foo@evil.com", issuer=host,
                    ext=chainpki.leaf(None)), ica=host, peer=None)
    domain = c.nc_ica("permitted;email:.example.com")
    c.add("nc::permitted-domain-subdomain", "ICA permits .example.com; EE alice@sub.example.com.", "SUCCESS",
          c.ee("alice@sub.example.com", issuer=domain), ica=domain, peer="alice@sub.example.com")
    c.add("nc::permitted-domain-not-host", "ICA permits .example.com; EE alice@example.com (the host "
          "itself is outside a domain constraint).", "FAILURE", c.ee(issuer=domain), ica=domain)
    mailbox = c.nc_ica("permitted;email:alice@example.com")
    c.add("nc::permitted-mailbox-match", "ICA permits the mailbox alice@example.com.", "SUCCESS",
          c.ee(issuer=mailbox), ica=mailbox)
    c.add("nc::permitted-mailbox-other-user", "ICA permits the mailbox alice@example.com; EE bob@example.com.",
          "FAILURE", c.ee("bob@example.com", issuer=mailbox), ica=mailbox, peer="bob@example.com")
    star = c.nc_ica("permitted;email:*@example.com")
    c.add("nc::permitted-literal-asterisk-rejects-user", "ICA permits the literal mailbox *@example.com "
          "(no wildcards in rfc822 constraints); EE alice@example.com.", "FAILURE",
          c.ee(issuer=star), ica=star)
    c.add("nc::permitted-literal-asterisk-exact", "ICA permits the literal mailbox *@example.com; EE "
          "*@example.com.", "SUCCESS", c.ee("*@example.com", issuer=star), ica=star, peer="*@example.com")
    excluded = c.nc_ica("excluded;email:evil.com")
    c.add("nc::excluded-host-match", "ICA excludes evil.com; EE foo@evil.com.", "FAILURE",
          c.ee("foo@evil.com", issuer=excluded), ica=excluded, peer="foo@evil.com")
    c.add("nc::excluded-host-other", "ICA excludes evil.com; EE alice@example.com.", "SUCCESS",
          c.ee(issuer=excluded), ica=excluded)
    c.add("nc::excluded-host-case", "ICA excludes evil.com; EE foo@EVIL.COM (domains compare "
          "case-insensitively).", "FAILURE", c.ee("foo@EVIL.COM", issuer=excluded), ica=excluded,
          peer="foo@EVIL.COM")
    c.add("nc::excluded-mixed-san", "ICA excludes evil.com; EE carries alice@example.com and foo@evil.com "
          "(every SAN is checked).", "FAILURE", c.ee("alice@example.com,email:foo@evil.com", issuer=excluded),
          ica=excluded)


def peer_name_cases(c):
    c.add("name::match", "EE alice@example.com; the From address is alice@example.com.", "SUCCESS", c.ee())
    c.add("name::other-user", "EE alice@example.com; the From address is bob@example.com.", "FAILURE",
          c.ee(), peer="bob@example.com")
    c.add("name::domain-case", "EE alice@example.com; From alice@EXAMPLE.com (domain case-insensitive).",
          "SUCCESS", c.ee(), peer="alice@EXAMPLE.com")


def expiry_cases(c):
    past = c.f.now - datetime.timedelta(days=30)
    c.add("validity::expired-ee", "EE expired a month ago.", "FAILURE",
          c.f.issue("ee-expired", "CN=Expired", issuer=c.ica, ext=chainpki.leaf("alice@example.com"),
                    not_before=past - datetime.timedelta(days=365), not_after=past))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scratch", type=Path)
    args = ap.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="smime-limbo-"))
    c = Cases(chainpki.Factory(scratch))
    for group in (eku_cases, key_usage_cases, name_constraint_cases, peer_name_cases, expiry_cases):
        group(c)
    args.out.write_text(json.dumps({"version": 1, "testcases": c.cases}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

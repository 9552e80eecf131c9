# SPDX-License-Identifier: Apache-2.0
"""Byte-exact MIME helpers for the interop suite: build test messages, wrap raw CMS from
gpgsm/NSS into S/MIME messages, and take S/MIME messages apart for tools that only speak CMS."""

import base64
import email
import email.policy
import re

CRLF = b"\r\n"

# A body with traps for careless canonicalisation: a line starting with "From " (mbox
# escaping) and the "-- " signature separator with its trailing space.
BODY = ("Hello Bob,\r\n\r\nthis is the Sealpost interop test ({tag}).\r\n"
        "From here on, every byte counts.\r\n-- \r\nAlice\r\n")


def body_text(tag):
    return BODY.format(tag=tag)


def _headers(from_, to, subject):
    return (f"From: {from_}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\n"
            f"Message-ID: <{re.sub(r'[^A-Za-z0-9]', '.', subject)}@example.org>\r\n"
            "MIME-Version: 1.0\r\n").encode()


def text_entity(body):
    """The inner MIME entity (headers + body) that gets signed or encrypted."""
    return (b"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            + body.encode())


ATTACHMENT = bytes(range(256)) * 4


def mixed_entity(body):
    """multipart/mixed: the text plus a base64 attachment, as mail clients send it. Nested
    boundaries inside the signed part are where re-serialising implementations slip."""
    b = "=_inner_mixed"
    attachment = _b64(ATTACHMENT)
    return (f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n'
            f"--{b}\r\n").encode() + text_entity(body) + (
            f"\r\n--{b}\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=data.bin\r\n\r\n").encode() + attachment + (
            f"\r\n--{b}--\r\n").encode()


def plain_message(from_, to, subject, body, entity=text_entity):
    """A complete unprotected RFC 5322 message with CRLF line endings."""
    return _headers(from_, to, subject) + entity(body)


def _b64(der):
    text = base64.b64encode(der)
    return CRLF.join(text[i:i + 76] for i in range(0, len(text), 76)) + CRLF


def multipart_signed(from_, to, subject, entity, sig_der, micalg="sha-256"):
    """RFC 8551 §3.5.3 detached signature around entity, which must already be canonical."""
    b = "=_sealpost_interop_boundary"
    return (_headers(from_, to, subject)
            + (f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
               f'micalg={micalg}; boundary="{b}"\r\n\r\n'
               f"This is an S/MIME signed message\r\n\r\n--{b}\r\n").encode()
            + entity
            + (f"\r\n--{b}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n").encode()
            + _b64(sig_der) + f"\r\n--{b}--\r\n".encode())


def pkcs7_mime(from_, to, subject, der, smime_type):
    """application/pkcs7-mime message (signed-data, enveloped-data or authEnveloped-data)."""
    return (_headers(from_, to, subject)
            + (f"Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n").encode()
            + _b64(der))


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def split_signed(raw):
    """(exact signed bytes, signature DER) of a multipart/signed message.

    The signed bytes are taken from the raw stream between the first two boundary
    delimiters, never from a re-serialised parse tree (RFC 1847 §2.1)."""
    msg = parse(raw)
    if msg.get_content_type() != "multipart/signed":
        raise ValueError(f"not multipart/signed: {msg.get_content_type()}")
    delim = b"--" + msg.get_boundary().encode()
    start = re.search(rb"(?:^|\n)" + re.escape(delim) + rb"[ \t]*\r?\n", raw)
    end = start and re.search(rb"\r?\n" + re.escape(delim), raw[start.end():])
    if not end:
        raise ValueError("multipart/signed boundaries not found")
    content = raw[start.end():start.end() + end.start()]
    sig = msg.get_payload()[1].get_payload(decode=True)
    return content, sig


def pkcs7_der(raw):
    """The DER of an application/pkcs7-mime message's (base64) body."""
    msg = parse(raw)
    if msg.get_content_type() not in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        raise ValueError(f"not application/pkcs7-mime: {msg.get_content_type()}")
    return msg.get_payload(decode=True)


def smime_type(raw):
    return (parse(raw).get_param("smime-type") or "").lower()


def first_text(raw):
    """Decoded text of the first text/plain leaf of a MIME entity, with LF line endings."""
    for part in parse(raw).walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            data = part.get_payload(decode=True) or b""
            return data.decode(part.get_content_charset() or "us-ascii").replace("\r\n", "\n")
    raise ValueError("no text/plain part")


def attachment(raw):
    """Decoded bytes of the first application/octet-stream leaf, or None."""
    for part in parse(raw).walk():
        if part.get_content_type() == "application/octet-stream":
            return part.get_payload(decode=True)
    return None


def same_text(got, want):
    """Compare bodies ignoring only line-ending style and a trailing newline."""
    norm = lambda s: s.replace("\r\n", "\n").rstrip("\n")
    return norm(got) == norm(want)


def flip_ciphertext_byte(der, from_end=40):
    """Tampered twin of an encrypted message: the encrypted content ends the DER, followed
    only by the 16-byte GCM tag (and its header) if any, so this lands in the ciphertext."""
    i = len(der) - from_end
    return der[:i] + bytes([der[i] ^ 0x01]) + der[i + 1:]


def flip_signed_body_byte(raw, needle=b"interop test"):
    """Tampered twin: change one byte of the body text (inside the signed content)."""
    i = raw.index(needle)
    return raw[:i] + b"I" + raw[i + 1:]


def to_lf(raw):
    return raw.replace(b"\r\n", b"\n")

# SPDX-License-Identifier: Apache-2.0
"""The few DER primitives the suites build their own walkers and editors on (X.690):
length octets, TLVs with one-byte tags, and OBJECT IDENTIFIER contents.

    der.tlv(0x30, der.tlv(0x06, der.oid_content("1.2.840.113549.1.7.1")))
    tag, content, end = der.read_tlv(data)
"""


def length_octets(n):
    """The definite-length octets for a content of n bytes (short form below 128)."""
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    """One TLV with a one-byte tag."""
    return bytes([tag]) + length_octets(len(content)) + content


def read_length(data, i):
    """(content length, index of the first content byte) for the length octets at data[i];
    ValueError for the indefinite form, which DER forbids."""
    n = data[i]
    i += 1
    if n == 0x80:
        raise ValueError("indefinite length: not DER")
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[i:i + k], "big")
        i += k
    return n, i


def read_tlv(data, i=0):
    """(tag, content, end) of the TLV at data[i] (one-byte tags)."""
    tag = data[i]
    n, j = read_length(data, i + 1)
    return tag, data[j:j + n], j + n


def children(content):
    """[(tag, content)] of the TLVs that make up a constructed value's content."""
    out, i = [], 0
    while i < len(content):
        tag, c, i = read_tlv(content, i)
        out.append((tag, c))
    return out


def oid_content(dotted):
    """The content octets of the OBJECT IDENTIFIER `dotted` (base-128 arcs, the first two
    folded into one)."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for a in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid_text(content):
    """The dotted form of OBJECT IDENTIFIER content octets."""
    arcs, v = [], 0
    for x in content:
        v = (v << 7) | (x & 0x7F)
        if not x & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))

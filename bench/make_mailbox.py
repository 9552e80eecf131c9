#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a Maildir of N signed 4 KiB messages (multipart/signed, RSA-2048 signer under the
test PKI's intermediate, so verification builds a chain to the root), made with `openssl
cms -sign` (the signer is not the thing measured), N processes on all cores.

    python3 bench/make_mailbox.py PKI_DIR OUT_MAILDIR [N] [SIGNER_KIND]
PKI_DIR is a tests/support/testpki.py output folder.
"""

import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

SIZE = 4096


def entity(i):
    """A text/plain MIME entity of about SIZE bytes, different for each message."""
    head = "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
    line = f"Message {i:06d}: the quarterly numbers, line after line of ordinary text.\r\n"
    body = (line * (SIZE // len(line) + 1))[: SIZE - len(head)]
    return (head + body).encode()


def sign_one(args):
    pki, out, i, kind = args
    cert, key, cas = (pki / f"alice-{kind}.pem", pki / f"alice-{kind}.key", pki / f"alice-{kind}-cas.pem")
    proc = subprocess.run(
        ["openssl", "cms", "-sign", "-signer", cert, "-inkey", key, "-certfile", cas, "-binary",
         "-from", "Alice <alice@example.org>", "-to", "bob@example.org",
         "-subject", f"Numbers {i}", "-md", "sha256"],
        input=entity(i), capture_output=True, check=True)
    # Maildir names: unique, sortable; the ":2,S" flag suffix as a mail client leaves it.
    (out / "cur" / f"{1700000000 + i}.{i:06d}.bench:2,S").write_bytes(proc.stdout)


def main():
    pki, out = Path(sys.argv[1]), Path(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    kind = sys.argv[4] if len(sys.argv) > 4 else "sign"
    for sub in ("cur", "new", "tmp"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(sign_one, [(pki, out, i, kind) for i in range(n)]))


if __name__ == "__main__":
    main()

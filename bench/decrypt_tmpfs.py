#!/usr/bin/env python3
"""RSA decryption of one big message, Sealpost against gpgsm, every file on tmpfs.

    python3 bench/decrypt_tmpfs.py [SIZE_MIB] [SEALPOST] [keep]   (default: 1024, build/src/cli/sealpost)

The 1 GiB rows of compare.sh run on disk (all of them at once would not fit in RAM on
tmpfs, NSS alone takes 10 GB to encrypt 1 GiB), where Sealpost's fsync is timed and the
peers' writeback is not. This runs only the decryption, with compare.py's keys and inputs,
in /dev/shm, three alternating runs each, and prints the medians. With `keep`, the work
folder (keys, profiles, the two encrypted messages) stays for runs by hand.
"""
import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("compare", HERE / "compare.py")
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def main():
    size_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    sealpost = Path(sys.argv[2] if len(sys.argv) > 2 else HERE.parent / "build" / "src" / "cli" / "sealpost").resolve()
    work = Path(tempfile.mkdtemp(prefix="sealpost-dec-", dir="/dev/shm"))
    s = compare.Setup(work, sealpost)
    try:
        d = compare.make_inputs(work, size_mib * compare.MIB)
        bob = s.pki.cert("bob", "rsa")
        compare.run(s.sp_args("alice-rsa", "encrypt", "--in", d / "message.eml", "--out", d / "sp.enc",
                              "--recipient-cert", bob), env=s.env)
        s.gpgsm("--yes", "--encrypt", "--cipher-algo", "AES256", "--recipient",
                compare.sha1_fingerprint(bob, colons=False), "--output", d / "g.enc", d / "data.bin")
        for name in ("message.eml", "entity.txt", "data.bin"):
            (d / name).unlink()  # room for the outputs
        runs = {"sealpost": [], "gpgsm": []}
        for _ in range(3):
            runs["sealpost"].append(compare.timed(s.sp_args("bob-rsa", "decrypt", "--in", d / "sp.enc", "--out", d / "sp.dec"), s.env))
            runs["gpgsm"].append(compare.timed(s.gpgsm_args("--yes", "--decrypt", "--output", d / "g.dec", d / "g.enc"),
                                               s.genv, b"test\n"))
        medians = {}
        for name, r in runs.items():
            medians[name] = statistics.median(t for t, _ in r)
            print(f"{name}: " + ", ".join(f"{size_mib / t:.1f} MiB/s at {rss:.0f} MB" for t, rss in r))
        print(f"median {size_mib / medians['sealpost']:.1f} against {size_mib / medians['gpgsm']:.1f} MiB/s: "
              f"{medians['gpgsm'] / medians['sealpost']:.2f}x gpgsm")
    finally:
        s.close()
        if len(sys.argv) <= 3:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

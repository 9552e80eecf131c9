#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Kills a vault writer (vault_torture run) with SIGKILL at random points, then checks that
the vault opens with the old or the new passphrase and every committed item decrypts.

Usage: kill_safety.py <path to vault_torture>
Environment: SEALPOST_VAULT_KILLS (default 30), SEALPOST_VAULT_SEED (to replay a run),
SEALPOST_VAULT_KILL_MAX_MS (shortest upper bound on the wait before a kill, default 300).
"""

import os
import random
import subprocess
import sys
import tempfile
import time


def main() -> int:
    tool = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SEALPOST_VAULT_TORTURE", "")
    if not tool:
        print("usage: kill_safety.py <vault_torture>", file=sys.stderr)
        return 64
    kills = int(os.environ.get("SEALPOST_VAULT_KILLS", "30"))
    max_delay = int(os.environ.get("SEALPOST_VAULT_KILL_MAX_MS", "300")) / 1000.0
    seed = int(os.environ.get("SEALPOST_VAULT_SEED", str(random.SystemRandom().randrange(2**32))))
    rng = random.Random(seed)
    print(f"kill_safety: {kills} kills, seed {seed} (set SEALPOST_VAULT_SEED to replay)", flush=True)

    with tempfile.TemporaryDirectory(prefix="sealpost-kill-") as work:
        vault = os.path.join(work, "profile", "vault.db")
        expected_file = os.path.join(work, "expected.txt")
        subprocess.run([tool, "create", vault], check=True)
        generation = 0
        committed = {}  # item id -> payload seed
        rekeys = 0
        unlock_time = 0.0
        for kill in range(kills):
            proc = subprocess.Popen([tool, "run", vault, str(generation), f"k{kill}"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            lines = []
            started = time.monotonic()
            # Most kills land in the write loop; one in ten may land during Open.
            if rng.random() >= 0.1:
                first = proc.stdout.readline()
                if first:
                    lines.append(first)
                    # Scale the window to one unlock (one scrypt run), so that with the
                    # release KDF floor several passphrase changes still fit before the kill.
                    unlock_time = max(unlock_time, time.monotonic() - started)
            time.sleep(rng.uniform(0, max(max_delay, 4 * unlock_time)))
            proc.kill()  # SIGKILL
            out, err = proc.communicate()
            if proc.returncode != -9:
                print(f"kill {kill}: the writer stopped by itself ({proc.returncode}): {err.decode()}",
                      file=sys.stderr)
                return 1
            lines.extend(out.splitlines(keepends=True))
            for raw in lines:
                if not raw.endswith(b"\n"):
                    continue  # cannot happen with one write() per line, but never trust it
                words = raw.decode().split()
                if words[0] == "put":
                    committed[words[1]] = words[2]
                elif words[0] == "rekeyed":
                    generation = int(words[1])
                    rekeys += 1

            with open(expected_file, "w") as f:
                f.writelines(f"{item} {payload}\n" for item, payload in committed.items())
            check = subprocess.run([tool, "check", vault, str(generation), expected_file],
                                   capture_output=True, text=True)
            if check.returncode != 0:
                print(f"kill {kill} (seed {seed}): vault check failed: {check.stderr.strip()}", file=sys.stderr)
                return 1
            opened = int(check.stdout.split()[1])
            if opened not in (generation, generation + 1):
                print(f"kill {kill}: opened with generation {opened}, expected {generation} or {generation + 1}",
                      file=sys.stderr)
                return 1
            generation = opened
        print(f"kill_safety: ok: {kills} kills, {len(committed)} committed items, "
              f"{rekeys} confirmed passphrase changes, final generation {generation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

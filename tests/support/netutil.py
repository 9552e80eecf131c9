# SPDX-License-Identifier: Apache-2.0
"""Loopback plumbing for the suites that start real servers (slapd, `openssl ocsp`, an HTTP
server, scripted fake servers): free ports, "wait until it is ready", child processes that
log to a file and are stopped at tearDown, and a threaded accept loop.

    ports = netutil.free_ports(2)
    servers = netutil.Servers()
    servers.start([...], log_path, ready=lambda log: b"ACCEPT" in log, what="openssl ocsp")
    servers.stop()
"""

import os
import socket
import subprocess
import threading
import time

LOOPBACK = "127.0.0.1"

# Loopback must never go through a proxy from the environment.
LOOPBACK_ENV = dict(os.environ, no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")


def free_ports(count):
    """Distinct loopback ports free right now (held together so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def accepts(port, timeout=0.2):
    """True if something on loopback `port` accepts a connection now."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def run(args, cwd=None, env=None, stdin=None):
    """Runs a command (stdout and stderr together); raises with that output on failure."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env or LOOPBACK_ENV, input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{done.stdout.decode(errors='replace')}")
    return done.stdout


def wait_until(ready, proc, seconds):
    """Polls ready() every 50 ms: True once it holds, False as soon as `proc` has exited or
    `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stop_process(proc, timeout):
    """SIGTERM, then SIGKILL if it has not gone after `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Servers:
    """Server processes started by one test, each logging to its own file, stopped together."""

    def __init__(self, env=None):
        self.env = env or LOOPBACK_ENV
        self.running = []  # (process, open log file)

    def start(self, args, log_path, ready, what, seconds=10):
        """Starts `args` with its output in log_path and waits until ready(log bytes so far);
        AssertionError with the log when it exits or does not get ready in time."""
        log = open(log_path, "w+b")
        proc = subprocess.Popen([str(a) for a in args], stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.running.append((proc, log))
        if not wait_until(lambda: ready(log_path.read_bytes()), proc, seconds):
            raise AssertionError(f"{what} did not start: {log_path.read_bytes().decode(errors='replace')}")
        return proc

    def stop(self, timeout=5):
        for proc, log in self.running:
            stop_process(proc, timeout)
            log.close()
        self.running = []


class LoopbackServer:
    """A listening TCP socket on loopback whose accept loop runs in a daemon thread, handing
    each client to on_client (in that thread). Subclasses set their own state before calling
    this __init__, which starts the loop; close() ends it."""

    def __init__(self, port=0, backlog=4, reuse_address=False):
        self.sock = socket.socket()
        if reuse_address:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, port))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.on_client(client)

    def on_client(self, client):
        raise NotImplementedError

    def close(self):
        self.closed = True
        self.sock.close()

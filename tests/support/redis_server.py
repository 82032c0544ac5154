"""A private ``redis-server`` for the test suite: its own port, its own folder, nobody else's data.

The suite never talks to a Redis it did not start: a user's Redis on 6379 (or anyone's) is never
read, written or flushed. The binary is ``$WIREWATCH_REDIS_SERVER`` if set, else ``redis-server``
on ``PATH`` (``.ci/run`` installs Debian's package when it is missing).

    server = RedisServer.start(tmp_dir)       # free loopback port, no persistence by default
    server.url(db=0)                          # redis://127.0.0.1:<port>/0
    server.kill(); server.restart()           # for tests of a Redis that goes away
    server.stop()
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.waiting import free_port

START_TIMEOUT = 10.0


class RedisServerMissing(RuntimeError):
    """No redis-server binary to start."""


def redis_server_binary() -> str:
    """The redis-server to run; RedisServerMissing says how to get one."""
    configured = os.environ.get("WIREWATCH_REDIS_SERVER", "").strip()
    found = configured or shutil.which("redis-server")
    if not found or not Path(found).exists():
        raise RedisServerMissing(
            "redis-server not found: install it (Debian: apt-get install redis-server) "
            "or set WIREWATCH_REDIS_SERVER to its path"
        )
    return found


@dataclass
class RedisServer:
    """One redis-server process owned by a test (or the test session)."""

    folder: Path
    port: int
    appendonly: bool = False
    extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    tls_port: int | None = None  # set by whoever started it with --tls-port

    @classmethod
    def start(cls, folder: Path, *, appendonly: bool = False, extra: list[str] | None = None) -> RedisServer:
        folder.mkdir(parents=True, exist_ok=True)
        server = cls(folder, free_port(), appendonly, list(extra or []))
        server.restart()
        return server

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def log(self) -> Path:
        return self.folder / "redis.log"

    def restart(self) -> None:
        """Start (again) on the same port and folder; with ``appendonly`` the data comes back."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("redis-server is still running")
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.folder),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always",
            "--logfile", str(self.log),
            "--daemonize", "no",
            *self.extra,
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                break
            if self.ping():
                return
            time.sleep(0.02)
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else "(no log)"
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not start:\n{tail}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: what a crash or an OOM kill does (nothing flushed that was not yet)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

"""One process per SQLite state file: an exclusive lock the kernel drops when the process dies.

``flock`` on ``<db>.lock`` (not on the database itself, whose own locks SQLite manages), taken
with LOCK_NB so a second ``wirewatch run`` fails at once instead of waiting. The file records
who holds it (pid, host, since) so the refusal can name the holder. A crash needs no cleanup:
the lock goes with the process; a stale holder record is simply overwritten by the next one.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime

from service.state.base import StateInUse


class FileLock:
    def __init__(self, db_path: str) -> None:
        self.path = db_path + ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Hold the lock or raise StateInUse naming the process that does."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            db = self.path.removesuffix(".lock")
            raise StateInUse(
                f"state db {db} is in use by another wirewatch ({holder}): one process per SQLite "
                "file; stop that one first, or use Redis (WIREWATCH_STATE_URL=redis://...) to run "
                "several"
            ) from None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def _holder(fd: int) -> str:
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
        since = datetime.fromtimestamp(float(record["since"]), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"pid {int(record['pid'])} on {record['host']}, since {since}"
    except (ValueError, KeyError, TypeError, OSError):
        return "a process that did not say who it is"

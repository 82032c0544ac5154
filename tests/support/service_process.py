"""``wirewatch run`` as a real subprocess the test can stop, kill -9 and restart.

Its log goes to a file (never a pipe the test might not drain), so a test can read it at any
moment, e.g. to wait for an event or to show it when an assertion fails.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.support.rundir import RunDir


class ServiceProcess:
    def __init__(self, rd: RunDir, name: str = "wirewatch", **env: str) -> None:
        self.rd = rd
        self.name = name
        self.env = env
        self.log = rd.root / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> ServiceProcess:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"--- start {self.starts}\n")
        handle = self.log.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "service", "run",
                cwd=self.rd.root,
                env=self.rd.env(**self.env),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=handle,
            )  # fmt: skip
        finally:
            handle.close()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM and wait: the graceful path."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        """SIGKILL: a crash, an OOM kill, a pulled plug."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    async def wait_for_log(self, needle: str, within: float = 20.0) -> bool:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            if needle in self.text():
                return True
            await asyncio.sleep(0.05)
        return needle in self.text()


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""

"""Waiting for something a test expects, by asking, never by sleeping a fixed time; and ports.

assert await until(lambda: store_is_empty(), within=5)     # sync or async checks
port = free_port()                                         # nothing listens there (yet)
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from collections.abc import Awaitable, Callable

Check = Callable[[], bool] | Callable[[], Awaitable[bool]]


async def until(check: Check, within: float, every: float = 0.02) -> bool:
    """True as soon as ``check()`` is; False when ``within`` seconds pass first."""
    deadline = time.monotonic() + within
    while True:
        got = check()
        if inspect.isawaitable(got):
            got = await got
        if got or time.monotonic() >= deadline:
            return bool(got)
        await asyncio.sleep(every)


def free_port() -> int:
    """A loopback port with nothing listening: for a server to bind, or for "connection refused"."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

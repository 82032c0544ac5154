"""A real HTTP server on 127.0.0.1 that records requests and answers from a script.

Each request takes the next scripted Reply (or ``default`` when the script is empty). A
stalled reply holds the request open until its delay passes or the receiver closes, so
send-timeout tests don't leave the test waiting.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str | bytes = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, json.dumps(data), hdrs)

    @classmethod
    def stall(cls, seconds: float = 30.0) -> Reply:
        """Answer nothing for ``seconds`` (the receiver's close releases it early)."""
        return cls(200, "late", delay=seconds)


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic() when it arrived
    method: str
    path: str  # raw path as sent, percent-encoding kept
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class HttpReceiver:
    """``decide``, when given, picks each reply from the request (a receiver with a policy,
    e.g. a rate limiter); otherwise the script, then ``default``."""

    def __init__(
        self, default: Reply | None = None, decide: Callable[[Received], Reply] | None = None
    ) -> None:
        self.default = default or Reply()
        self.decide = decide
        self.answers: list[tuple[float, int]] = []  # (monotonic time, status) of each answer sent
        self.requests: list[Received] = []
        self._script: list[Reply] = []
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    def script(self, replies: Iterable[Reply | int]) -> None:
        """Queue replies for the next requests, in order (an int is a status with body 'ok')."""
        self._script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            Received(
                time.monotonic(),
                request.method,
                request.raw_path.split("?", 1)[0],
                request.query_string,
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
        )
        if self.decide is not None:
            reply = self.decide(self.requests[-1])
        else:
            reply = self._script.pop(0) if self._script else self.default
        if reply.delay:
            try:
                await asyncio.wait_for(self._release.wait(), reply.delay)
            except TimeoutError:
                pass
        data = reply.body.encode() if isinstance(reply.body, str) else reply.body
        self.answers.append((time.monotonic(), reply.status))
        return web.Response(status=reply.status, body=data, headers=reply.headers)

    async def __aenter__(self) -> HttpReceiver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

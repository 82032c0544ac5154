"""``/healthz``, ``/readyz`` and ``/metrics`` on ``WIREWATCH_HTTP_ADDR`` (off unless set).

Promises:

- ``/healthz`` answers 200 while the event loop runs: it checks nothing else, so a
  container is restarted only when the process is truly stuck.
- ``/readyz`` answers 200 only when the ``ready`` callback returns None (config loaded, state
  store reachable); otherwise 503 with the callback's one-line reason. A callback that hangs
  or raises is itself a 503 (after ``ready_timeout``), never a 500 or a hung probe.
- ``/metrics`` is the Prometheus text of ``service.metrics.REGISTRY``.
- Nothing here logs per request (probes every few seconds would drown the log).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from service import metrics
from service.logs import get_logger
from service.ops.addr import parse_addr
from service.state.base import StateStore, StateUnavailable

log = get_logger(__name__)

ReadyCheck = Callable[[], Awaitable[str | None]]

__all__ = ["OpsServer", "ReadyCheck", "parse_addr", "store_ready"]


class OpsServer:
    """A small aiohttp server for probes and scrapes, run inside the service's event loop."""

    def __init__(self, addr: str, ready: ReadyCheck, ready_timeout: float = 5.0) -> None:
        self._host, self._port = parse_addr(addr)
        self._ready = ready
        self._ready_timeout = ready_timeout
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (the real one when ``addr`` asked for port 0)."""
        return self._port

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise OSError(f"cannot listen on {self._host}:{self._port}: {exc.strerror}") from None
        self._runner = runner
        for address in runner.addresses:  # the sockets actually bound (port 0 -> real port)
            self._port = int(address[1])
            break
        log.info("ops_http_listening", addr=f"{self._host}:{self._port}")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        reason = await self._check()
        if reason is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {reason}\n")

    async def _check(self) -> str | None:
        try:
            return await asyncio.wait_for(self._ready(), self._ready_timeout)
        except TimeoutError:
            return f"readiness check took longer than {self._ready_timeout:g}s"
        except Exception as exc:  # a broken check is "not ready", never a 500
            return f"readiness check failed ({type(exc).__name__})"

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def store_ready(store: StateStore | None, timeout: float = 3.0) -> str | None:
    """None when ``store`` answers a ping within ``timeout``, else a one-line reason.

    The reason names no URL (a Redis URL may carry a password).
    """
    if store is None:
        return "state store not open"
    try:
        await asyncio.wait_for(store.ping(), timeout)
    except TimeoutError:
        return f"state store did not answer within {timeout:g}s"
    except StateUnavailable as exc:
        return f"state store unreachable: {exc}" if str(exc) else "state store unreachable"
    except OSError as exc:
        return f"state store unreachable ({type(exc).__name__})"
    return None

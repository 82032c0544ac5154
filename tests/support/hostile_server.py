"""A loopback HTTP server (in a thread) that misbehaves in every way a feed can."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from tests.support.hostile_xml import billion_laughs, external_entity

BILLION_LAUGHS = billion_laughs(
    "<item><title>Hama &lol9;</title><link>https://evil.test/1</link><guid>l1</guid></item>", "lol"
)
XXE = external_entity(
    "file:///etc/passwd",
    "<item><title>Hama &xxe;</title><link>https://evil.test/2</link><guid>x1</guid>\n"
    "<description>&xxe;</description></item>",
    "xxe",
)


def _gzip_bomb() -> bytes:
    # 200 MiB of zeros compress to ~200 KiB: far past the 10 MiB cap once decompressed
    out = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    return out


async def _stall(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
    await resp.prepare(request)
    await resp.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>')
    await asyncio.sleep(3600)
    return resp


def _app(bomb: bytes) -> web.Application:
    app = web.Application()

    async def gone(_: web.Request) -> web.Response:
        return web.Response(status=410)

    async def error(_: web.Request) -> web.Response:
        return web.Response(status=500)

    async def limited(_: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "120"})

    async def big(_: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request=_)
        chunk = b"<!-- padding -->" * 4096
        try:
            for _i in range(20 * 1024 * 1024 // len(chunk)):
                await resp.write(chunk)
        except ConnectionError:
            pass  # the client hung up at its size cap, as it should
        return resp

    async def gzbomb(_: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        )

    async def laughs(_: web.Request) -> web.Response:
        return web.Response(body=BILLION_LAUGHS, content_type="application/rss+xml")

    async def xxe(_: web.Request) -> web.Response:
        return web.Response(body=XXE, content_type="application/rss+xml")

    app.router.add_get("/gone", gone)
    app.router.add_get("/error", error)
    app.router.add_get("/limited", limited)
    app.router.add_get("/big", big)
    app.router.add_get("/gzbomb", gzbomb)
    app.router.add_get("/laughs", laughs)
    app.router.add_get("/xxe", xxe)
    app.router.add_get("/stall", _stall)
    return app


@contextmanager
def hostile_server() -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) of a server with every bad-feed route."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}

    async def start() -> None:
        runner = web.AppRunner(_app(_gzip_bomb()), shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]
        ready.set()

    thread = threading.Thread(
        target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True
    )
    thread.start()
    ready.wait(30)
    try:
        yield f"http://127.0.0.1:{state['port']}"
    finally:
        runner = state["runner"]
        assert isinstance(runner, web.AppRunner)
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

"""A misbehaving feed server on 127.0.0.1 for the poll tests (aiohttp.web, port 0)."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from aiohttp import web

from tests.support.hostile_xml import external_entity

GOOD = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>
<item><guid>good-1</guid><title>First</title><link>https://example.com/1</link></item>
<item><guid>good-2</guid><title>Second</title><link>https://example.com/2</link></item>
</channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>
<rss version="2.0"><channel><title>t</title>
<item><guid>laugh</guid><title>&g;</title><description>&g;&g;&g;</description></item>
</channel></rss>"""


def xxe_body(path: str) -> bytes:
    return external_entity(
        f"file://{path}", "<item><guid>x</guid><title>&xxe;</title><description>&xxe;</description></item>"
    )


@cache
def gzip_bomb(size: int) -> bytes:
    """gzip of ``size`` zero bytes, built in 1 MiB steps (never holds the expanded data)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


@cache
def big_valid_feed(items: int) -> bytes:
    entries = "".join(
        f"<item><guid>big-{n}</guid><title>Item {n}</title><description>{'word ' * 100}</description></item>"
        for n in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{entries}'.encode() + (
        b"</channel></rss>"
    )


class FeedServer:
    def __init__(self, secret_path: str) -> None:
        self.hits: dict[str, int] = {}
        self.requests: list[web.BaseRequest] = []
        self.secret_path = secret_path

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        name = request.path.strip("/")
        self.hits[name] = self.hits.get(name, 0) + 1
        self.requests.append(request)
        handler = getattr(self, "h_" + name.replace("-", "_"), None)
        if handler is None:
            return web.Response(status=404)
        result: web.StreamResponse = await handler(request)
        return result

    async def h_etag(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=GOOD, headers={"ETag": '"v1"'})

    async def h_plain(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=GOOD, content_type="application/rss+xml")

    async def h_gzipped(self, request: web.BaseRequest) -> web.StreamResponse:
        packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        body = packer.compress(GOOD) + packer.flush()
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    async def h_moved(self, request: web.BaseRequest) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/etag")

    async def h_temporary(self, request: web.BaseRequest) -> web.StreamResponse:
        raise web.HTTPFound("/etag")

    async def h_loop(self, request: web.BaseRequest) -> web.StreamResponse:
        raise web.HTTPFound("/loop")

    async def h_gone(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(status=410)

    async def h_limited(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(status=429, headers={"Retry-After": "120"})

    async def h_unavailable(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(status=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})

    async def h_broken(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(status=500)

    async def h_huge(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=b"<rss>" + b"x" * (3 << 20))

    async def h_huge_chunked(self, request: web.BaseRequest) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"y" * (64 << 10))
        await response.write_eof()
        return response

    async def h_bomb(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=gzip_bomb(64 << 20), headers={"Content-Encoding": "gzip"})

    async def h_stall(self, request: web.BaseRequest) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(len(GOOD))})
        await response.prepare(request)
        await response.write(GOOD[:50])
        await asyncio.sleep(30)
        return response

    async def h_drip(self, request: web.BaseRequest) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(len(GOOD))})
        await response.prepare(request)
        for byte in GOOD:
            await response.write(bytes([byte]))
            await asyncio.sleep(0.05)
        return response

    async def h_laughs(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=LAUGHS)

    async def h_xxe(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=xxe_body(self.secret_path))

    async def h_brotli(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"})

    async def h_big(self, request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=big_valid_feed(1000))


@asynccontextmanager
async def running(server: FeedServer) -> AsyncIterator[str]:
    """Serve on 127.0.0.1:<free port>; yields the base URL."""
    low = web.Server(server.handle)
    runner = web.ServerRunner(low, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()

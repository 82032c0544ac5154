"""A loopback HTTP server for fixed bodies with the Content-Type each should be sent with."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web


@dataclass
class Page:
    body: bytes
    content_type: str | None = "application/xml"  # None: no Content-Type header at all


@asynccontextmanager
async def serving(pages: MutableMapping[str, Page]) -> AsyncIterator[str]:
    """Serve ``pages`` (path -> Page; change it between requests at will) on 127.0.0.1:<free port>.

    Yields the base URL (no trailing slash). Unknown paths are 404.
    """

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        page = pages.get(request.path)
        if page is None:
            return web.Response(status=404)
        response = web.Response(body=page.body)
        if page.content_type is None:
            response.headers.popall("Content-Type", None)
        else:
            response.headers["Content-Type"] = page.content_type
        return response

    runner = web.ServerRunner(web.Server(handle), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()

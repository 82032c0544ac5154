"""A loopback news source for multi-process tests: feeds that grow while the test runs, and a
count of every request each feed received.

    async with NewsServer(feeds=5) as news:     # http://127.0.0.1:<port>/feed/<n>.xml
        news.publish(2)                         # a new item on feed 2 ("Aleppo report 17")
        news.requests["feed-2"]                 # monotonic times of its requests
"""

from __future__ import annotations

import time
from types import TracebackType

from aiohttp import web

from tests.support.rundir import rss

KEEP = 30  # items a feed lists (newest first), like a real feed's window


class NewsServer:
    def __init__(self, feeds: int) -> None:
        self.names = [f"feed-{n}" for n in range(feeds)]
        self.items: dict[str, list[dict[str, str]]] = {name: [] for name in self.names}
        self.requests: dict[str, list[float]] = {name: [] for name in self.names}
        self.published: list[str] = []  # every item id, in order
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{name}.xml"

    def publish(self, feed: int, title: str = "Aleppo report") -> str:
        name = self.names[feed]
        guid = f"{name}-{len(self.published)}"
        item = {"title": f"{title} {guid}", "link": f"https://wire.test/{guid}", "guid": guid, "body": "b"}
        self.items[name].insert(0, item)
        del self.items[name][KEEP:]
        self.published.append(guid)
        return guid

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.items:
            return web.Response(status=404)
        self.requests[name].append(time.monotonic())
        return web.Response(
            body=rss(self.items[name], title=name).encode(), content_type="application/rss+xml"
        )

    async def __aenter__(self) -> NewsServer:
        app = web.Application()
        app.router.add_get("/feed/{name}.xml", self._feed)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

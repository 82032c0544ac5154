"""The shared HTTP client for feed polls: httpx's API on aiohttp's connection pool.

Why not httpx's default transport: measured against a local server, httpcore's pool scans
every connection per request and tops out at ~500 polls/s on one core with 100 connections;
the ``httpx-aiohttp`` transport keeps the httpx API (tests and callers still pass an
``httpx.AsyncClient``) at several times the rate (numbers in README, Performance).

Promises kept by the client built here: a real User-Agent, connect and read timeouts, a pool
of ``settings.max_connections`` (the pipeline's semaphore bound), no cookies kept between
feeds, no redirects followed by the client (``fetch.py`` follows them itself so it can bound
them and see which were permanent), no automatic decompression (``fetch.py`` decompresses
while counting, so a gzip bomb stops at the size cap).
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from service.settings import Settings

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
ACCEPT_ENCODING = "gzip, deflate"


def client_headers(settings: Settings) -> dict[str, str]:
    return {"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}


def client_timeout(settings: Settings) -> httpx.Timeout:
    """Per-phase timeouts; the total (``fetch_timeout``) is enforced around each fetch."""
    return httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.fetch_timeout,
    )


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The shared, fast client. Create it once per process; close it with ``aclose()``."""

    def session() -> aiohttp.ClientSession:
        # Built lazily by the transport, inside the running loop, as aiohttp requires.
        connector = aiohttp.TCPConnector(
            limit=settings.max_connections,
            limit_per_host=0,
            ttl_dns_cache=300,
            keepalive_timeout=30,
        )
        return aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
        )

    limits = httpx.Limits(max_connections=settings.max_connections, keepalive_expiry=30)
    return httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits, client=session),
        headers=client_headers(settings),
        timeout=client_timeout(settings),
        follow_redirects=False,
        trust_env=False,
    )


def make_baseline_client(settings: Settings) -> httpx.AsyncClient:
    """httpx's default transport with the same limits: the benchmark's point of comparison."""
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    return httpx.AsyncClient(
        limits=limits,
        headers=client_headers(settings),
        timeout=client_timeout(settings),
        follow_redirects=False,
        trust_env=False,
    )

"""One conditional GET (or one file read) with every limit a hostile feed could test.

Promises:

- At most ``settings.max_redirects`` redirects, followed here (not by httpx, which would read
  each redirect's whole body); the target of the leading permanent ones (301/308) is reported
  so the poller can remember it. Credentials headers do not cross to another origin.
- The body is counted after decompression while it streams and abandoned past
  ``settings.max_feed_bytes``, so neither a huge body nor a gzip bomb gets into memory.
- ``settings.fetch_timeout`` bounds the whole fetch, redirects included, whatever the server
  does (connect and read timeouts come from the client).
- ``file://`` URLs and plain paths are read from disk with the same size cap.
- Every failure is a ``FetchError`` with a ``reason`` (``PollFailure``) decided here, where it
  happens, and a one-line message that holds no query string or password.
- The response's Content-Type is kept: its charset is how the body must be decoded (a file
  has none).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp
import httpx

from service.logs import redact_url
from service.settings import Settings

PERMANENT = (301, 308)
_CREDENTIALS = ("authorization", "cookie", "proxy-authorization")


class PollFailure(StrEnum):
    """Why a poll failed, decided where the failure is raised (a bounded metric label)."""

    HTTP = "http"  # an HTTP error status (the metric label carries the code: http_503)
    GONE = "gone"  # 410: the feed is disabled until its url changes
    RATE_LIMITED = "rate_limited"  # 429, or 503 with Retry-After
    TIMEOUT = "timeout"  # connect, read or whole-fetch deadline
    TOO_LARGE = "too_large"  # body over the cap, before or after decompression
    REDIRECTS = "redirects"  # too many, or to a scheme other than http(s)
    CONNECT = "connect"  # refused, unreachable, reset while connecting
    DNS = "dns"  # the host name does not resolve
    TLS = "tls"  # handshake or certificate failure
    ENCODING = "encoding"  # an unsupported or corrupt Content-Encoding
    FILE = "file"  # a file:// feed that cannot be read
    NETWORK = "network"  # any other transport failure
    UNEXPECTED = "unexpected"  # a bug of ours; logged with its type


class FetchError(Exception):
    """A fetch that produced no usable response: ``reason`` says which kind, the message is one
    line, safe to log (no query string, no password)."""

    def __init__(self, reason: PollFailure, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(slots=True)
class FetchResult:
    status: int
    url: str  # where the response came from, after redirects
    body: bytes | None = None  # set for 200
    permanent_url: str | None = None  # target of the leading permanent redirects
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds, from a Retry-After header
    content_type: str | None = None  # the response's Content-Type (its charset decodes the body)


TRANSPORT_ERRORS = (httpx.HTTPError, aiohttp.ClientError, OSError)
"""What a request can raise when no usable HTTP answer came (both client transports)."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _transport_reason(exc: BaseException) -> PollFailure:
    """The kind of a transport failure, from the exception types down its cause chain (httpx
    wraps the aiohttp or httpcore error, which wraps the OS error)."""
    causes = list(_chain(exc))
    if any(isinstance(e, socket.gaierror) for e in causes):
        return PollFailure.DNS
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError | aiohttp.ClientSSLError) for e in causes):
        return PollFailure.TLS
    if any(isinstance(e, ConnectionRefusedError | aiohttp.ClientConnectorError) for e in causes):
        return PollFailure.CONNECT
    if any(isinstance(e, httpx.TimeoutException | TimeoutError) for e in causes):
        return PollFailure.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return PollFailure.CONNECT
    return PollFailure.NETWORK


def transport_error(exc: BaseException, url: str) -> FetchError:
    """A FetchError for a request that got no usable answer; named by kind, never by a message
    that could carry the URL's query string."""
    reason = _transport_reason(exc)
    if reason is PollFailure.CONNECT:
        refused = any(isinstance(e, ConnectionRefusedError) for e in _chain(exc))
        text = "cannot connect (connection refused)" if refused else f"cannot connect ({type(exc).__name__})"
    elif reason is PollFailure.TIMEOUT:
        text = f"timed out ({type(exc).__name__})"
    elif reason is PollFailure.DNS:
        text = "cannot resolve the host name (DNS)"
    elif reason is PollFailure.TLS:
        text = f"TLS handshake failed ({type(exc).__name__})"
    else:
        text = f"network error ({type(exc).__name__}: {' '.join(str(exc).split())[:120]})"
    return FetchError(reason, text.replace(url, redact_url(url)))


def is_local(url: str) -> bool:
    return url.startswith("file:") or "://" not in url


async def fetch(
    url: str,
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """Fetch ``url`` once; raises FetchError (or httpx / OS errors) when nothing usable came."""
    deadline = asyncio.timeout(settings.fetch_timeout)
    try:
        async with deadline:
            if is_local(url):
                body = await asyncio.to_thread(read_file, url, settings.max_feed_bytes)
                return FetchResult(status=200, url=url, body=body)
            return await _fetch_http(url, client, settings, etag, last_modified, headers or {})
    except TRANSPORT_ERRORS as exc:
        if deadline.expired():
            message = f"no complete response within {settings.fetch_timeout:g}s"
            raise FetchError(PollFailure.TIMEOUT, message) from None
        raise transport_error(exc, url) from exc


async def _fetch_http(
    url: str,
    client: httpx.AsyncClient,
    settings: Settings,
    etag: str | None,
    last_modified: str | None,
    headers: dict[str, str],
) -> FetchResult:
    headers = dict(headers)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    permanent: str | None = None
    only_permanent = True
    for _ in range(settings.max_redirects + 1):
        request = client.build_request("GET", url, headers=headers)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if not response.has_redirect_location:
                return await _result(response, url, permanent, settings.max_feed_bytes)
            target = response.url.join(response.headers["location"])
        finally:
            await response.aclose()
        if target.scheme not in ("http", "https"):
            raise FetchError(PollFailure.REDIRECTS, f"redirect to unsupported scheme {target.scheme!r}")
        only_permanent = only_permanent and response.status_code in PERMANENT
        if only_permanent:
            permanent = str(target)
        if target.host != request.url.host or target.scheme != request.url.scheme:
            headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIALS}
        url = str(target)
    raise FetchError(PollFailure.REDIRECTS, f"more than {settings.max_redirects} redirects")


async def _result(response: httpx.Response, url: str, permanent: str | None, cap: int) -> FetchResult:
    result = FetchResult(
        status=response.status_code,
        url=url,
        permanent_url=permanent,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        content_type=response.headers.get("content-type"),
    )
    if response.status_code == 200:
        result.body = await read_capped(response, cap)
    elif response.status_code in (429, 503):
        result.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return result


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decompressed body; FetchError as soon as it passes ``cap`` bytes."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise FetchError(PollFailure.TOO_LARGE, f"body of {int(length)} bytes is over the {cap} byte cap")
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = Inflater(encoding, cap)
    else:
        raise FetchError(PollFailure.ENCODING, f"unsupported Content-Encoding {encoding[:40]!r}")
    chunks: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        pieces = inflater.feed(raw) if inflater else [raw]
        for piece in pieces:
            total += len(piece)
            if total > cap:
                raise FetchError(PollFailure.TOO_LARGE, f"body over the {cap} byte cap (after decompression)")
            chunks.append(piece)
    return b"".join(chunks)


class Inflater:
    """gzip / deflate decompression that never produces more than ``cap + 1`` bytes at once."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding
        self.cap = cap
        self.produced = 0
        self.first = True
        self.d = self._decompressor(zlib.MAX_WBITS if encoding == "deflate" else 16 + zlib.MAX_WBITS)

    @staticmethod
    def _decompressor(wbits: int) -> zlib._Decompress:
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        while data:
            try:
                piece = self.d.decompress(data, self.cap - self.produced + 1)
            except zlib.error as exc:
                if self.first and self.encoding == "deflate":  # raw deflate, no zlib header
                    self.first = False
                    self.d = self._decompressor(-zlib.MAX_WBITS)
                    continue
                raise FetchError(PollFailure.ENCODING, f"corrupt {self.encoding} body: {exc}") from None
            self.first = False
            self.produced += len(piece)
            out.append(piece)
            if self.produced > self.cap:
                break
            if self.d.eof:  # a second gzip member may follow; anything else is ignored
                data = self.d.unused_data
                if data and self.encoding != "deflate" and data[:2] == b"\x1f\x8b":
                    self.d = self._decompressor(16 + zlib.MAX_WBITS)
                    continue
                break
            data = self.d.unconsumed_tail
        return out


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def read_file(url: str, cap: int) -> bytes:
    """A local feed: ``file://`` URL or path, at most ``cap`` bytes."""
    if url.startswith("file:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchError(
                PollFailure.FILE, f"file URL with a remote host {parts.netloc!r} is not supported"
            )
        path = Path(unquote(parts.path))
    else:
        path = Path(url)
    try:
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
    except FileNotFoundError:
        raise FetchError(PollFailure.FILE, f"file not found: {path}") from None
    except IsADirectoryError:
        raise FetchError(PollFailure.FILE, f"is a directory, not a feed file: {path}") from None
    except OSError as exc:
        raise FetchError(PollFailure.FILE, f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise FetchError(PollFailure.TOO_LARGE, f"file over the {cap} byte cap: {path}")
    return data

"""How an HTTP channel's answer becomes a SendResult, shared by Slack, Matrix and webhooks.

The rule is the same for every HTTP peer: 2xx is sent; network errors, timeouts, 5xx, 408
and 429 are worth retrying (after ``Retry-After`` when the peer gave one); any other status
is permanent. Reasons are built only from the channel label, the status and short tokens the
peer returned (e.g. Slack's ``invalid_payload``), never from ``str(exc)`` of an httpx error,
whose message can contain the URL and so a token.
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from service.notify.base import SendFailure, SendResult

RETRYABLE_STATUS = frozenset({408, 429})
_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_SECRET_MASK = "***"
# what a request can raise when no HTTP answer came back (see ``request``)
TRANSPORT_ERRORS = (httpx.HTTPError, TimeoutError, OSError)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Garbage gives None (the worker's own backoff applies); a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def short_token(text: str | None) -> str:
    """A peer's short error word (``invalid_payload``, ``M_UNKNOWN_TOKEN``) or ''.

    Anything longer or with other characters is dropped: a peer that echoes the request
    (URL, headers) must not smuggle a secret into a reason.
    """
    if not text:
        return ""
    text = text.strip()
    return text if _TOKEN.match(text) else ""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each non-empty secret replaced by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, _SECRET_MASK)
    return text


def classify_status(
    label: str, status: int, detail: str = "", retry_after: float | None = None
) -> SendResult:
    """The table every HTTP notifier shares; ``label`` prefixes the reason (``slack: 400 ...``)."""
    if 200 <= status < 300:
        return SendResult.sent()
    words = detail or _phrase(status)
    reason = f"{label}: {status} {words}".rstrip()
    if status == 429:
        return SendResult.retry(reason, retry_after, SendFailure.RATE_LIMITED)
    if status >= 500 or status in RETRYABLE_STATUS:
        return SendResult.retry(reason, retry_after, SendFailure.UNAVAILABLE)
    return SendResult.fail(reason, SendFailure.REJECTED)


def transport_failure(label: str, exc: BaseException) -> SendResult:
    """A request that got no HTTP answer: always retryable, named by exception class only."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | httpx.TimeoutException):
        return SendResult.retry(f"{label}: timeout ({type(exc).__name__})", failure=SendFailure.TIMEOUT)
    return SendResult.retry(f"{label}: network error ({type(exc).__name__})", failure=SendFailure.NETWORK)


async def request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    json: Any = None,
) -> httpx.Response:
    """One request with an overall deadline of ``timeout`` seconds and no redirects.

    Raises httpx.HTTPError or TimeoutError; callers turn them into ``transport_failure``.
    Redirects are not followed: a notification endpoint that moves is a config problem.
    """
    async with asyncio.timeout(timeout):
        return await client.request(
            method,
            url,
            headers=headers,
            content=content,
            json=json,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )


def classify_response(label: str, response: httpx.Response, detail: str = "") -> SendResult:
    """``classify_status`` for an answer, waiting for its ``Retry-After`` when it is retried."""
    return classify_status(
        label,
        response.status_code,
        detail,
        parse_retry_after(response.headers.get("Retry-After")),
    )


async def send_request(
    label: str,
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout: float,
    judge: Callable[[httpx.Response], SendResult],
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    json: Any = None,
) -> SendResult:
    """One notifier ``send``: ``request``, then ``judge`` the answer; never raises for the peer.

    No answer (network error, timeout) is a retryable ``transport_failure`` named by ``label``.
    """
    try:
        response = await request(
            client, method, url, timeout=timeout, headers=headers, content=content, json=json
        )
    except TRANSPORT_ERRORS as exc:
        return transport_failure(label, exc)
    return judge(response)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def check_http_url(url: str) -> str:
    """Config validator: an absolute http(s) URL. The message never repeats the value."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("must be an http:// or https:// URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    return url

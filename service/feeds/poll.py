"""Poll one feed: fetch with its validators, parse only what changed, update its FeedState.

Promises to the pipeline:

- ``poll_feed`` never raises for anything a feed or the network can do; a failure is an
  outcome with a one-line ``error`` that names the feed (and is logged once, as a warning).
- A body is parsed only when it changed: a 304, or a 200 whose hash equals the last one,
  gives ``items=None``.
- A 410 disables the feed with a message saying so (cleared when its url in feeds.yaml
  changes); a permanent redirect's target is remembered and logged. Nothing else ever stops
  a feed: failures back off exponentially with jitter, up to ``backoff_max``, and keep being
  retried; 429 / 503 wait at least their Retry-After.
- ``state`` is mutated in place; the caller persists it.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from service.feeds.config import Feed
from service.feeds.fetch import FetchError, FetchResult, PollFailure, fetch
from service.feeds.isolate import INLINE_MAX, parse_isolated
from service.feeds.parse import MAX_ITEMS, ParsedFeed, one_line, parse_feed
from service.logs import get_logger, redact_url
from service.model import Item
from service.settings import Settings
from service.state.base import FeedState

log = get_logger(__name__)
_RNG = random.Random()


@dataclass(slots=True)
class PollOutcome:
    items: list[Item] | None  # None when there is nothing to process
    status: str  # new | not_modified | unchanged | error | gone | rate_limited | skipped
    error: str | None = None  # one line, names the feed, no traceback
    http_status: int | None = None
    reason: PollFailure | None = None  # set with ``error``: the kind of failure

    @property
    def metric_reason(self) -> str | None:
        """The ``reason`` label of ``wirewatch_poll_errors_total``: ``http_503``, ``timeout``..."""
        if self.reason is PollFailure.HTTP and self.http_status is not None:
            return f"http_{self.http_status}"
        return self.reason.value if self.reason is not None else None


@dataclass(frozen=True, slots=True)
class _Poll:
    """One poll of one feed: what every step after the fetch reads (and ``state``, updated)."""

    feed: Feed
    state: FeedState
    settings: Settings
    now: float
    rng: random.Random


async def poll_feed(
    feed: Feed,
    state: FeedState,
    client: httpx.AsyncClient,
    settings: Settings,
    now: float,
    rng: random.Random | None = None,
) -> PollOutcome:
    poll = _Poll(feed, state, settings, now, rng or _RNG)
    if state.configured_url != feed.url:
        reset_for_new_url(state, feed.url)
    if state.disabled_reason:
        state.next_poll = now + feed.interval
        return PollOutcome(None, "skipped")
    if state.backoff_until is not None and now < state.backoff_until:
        state.next_poll = state.backoff_until
        return PollOutcome(None, "skipped")
    state.last_poll = now
    url = state.url or feed.url
    try:
        result = await fetch(
            url,
            client,
            settings,
            etag=state.etag,
            last_modified=state.last_modified,
            headers=feed.headers,
        )
        return await _handle(poll, result)
    except FetchError as exc:
        return _failed(poll, str(exc), None, exc.reason)
    except Exception as exc:  # the contract: a poll never raises; this is a bug of ours
        text = f"unexpected {type(exc).__name__}: {one_line(str(exc))}".replace(url, redact_url(url))
        return _failed(poll, text, None, PollFailure.UNEXPECTED)


def reset_for_new_url(state: FeedState, configured_url: str) -> None:
    """feeds.yaml names a different url: forget what we learned about the old one."""
    state.url = None
    state.disabled_reason = None
    state.etag = state.last_modified = state.body_hash = None
    state.failures = 0
    state.backoff_until = None
    state.configured_url = configured_url


async def _handle(poll: _Poll, result: FetchResult) -> PollOutcome:
    feed, state = poll.feed, poll.state
    status = result.status
    if result.permanent_url and result.permanent_url != state.url:
        log.info("feed_moved", feed_id=feed.id, url=redact_url(result.permanent_url), http_status=status)
        state.url = result.permanent_url
    if status == 304:
        state.etag = result.etag or state.etag
        state.last_modified = result.last_modified or state.last_modified
        _succeeded(poll)
        return PollOutcome(None, "not_modified", http_status=304)
    if status == 200 and result.body is not None:
        return await _got_body(poll, result, result.body)
    if status == 410:
        return _gone(poll, result)
    if status in (429, 503) and (result.retry_after is not None or status == 429):
        return _rate_limited(poll, result)
    return _failed(poll, f"HTTP {status} from {redact_url(result.url)}", status, PollFailure.HTTP)


async def _got_body(poll: _Poll, result: FetchResult, body: bytes) -> PollOutcome:
    feed, state = poll.feed, poll.state
    state.etag, state.last_modified = result.etag, result.last_modified
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    if digest == state.body_hash:
        _succeeded(poll)
        return PollOutcome(None, "unchanged", http_status=200)
    parsed = await parse_body(feed.id, body, result.url, poll.settings, result.content_type, poll.now)
    state.body_hash = digest
    if parsed.entries_total > MAX_ITEMS:
        log.warning("feed_truncated", feed_id=feed.id, kept=MAX_ITEMS, entries=parsed.entries_total)
    if parsed.bozo_reason and not parsed.items:
        log.warning("feed_unreadable", feed_id=feed.id, error=f"feed {feed.id}: {parsed.bozo_reason}")
    elif parsed.bozo_reason and parsed.defused:
        message = f"feed {feed.id}: {parsed.bozo_reason} (entity expansion and XXE refused)"
        log.warning("feed_defused", feed_id=feed.id, error=message)
    _succeeded(poll)
    return PollOutcome(parsed.items, "new", http_status=200)


async def parse_body(
    feed_id: str,
    body: bytes,
    url: str,
    settings: Settings,
    content_type: str | None = None,
    now: float | None = None,
) -> ParsedFeed:
    """Small bodies parse in a thread; large ones in a memory-capped child (see isolate.py).

    ``content_type`` is the response's (None for a file); an item without a readable date is
    dated ``now``, the time of this poll.
    """
    base = None if url.startswith("file:") or "://" not in url else url
    seen = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    if len(body) <= INLINE_MAX:
        return await asyncio.to_thread(
            parse_feed, feed_id, body, base, content_type=content_type, seen_at=seen
        )
    return await parse_isolated(
        feed_id, body, base, timeout=settings.fetch_timeout, content_type=content_type, seen_at=seen
    )


def _succeeded(poll: _Poll) -> None:
    feed, state = poll.feed, poll.state
    state.failures = 0
    state.backoff_until = None
    state.last_ok = poll.now
    state.last_error = None
    state.next_poll = poll.now + feed.interval + poll.rng.uniform(0, feed.jitter)


def _gone(poll: _Poll, result: FetchResult) -> PollOutcome:
    feed, state = poll.feed, poll.state
    message = (
        f"feed {feed.id}: 410 Gone from {redact_url(result.url)}; polling stopped until its url "
        "changes in feeds.yaml"
    )
    state.disabled_reason = state.last_error = message
    state.next_poll = poll.now + feed.interval
    log.error("feed_gone", feed_id=feed.id, error=message)
    return PollOutcome(None, "gone", message, 410, PollFailure.GONE)


def _rate_limited(poll: _Poll, result: FetchResult) -> PollOutcome:
    feed, state, now = poll.feed, poll.state, poll.now
    state.failures += 1
    if result.retry_after is None:
        wait = backoff_delay(poll.settings, state.failures, poll.rng)
    else:
        wait = min(max(result.retry_after, 1.0), poll.settings.backoff_max)
    message = f"feed {feed.id}: HTTP {result.status}, retry after {wait:.0f}s"
    state.backoff_until = now + wait
    state.next_poll = now + max(wait, feed.interval + poll.rng.uniform(0, feed.jitter))
    state.last_error = message
    log.warning("feed_rate_limited", feed_id=feed.id, error=message, failures=state.failures)
    return PollOutcome(None, "rate_limited", message, result.status, PollFailure.RATE_LIMITED)


def _failed(poll: _Poll, reason: str, http_status: int | None, failure: PollFailure) -> PollOutcome:
    feed, state = poll.feed, poll.state
    state.failures += 1
    wait = backoff_delay(poll.settings, state.failures, poll.rng)
    state.backoff_until = state.next_poll = poll.now + wait
    message = f"feed {feed.id}: {reason} (failure {state.failures}, next try in {wait:.0f}s)"
    state.last_error = message
    log.warning("poll_failed", feed_id=feed.id, error=message)
    return PollOutcome(None, "error", message, http_status, failure)


def backoff_delay(settings: Settings, failures: int, rng: random.Random) -> float:
    """Exponential from ``backoff_base``, capped at ``backoff_max``, with "equal jitter"."""
    ceiling = min(settings.backoff_max, settings.backoff_base * 2.0 ** min(failures - 1, 60))
    return ceiling * (0.5 + 0.5 * rng.random())

"""What one send is: the channel as the worker sees it, the message chosen from claimed entries,
and how long to wait after a failure.

A message, once built, is retried as itself: a group's members and key are stored with its
entries (``Outbox.bind_batch``), so a retry after a timeout carries the same key and the same
alerts, and news that arrived meanwhile goes in another message.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from service.notify.base import Batch, BatchKind, Notifier, SendFailure, SendResult
from service.notify.config import ChannelBase
from service.settings import Settings
from service.state.base import OutboxEntry

DIGEST_LIMIT = 500  # alerts in one digest message at most
LEASE_MARGIN = 10.0  # seconds a worker's claim outlives the channel's send timeout


@dataclass(slots=True)
class ChannelRoute:
    """A channel as the worker sees it: its notifier, its config and its pacing."""

    name: str
    notifier: Notifier
    config: ChannelBase
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sending: bool = False

    @property
    def is_digest(self) -> bool:
        return self.config.is_digest

    @property
    def min_interval(self) -> float:
        rate = self.config.default_rate_limit()
        return 1.0 / rate if rate else 0.0

    @property
    def threads_followups(self) -> bool:
        """Follow-ups go one per message, as replies under their story's first alert."""
        return self.config.followups == "thread" and self.config.can_thread and not self.is_digest

    def claim_limit(self) -> int:
        if self.is_digest:
            return DIGEST_LIMIT
        return max(self.config.max_group, self.config.burst_threshold + 1)


@dataclass(frozen=True, slots=True)
class Message:
    batch: Batch
    entries: list[OutboxEntry]
    new_group: bool  # its members must be stored as one batch before the first send


def choose(route: ChannelRoute, entries: Sequence[OutboxEntry]) -> Message:
    """The message to send from claimed ``entries`` (oldest first).

    A stored batch goes again as itself (same members, same key); otherwise a digest channel
    sends everything (up to DIGEST_LIMIT), a burst of more than ``burst_threshold`` goes as one
    group of at most ``max_group``, and anything smaller goes one alert at a time. Where
    follow-ups are threaded (``threads_followups``) they never join a group, and alerts go
    before follow-ups, so a story's first alert is sent (and its message known) before a copy
    claimed with it is threaded under it.
    """
    if route.threads_followups:
        entries = sorted(entries, key=lambda e: e.alert.is_followup)  # stable: oldest first in each
    first = entries[0]
    kind: BatchKind = "digest" if route.is_digest else "group"
    if first.batch is not None:
        members = [e for e in entries if e.batch == first.batch]
        return Message(Batch(tuple(e.alert for e in members), kind, first.batch), members, False)
    if route.threads_followups and first.alert.is_followup:
        return Message(Batch.of([first.alert]), [first], False)
    fresh = [e for e in entries if e.batch is None and not (route.threads_followups and e.alert.is_followup)]
    if route.is_digest:
        pick = fresh[:DIGEST_LIMIT]
    elif len(fresh) > route.config.burst_threshold:
        pick = fresh[: route.config.max_group]
    else:
        return Message(Batch.of([first.alert]), [first], False)
    return Message(Batch.of([e.alert for e in pick], kind), pick, True)


def retry_delay(attempts: int, settings: Settings, retry_after: float | None, rng: random.Random) -> float:
    """Exponential backoff with jitter in [50%, 100%], capped at retry_max; never below Retry-After
    (itself held to retry_max)."""
    base = min(settings.retry_max, settings.retry_base * 2.0 ** max(0, attempts - 1))
    delay: float = base * (0.5 + rng.random() / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.retry_max))
    return delay


def gave_up(attempts: int, result: SendResult, key: str) -> str:
    """The dead letter's reason after the last allowed attempt failed."""
    if result.failure is SendFailure.TIMEOUT:
        return (
            f"gave up after {attempts} attempts: timed out; the receiver may have it (message key "
            f"{key}): check there before 'wirewatch deliveries retry' (last error: {result.reason})"
        )
    return f"gave up after {attempts} attempts (last error: {result.reason})"

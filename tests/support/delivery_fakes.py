"""Test doubles for the delivery worker: a clock the test moves, a notifier that follows a script.

Only the clock and the notifier are fake; the outbox is always a real store (the ``store``
fixture: SQLite, fakeredis, real Redis).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from service.delivery import ChannelRoute
from service.model import Alert
from service.notify.base import Batch, SendResult
from service.notify.console import ConsoleConfig
from service.state.base import OutboxEntry
from tests.support import make_alert

T0 = 1_714_564_800.0  # 2024-05-01 12:00:00 UTC, a fixed "now" for every test


class FakeClock:
    """``clock()`` returns ``now``; ``advance`` moves it. Sleeps may be routed here too."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float, *_: Any) -> None:
        """Stand-in for asyncio.sleep: time passes at once, and the gap is recorded."""
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await _real_sleep(0)


_real_sleep = asyncio.sleep

Step = SendResult | BaseException


class ScriptedNotifier:
    """Answers each send with the next scripted result (or raises it); then ``default``."""

    def __init__(self, name: str = "desk", script: Iterable[Step] = (), default: Step | None = None) -> None:
        self.name = name
        self.script: list[Step] = list(script)
        self.default: Step = default or SendResult.sent()
        self.batches: list[Batch] = []

    async def send(self, batch: Batch) -> SendResult:
        self.batches.append(batch)
        step = self.script.pop(0) if self.script else self.default
        if isinstance(step, BaseException):
            raise step
        return step

    async def aclose(self) -> None:
        return None

    @property
    def delivered_keys(self) -> list[str]:
        """Alert keys of every batch sent, in order (failed attempts included)."""
        return [a.key for b in self.batches for a in b.alerts]


def make_route(notifier: Any, name: str = "desk", **config: Any) -> ChannelRoute:
    """A channel with ChannelBase settings (rate_limit, burst_threshold, ...) and no default rate."""
    return ChannelRoute(name, notifier, ConsoleConfig(**config))


def make_entries(channel: str, now: float, n: int, **alert_fields: Any) -> list[OutboxEntry]:
    return [OutboxEntry(channel, make_alert(**alert_fields), now, now) for _ in range(n)]


def keys(alerts: Iterable[Alert]) -> list[str]:
    return [a.key for a in alerts]

"""What several commands share: opening the state store, times as people and scripts read them,
durations as arguments."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from service.config.durations import parse_duration
from service.settings import Settings
from service.state.base import FullStore
from service.state.open import open_store


@asynccontextmanager
async def admin_store(settings: Settings, *, read_only: bool) -> AsyncIterator[FullStore]:
    """The store named by the settings, checked to answer; ``read_only`` never creates a database
    or changes one (``status``, ``deliveries list``). Raises BadStateUrl / StateUnavailable."""
    store = await open_store(settings.state_url, settings, read_only=read_only)
    try:
        await store.ping()
        yield store
    finally:
        await store.close()


def iso(ts: float | None) -> str | None:
    """UNIX seconds as ISO 8601 UTC (what every JSON output gives), None for no time."""
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


def utc(ts: float | None, seconds: bool = False) -> str:
    """UNIX seconds for people: ``2024-12-04 08:00`` (UTC), ``-`` for no time."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def duration(text: str) -> float:
    """An argparse ``type``: ``30m``, ``24h``, ``7d`` ... in seconds; a bad one is a usage error."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


Since = float | datetime
"""A ``--since`` value: seconds back from now, or a moment (ISO 8601; UTC when it has no zone)."""


def since_arg(text: str) -> Since:
    """An argparse ``type`` for ``--since``: ``24h``, ``7d`` ... or ``2024-12-04T08:00``."""
    try:
        return parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a duration like '30m', '24h' or '7d', or a time like '2024-12-04T08:00', got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def since_start(value: Since, now: float) -> float:
    """UNIX seconds where a ``--since`` window starts."""
    return value.timestamp() if isinstance(value, datetime) else now - value

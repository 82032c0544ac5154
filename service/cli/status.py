"""``wirewatch status``: how each feed and each channel is doing, from the state store alone.

Opens the store read-only (never creates a database) and reads only through the store's roles,
so it reports the same for the embedded (SQLite) and the shared (Redis) store, and works while
the service runs elsewhere. Per feed: last poll,
last new item, next poll, backoff / disabled / health state, last error; per channel: outbox
depth (pending) and dead letters. ``fmt="json"`` gives the same facts for scripts, with times as
ISO 8601 UTC strings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from service.cli.common import admin_store, iso
from service.config.yamlfile import ConfigError
from service.feeds.config import load_feeds
from service.feeds.health import human_duration
from service.logs import scrub_text
from service.settings import Settings
from service.state.base import FeedState, FeedStates, OutboxAdmin

_ERROR_WIDTH = 60


def _ago(ts: float | None, now: float) -> str:
    if ts is None:
        return "never"
    delta = now - ts
    if delta < 0:
        return f"in {human_duration(-delta)}"
    return "just now" if delta < 1 else f"{human_duration(delta)} ago"


def _until(ts: float | None, now: float) -> str:
    if ts is None:
        return "-"
    return "due now" if ts <= now else f"in {human_duration(ts - now)}"


STALE_AFTER = 120.0  # seconds a poll may be overdue (jitter is at most 30 s) before it is suspicious


def stale_for(state: FeedState, now: float) -> float | None:
    """Seconds a poll is overdue when no poll was recorded long after the one planned: the
    service is stopped, or polls but cannot write its state (disk full, damaged file)."""
    if state.next_poll is None or state.disabled_reason:
        return None
    late = now - state.next_poll
    return late if late > STALE_AFTER else None


def feed_state_label(state: FeedState, now: float) -> str:
    """One word or phrase: ok, new, disabled, backing off, failing xN, quiet, stale."""
    if state.disabled_reason:
        return f"disabled ({state.disabled_reason})"
    late = stale_for(state, now)
    if late is not None:
        return (
            f"stale: no poll recorded for {human_duration(late)} past its time (is the service "
            "running, and able to write its state?)"
        )
    parts: list[str] = []
    if state.backoff_until is not None and state.backoff_until > now:
        parts.append(f"backing off {human_duration(state.backoff_until - now)}")
    if state.failures:
        parts.append(f"{state.failures} failure{'s' if state.failures != 1 else ''}")
    if state.health:
        parts.append(state.health)
    if parts:
        return ", ".join(parts)
    return "ok" if state.last_poll is not None else "not polled yet"


def _error(state: FeedState) -> str | None:
    if not state.last_error:
        return None
    return scrub_text(state.last_error.strip().splitlines()[0] if state.last_error.strip() else "")


class StatusStore(FeedStates, OutboxAdmin, Protocol):
    """What the report reads: feed states and outbox depth."""


def _facts(
    states: dict[str, FeedState], depth: dict[str, tuple[int, int]], feeds: list[str], now: float
) -> dict[str, Any]:
    rows = []
    for feed_id in feeds:
        state = states.get(feed_id) or FeedState()
        backing_off = state.backoff_until is not None and state.backoff_until > now
        rows.append(
            {
                "feed_id": feed_id,
                "last_poll": iso(state.last_poll),
                "last_ok": iso(state.last_ok),
                "last_new_item": iso(state.last_new_item),
                "next_poll": iso(state.next_poll),
                "failures": state.failures,
                "backing_off": backing_off,
                "backoff_until": iso(state.backoff_until) if backing_off else None,
                "disabled_reason": state.disabled_reason,
                "health": state.health,
                "last_error": _error(state),
                "state": feed_state_label(state, now),
                "stale": stale_for(state, now) is not None,
            }
        )
    channels = {name: {"pending": pending, "dead": dead} for name, (pending, dead) in sorted(depth.items())}
    return {"now": iso(now), "feeds": rows, "channels": channels}


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


def _clip(text: str | None) -> str:
    if not text:
        return "-"
    return text if len(text) <= _ERROR_WIDTH else text[: _ERROR_WIDTH - 1] + "…"


async def render_status(store: StatusStore, feeds: list[str], now: float, fmt: str = "text") -> str:
    """The status report: a text table for people (default) or JSON (``fmt="json"``)."""
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown status format {fmt!r} (text or json)")
    states = await store.list_feeds()
    facts = _facts(states, await store.depth(), feeds, now)
    if fmt == "json":
        return json.dumps(facts, indent=2, ensure_ascii=False)
    feed_rows = []
    for feed_id in feeds:
        state = states.get(feed_id) or FeedState()
        feed_rows.append(
            [
                feed_id,
                _ago(state.last_poll, now),
                _ago(state.last_new_item, now),
                _until(state.next_poll, now) if not state.disabled_reason else "-",
                feed_state_label(state, now),
                _clip(_error(state)),
            ]
        )
    lines = [f"Feeds ({len(feeds)})"]
    lines += _table(["FEED", "LAST POLL", "LAST NEW ITEM", "NEXT POLL", "STATE", "LAST ERROR"], feed_rows)
    channel_rows = [[name, str(c["pending"]), str(c["dead"])] for name, c in facts["channels"].items()]
    lines += ["", f"Outbox ({len(channel_rows)} channels)"]
    if channel_rows:
        lines += _table(["CHANNEL", "PENDING", "DEAD LETTERS"], channel_rows)
    else:
        lines.append("  empty")
    return "\n".join(lines) + "\n"


def register(sub: Any) -> None:
    p = sub.add_parser("status", help="feeds, backoff, outbox depth and dead letters")
    p.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    folder = settings.rules_dir
    if not folder.is_dir():
        print(
            f"wirewatch status: rules folder {folder} not found (run it where the service runs, "
            "or give --rules DIR / WIREWATCH_RULES_DIR)",
            file=sys.stderr,
        )
        return 1
    try:
        feeds: list[str] | None = [f.id for f in load_feeds(folder / "feeds.yaml")]
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        feeds = None
    return asyncio.run(_status(settings, feeds, args.format))


async def _status(settings: Settings, feeds: list[str] | None, fmt: str) -> int:
    async with admin_store(settings, read_only=True) as store:
        if feeds is None:  # feeds.yaml is broken: report every feed the state knows
            feeds = sorted(await store.list_feeds())
            print(
                "wirewatch status: feeds.yaml has problems (above); showing the feeds in the state",
                file=sys.stderr,
            )
        print(await render_status(store, feeds, time.time(), fmt))
    return 0

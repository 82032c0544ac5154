"""What a match becomes in the outbox: its alert (or a follow-up of its story), and one entry
per channel, due when that channel wants it.

- ``make_alert``: the alert a watchlist's match makes for an item; a copy of a story already
  alerted on the watchlist (``stories/desk.py`` placed it) is ``kind: also_reported``.
- ``entries_for``: one entry per routed channel; a digest channel's entry waits for its tick;
  a follow-up goes only where ``followups`` is not ``off``, after ``followup_hold`` where copies
  wait to go together (``followups: digest``, Slack).
- ``first_attempt``: when a channel first tries an entry queued now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from service import metrics
from service.model import ALSO_REPORTED, Alert, Item, Match
from service.notify.config import ChannelBase
from service.state.base import OutboxEntry
from service.stories.desk import Placement


def make_alert(match: Match, item: Item, key: str, created: datetime, placement: Placement | None) -> Alert:
    """The alert ``match`` makes for ``item`` under ``key`` (``dedup.alert_key``): a follow-up
    when ``placement`` says it copies a story already alerted on the watchlist; no story fields
    when stories are off (None)."""
    if placement is None:
        return Alert(key, match.watchlist, item, match.matched, match.snippet, created)
    return Alert(
        key,
        match.watchlist,
        item,
        match.matched,
        match.snippet,
        created,
        kind=ALSO_REPORTED if placement.followup else "match",
        story=placement.story,
        story_title=placement.story_title,
    )


def entries_for(
    alert: Alert,
    channels: Sequence[str],
    configs: Mapping[str, ChannelBase],
    now: float,
    clock: Callable[[], float],
) -> list[OutboxEntry]:
    """One outbox entry per channel of ``channels`` that exists (``now``: the poll's time)."""
    entries = []
    for name in channels:
        config = configs.get(name)
        if config is None:
            continue
        due = first_attempt(config, now)
        if alert.is_followup:
            delay = config.followup_delay()
            if delay is None:
                metrics.FOLLOWUPS_SUPPRESSED.labels(channel=name).inc()
                continue
            # after the clock now, not the poll's start: due after its story's first alert
            # (queued earlier, maybe by a poll that started later), so a channel that threads
            # sends the first alert, and knows its message, before the copy
            due = max(due, clock() + delay)
        entries.append(OutboxEntry(name, alert, due, now))
    return entries


def first_attempt(config: ChannelBase, now: float) -> float:
    """Immediate channels send now; a digest channel sends at its next scheduled tick."""
    when = config.next_digest(datetime.fromtimestamp(now, UTC))
    return float(when.timestamp()) if when is not None else now

"""Which queued alerts a silence holds back: decided at send time, so a silence added while a
flood sits in the outbox stops the flood too.

A silence covers an alert of its watchlist on its channel (every channel when it names none).
It holds the alert back when it is active now, or was when the alert was queued: an alert
queued during a silence is never sent, not even after the silence ends (a digest due later, a
retry after the channel was down). Held-back alerts are recorded in the alert log with the
silence's id and leave the outbox (``delivery.Delivery._hold_silenced``).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.state.base import OutboxEntry
from service.state.records import Silence


def silenced_by(
    silences: Sequence[Silence], watchlist: str, channel: str, queued_at: float, now: float
) -> Silence | None:
    """The silence that holds back an alert of ``watchlist`` on ``channel`` queued at
    ``queued_at``, or None to send it."""
    for silence in silences:
        if silence.covers(watchlist, channel) and (silence.active(now) or silence.active(queued_at)):
            return silence
    return None


def split_silenced(
    silences: Sequence[Silence], entries: Sequence[OutboxEntry], channel: str, now: float
) -> tuple[list[OutboxEntry], list[tuple[OutboxEntry, Silence]]]:
    """(entries to send, entries held back with the silence that holds each), order kept."""
    send: list[OutboxEntry] = []
    held: list[tuple[OutboxEntry, Silence]] = []
    for entry in entries:
        silence = silenced_by(silences, entry.alert.watchlist, channel, entry.created_at, now)
        if silence is None:
            send.append(entry)
        else:
            held.append((entry, silence))
    return send, held

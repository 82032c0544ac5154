"""The editors' records in the state store: what was sent, silences, and the recent items.

- ``AlertRecord``: one alert's fate on one channel, written after the channel accepted it
  (``sent``) or when a silence held it back (``silenced``); kept ``alert_log_ttl``.
- ``Silence``: a watchlist (optionally one channel) held quiet from ``starts_at`` to
  ``ends_at``; kept ``alert_log_ttl`` after it ends, so the alert log can name it.
- ``HistoryItem``: an item as the pipeline first saw it (title, summary, link, feed,
  published, categories), for ``wirewatch replay``; bounded per feed (``history_max``) and
  kept ``history_ttl``. Summaries (the content, for items without one) are cut to
  ``HISTORY_SUMMARY_MAX`` characters and the content is not kept otherwise, which bounds the
  memory (README, "Performance") at the price of missing hits only in an article's body.

Times are UNIX seconds passed in by the caller. The JSON forms are what the stores keep;
fields may be added (readers default them), never renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self

from service.model import Alert, Item

Outcome = Literal["sent", "silenced"]
HISTORY_SUMMARY_MAX = 1000


@dataclass(frozen=True, slots=True)
class Retention:
    """How long the editors' records live; the defaults are the settings' defaults (a unit test
    checks they agree), so stores built in tests keep the documented behaviour."""

    alert_log_ttl: float = 30 * 86400.0
    history_ttl: float = 7 * 86400.0
    history_max: int = 1000


DEFAULT_RETENTION = Retention()


class JsonRecord:
    """``to_json`` / ``from_json`` for a flat dataclass of JSON values: every field by name;
    reading ignores unknown fields and lets missing ones take their defaults."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Self:
        data: dict[str, Any] = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class AlertRecord(JsonRecord):
    """One alert on one channel: ``sent`` in the message ``batch_key``, or ``silenced`` by
    ``silence_id``. Carries what answers "did we alert on this, when, where"."""

    at: float
    channel: str
    outcome: Outcome
    alert_key: str
    watchlist: str
    title: str
    link: str
    feed_id: str
    feed_title: str = ""
    published: float | None = None
    matched: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "match"
    batch_key: str | None = None
    silence_id: str | None = None

    @classmethod
    def of(
        cls,
        alert: Alert,
        channel: str,
        outcome: Outcome,
        at: float,
        *,
        batch_key: str | None = None,
        silence_id: str | None = None,
    ) -> AlertRecord:
        item = alert.item
        return cls(
            at=at,
            channel=channel,
            outcome=outcome,
            alert_key=alert.key,
            watchlist=alert.watchlist,
            title=item.title,
            link=item.link,
            feed_id=item.feed_id,
            feed_title=item.feed_name,
            published=item.published.timestamp() if item.published else None,
            matched=alert.matched,
            kind=alert.kind,
            batch_key=batch_key,
            silence_id=silence_id,
        )


@dataclass(frozen=True, slots=True)
class Silence(JsonRecord):
    """Alerts of ``watchlist`` (on ``channel``, or on every channel when None) are not sent
    while the silence is active, nor later: an alert queued while it was active stays silenced."""

    id: str
    watchlist: str
    channel: str | None
    starts_at: float
    ends_at: float
    reason: str
    created_by: str = ""

    def active(self, at: float) -> bool:
        return self.starts_at <= at < self.ends_at

    def covers(self, watchlist: str, channel: str) -> bool:
        return self.watchlist == watchlist and self.channel in (None, channel)


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """An item kept for replay, and when Wirewatch first saw it."""

    item: Item
    seen_at: float


def history_json(item: Item) -> str:
    """What history keeps of an item, as compact JSON (short keys: millions may be kept): the
    summary (the content when there is no summary) cut to HISTORY_SUMMARY_MAX characters; no
    content besides."""
    data: dict[str, Any] = {
        "i": item.id,
        "f": item.feed_id,
        "t": item.title,
        "l": item.link,
        "p": item.published.timestamp() if item.published else None,
        "s": (item.summary or item.content)[:HISTORY_SUMMARY_MAX],
    }
    if item.categories:
        data["c"] = list(item.categories)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def history_item(raw: str | bytes, seen_at: float) -> HistoryItem:
    data: dict[str, Any] = json.loads(raw)
    published = data.get("p")
    item = Item(
        id=data["i"],
        feed_id=data["f"],
        title=data.get("t", ""),
        link=data.get("l", ""),
        published=datetime.fromtimestamp(published, UTC) if published is not None else None,
        summary=data.get("s", ""),
        content="",
        categories=tuple(data.get("c", ())),
    )
    return HistoryItem(item, seen_at)


def first_sightings(items: list[HistoryItem]) -> list[HistoryItem]:
    """Each item id once, at its first sighting (``items`` oldest first; so is the result)."""
    seen: set[str] = set()
    out = []
    for entry in items:
        if entry.item.id not in seen:
            seen.add(entry.item.id)
            out.append(entry)
    return out

"""What every rich channel says about a batch: titles, counts, digest grouping, safe links.

Channel modules do their own escaping (Slack mrkdwn, Matrix/email HTML); this module only
decides *what* is said, so Slack, Matrix and email agree on wording and order.

Follow-ups (alerts of ``kind: also_reported``) are said the same way everywhere: "also
reported by <feed title>", listed under the first alert of their story when the message has
it, else together under "Also reported: <story title>" (``stories``). Counts tell new
stories and copies apart ("3 alerts, 2 follow-ups").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from service.model import Alert
from service.notify.base import Batch

FOLLOWUP_MARK = "↳"
ALSO_REPORTED = "Also reported"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 story``, ``2 stories``: ``many`` for words that don't just take an s."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def one_line(text: str) -> str:
    """Collapse whitespace (titles come with newlines and tabs from feeds)."""
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def title_of(alert: Alert) -> str:
    return one_line(alert.item.title) or "(no title)"


def safe_link(url: str) -> str | None:
    """The item link if it is an absolute http(s) URL (javascript:, data: etc. are dropped)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return url.strip()
    return None


def when(alert: Alert) -> datetime:
    """Sort time: published, else when the alert was made (always aware)."""
    moment = alert.item.published or alert.created_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def newest_first(alerts: Sequence[Alert]) -> list[Alert]:
    """By published time (else when the alert was made), newest first; ties by key, so the
    order never depends on the order the outbox handed them over."""
    return sorted(alerts, key=lambda a: (when(a), a.key), reverse=True)


GROUP_SNIPPETS_TOTAL = 8000  # characters of snippets in one grouped message at most
GROUP_SNIPPET_MAX = 240


def snippet_room(count: int) -> int:
    """Characters each snippet may have in a message listing ``count`` alerts: its share of
    GROUP_SNIPPETS_TOTAL, at most GROUP_SNIPPET_MAX, so 50 alerts still fit Slack's and
    Matrix's limits with their titles and links."""
    return max(60, min(GROUP_SNIPPET_MAX, GROUP_SNIPPETS_TOTAL // max(1, count)))


def by_watchlist(alerts: Sequence[Alert]) -> list[tuple[str, list[Alert]]]:
    """Watchlists with the most alerts first (then by name); alerts newest first in each."""
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.watchlist, []).append(alert)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(name, newest_first(items)) for name, items in ordered]


def watchlist_count(batch: Batch) -> int:
    return len({a.watchlist for a in batch.alerts})


def story_title_of(alert: Alert) -> str:
    """The title of the story ``alert`` belongs to, as its first alert showed it; the alert's
    own title when it carries none (a first alert, or an entry queued before stories)."""
    return one_line(alert.story_title) or title_of(alert)


def reported_by(alert: Alert, start: bool = False) -> str:
    """``also reported by <feed title>`` (``Also ...`` to start a sentence): the words every
    channel uses for a follow-up."""
    words = ALSO_REPORTED if start else ALSO_REPORTED.lower()
    return f"{words} by {one_line(alert.item.feed_name)}"


def is_single_followup(batch: Batch) -> bool:
    """One follow-up sent on its own: the message a threading channel puts under its story."""
    return batch.kind == "single" and len(batch.alerts) == 1 and batch.alerts[0].is_followup


def count_text(alerts: Sequence[Alert]) -> str:
    """``3 alerts``; ``3 alerts, 2 follow-ups``; ``2 follow-ups of 1 story`` (only copies):
    new stories and copies of known ones are counted apart."""
    copies = [a for a in alerts if a.is_followup]
    firsts = len(alerts) - len(copies)
    if not copies:
        return plural(firsts, "alert")
    if firsts:
        return f"{plural(firsts, 'alert')}, {plural(len(copies), 'follow-up')}"
    told = len({(a.watchlist, a.story_key) for a in copies})
    return f"{plural(len(copies), 'follow-up')} of {plural(told, 'story', 'stories')}"


def group_headline(batch: Batch) -> str:
    """Counts for a message listing alerts: "Wirewatch: …", "Wirewatch digest: …", or
    "Also reported: …" for a group made only of follow-ups."""
    counts = f"{count_text(batch.alerts)} ({plural(watchlist_count(batch), 'watchlist')})"
    if batch.kind == "digest":
        return f"Wirewatch digest: {counts}"
    if all(a.is_followup for a in batch.alerts):
        return f"{ALSO_REPORTED}: {counts}"
    return f"Wirewatch: {counts}"


def headline(batch: Batch) -> str:
    """One line naming the batch: the alert's title (a follow-up: who also reported it), or
    counts for a group or digest."""
    if batch.kind != "single" or len(batch.alerts) > 1:
        return group_headline(batch)
    alert = batch.alerts[0]
    if alert.is_followup:
        return f"[{alert.watchlist}] {reported_by(alert, start=True)}: {title_of(alert)}"
    return f"[{alert.watchlist}] {title_of(alert)}"


@dataclass(frozen=True, slots=True)
class Story:
    """One story in a message: its first alert (``lead``) when the message carries it, then
    its follow-ups oldest first, as they were reported. Without a lead the follow-ups are
    shown under ``title`` ("Also reported: <title>")."""

    key: str
    watchlist: str
    title: str
    lead: Alert | None
    followups: tuple[Alert, ...]

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return ((self.lead,) if self.lead else ()) + self.followups

    @property
    def latest(self) -> datetime:
        return max(when(a) for a in self.alerts)


def _story(lead: Alert | None, copies: list[Alert]) -> Story:
    first = lead or copies[0]
    ordered = tuple(sorted(copies, key=lambda a: (when(a), a.key)))
    title = title_of(lead) if lead else story_title_of(first)
    return Story(first.story_key, first.watchlist, title, lead, ordered)


def stories(alerts: Sequence[Alert]) -> list[Story]:
    """The alerts as stories, the one with the newest alert first (ties by key, so the order
    never depends on the outbox's). Every alert is in exactly one story: a follow-up joins
    its story's first alert when that is here; an alert that is not a follow-up leads its own."""
    leads: dict[tuple[str, str], Alert] = {}
    copies: dict[tuple[str, str], list[Alert]] = {}
    found: list[Story] = []
    for alert in alerts:
        slot = (alert.watchlist, alert.story_key)
        if alert.is_followup:
            copies.setdefault(slot, []).append(alert)
        elif slot in leads:  # two first alerts of one story: never lose the second
            found.append(_story(alert, []))
        else:
            leads[slot] = alert
    for slot in leads.keys() | copies.keys():
        found.append(_story(leads.get(slot), copies.get(slot, [])))
    return sorted(found, key=lambda s: (s.latest, s.key, s.watchlist), reverse=True)


def stories_by_watchlist(alerts: Sequence[Alert]) -> list[tuple[str, list[Story]]]:
    """``by_watchlist`` (most alerts first), each watchlist's alerts as ``stories``."""
    return [(name, stories(items)) for name, items in by_watchlist(alerts)]

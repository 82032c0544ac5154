"""What every rich channel says about a batch: titles, counts, digest grouping, safe links.

Channel modules do their own escaping (Slack mrkdwn, Matrix/email HTML); this module only
decides *what* is said, so Slack, Matrix and email agree on wording and order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from service.model import Alert
from service.notify.base import Batch


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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


def newest_first(alerts: tuple[Alert, ...] | list[Alert]) -> list[Alert]:
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


def by_watchlist(alerts: tuple[Alert, ...] | list[Alert]) -> list[tuple[str, list[Alert]]]:
    """Watchlists with the most alerts first (then by name); alerts newest first in each."""
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.watchlist, []).append(alert)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(name, newest_first(items)) for name, items in ordered]


def watchlist_count(batch: Batch) -> int:
    return len({a.watchlist for a in batch.alerts})


def headline(batch: Batch) -> str:
    """One line naming the batch: the alert's title, or counts for a group or digest."""
    n, w = len(batch.alerts), watchlist_count(batch)
    if batch.kind == "digest":
        return f"Wirewatch digest: {plural(n, 'alert')} ({plural(w, 'watchlist')})"
    if batch.kind == "group" or n > 1:
        return f"Wirewatch: {plural(n, 'alert')} ({plural(w, 'watchlist')})"
    alert = batch.alerts[0]
    return f"[{alert.watchlist}] {title_of(alert)}"

"""Plain-text rendering of an alert, shared by every channel that shows text."""

from __future__ import annotations

from datetime import UTC

from service.model import Alert, DateSource, Item
from service.notify.render import reported_by, story_title_of

CATEGORY_LABELS = {"cities": "Cities", "groups": "Groups", "keywords": "Keywords"}


def matched_summary(matched: dict[str, list[str]]) -> str:
    """``Cities: Hama, Homs · Groups: HTS`` (categories in a fixed order, empty ones left out)."""
    parts = []
    for category in sorted(matched, key=lambda c: (c not in CATEGORY_LABELS, c)):
        names = matched[category]
        if names:
            label = CATEGORY_LABELS.get(category, category.title())
            parts.append(f"{label}: {', '.join(names)}")
    return " · ".join(parts)


def published_text(alert: Alert) -> str:
    return item_date_text(alert.item)


def item_date_text(item: Item) -> str:
    """``2024-05-01 11:40 UTC``, or ``first seen 2024-05-01 11:42 UTC (no date in feed)``.

    "no date" is left only for alerts stored before items carried ``date_source``.
    """
    published = item.published
    if published is None:
        return "no date"
    stamp = published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if item.date_source is DateSource.FIRST_SEEN:
        return f"first seen {stamp} (no date in feed)"
    return stamp


def alert_lines(alert: Alert) -> list[str]:
    """A readable block: watchlist, title, link, matched terms, feed, time, snippet."""
    item = alert.item
    lines = [
        f"[{alert.watchlist}] {item.title or '(no title)'}",
        f"  {item.link}" if item.link else "  (no link)",
        f"  matched: {matched_summary(alert.matched) or '-'}",
        f"  feed: {item.feed_name} · {published_text(alert)}",
    ]
    if alert.snippet:
        lines.append(f"  “{alert.snippet}”")
    return lines


def followup_lines(alert: Alert) -> list[str]:
    """``alert_lines`` for a follow-up: who also reported it, and the story it belongs to."""
    lines = alert_lines(alert)
    lines[0] = f"[{alert.watchlist}] {reported_by(alert, start=True)}: {alert.item.title or '(no title)'}"
    lines.insert(2, f"  story: {story_title_of(alert)}")
    return lines


def followup_line(alert: Alert) -> str:
    """One line for a follow-up where a terminal lists alerts: who also reported it and the
    story it belongs to (its first alert was printed before, maybe long ago)."""
    item = alert.item
    where = f" {item.link}" if item.link else ""
    return (
        f"[{alert.watchlist}] {reported_by(alert)}: {item.title or '(no title)'}{where}"
        f" (story: {story_title_of(alert)})"
    )

"""Plain-text rendering of an alert, shared by every channel that shows text."""

from __future__ import annotations

from service.model import Alert

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
    published = alert.item.published
    return published.strftime("%Y-%m-%d %H:%M UTC") if published else "no date"


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

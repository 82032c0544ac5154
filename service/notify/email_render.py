"""Email bodies: plain text plus HTML (feed text escaped), for one alert, a burst or a digest.

A digest lists alerts grouped by watchlist (most alerts first), newest first in each, with
counts in the headings and the subject. The Message-ID comes from the batch key, so a
retried send carries the same id and mail systems can drop the duplicate.
"""

from __future__ import annotations

import hashlib
import html
import re
from email.message import EmailMessage
from email.utils import formatdate

from service.model import Alert
from service.notify.base import Batch
from service.notify.render import (
    by_watchlist,
    clip,
    headline,
    one_line,
    plural,
    safe_link,
    title_of,
)
from service.notify.text import alert_lines, matched_summary, published_text

_ID_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
FOOTER = "Sent by Wirewatch."


def message_id(batch: Batch) -> str:
    """``<key@wirewatch>``: stable for a batch; keys with odd characters are hashed first."""
    key = batch.key if _ID_SAFE.match(batch.key) else hashlib.sha256(batch.key.encode()).hexdigest()
    return f"<{key}@wirewatch>"


def subject(batch: Batch, prefix: str = "") -> str:
    text = clip(one_line(headline(batch)), 200)
    return f"{one_line(prefix)} {text}" if prefix.strip() else text


def _alert_html(alert: Alert, heading: str = "h3") -> str:
    e = html.escape
    url = safe_link(alert.item.link)
    title = e(title_of(alert))
    linked = f'<a href="{e(url)}">{title}</a>' if url else title
    meta = f"{e(alert.watchlist)} · {e(alert.item.feed_name)} · {e(published_text(alert))}"
    parts = [f'<{heading} style="margin:12px 0 4px">{linked}</{heading}>', f"<div>{meta}</div>"]
    matched = matched_summary(alert.matched)
    if matched:
        parts.append(f"<div>Matched: {e(matched)}</div>")
    if alert.snippet:
        snippet = e(clip(one_line(alert.snippet), 1000))
        parts.append(f'<blockquote style="color:#444">{snippet}</blockquote>')
    return "\n".join(parts)


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif">\n{body}\n'
        f'<p style="color:#888;font-size:small">{FOOTER}</p></body></html>\n'
    )


def render_text(batch: Batch) -> str:
    if batch.kind == "single" and len(batch.alerts) == 1:
        return "\n".join(alert_lines(batch.alerts[0])) + f"\n\n-- \n{FOOTER}\n"
    lines = [headline(batch), ""]
    for watchlist, alerts in by_watchlist(batch.alerts):
        lines.append(f"== {watchlist} ({plural(len(alerts), 'alert')}) ==")
        lines.append("")
        for alert in alerts:
            lines.extend(alert_lines(alert))
            lines.append("")
    return "\n".join(lines) + f"-- \n{FOOTER}\n"


def render_html(batch: Batch) -> str:
    if batch.kind == "single" and len(batch.alerts) == 1:
        return _page(_alert_html(batch.alerts[0], "h2"))
    parts = [f"<h1>{html.escape(headline(batch))}</h1>"]
    for watchlist, alerts in by_watchlist(batch.alerts):
        parts.append(f"<h2>{html.escape(watchlist)} ({plural(len(alerts), 'alert')})</h2>")
        parts.extend(_alert_html(a) for a in alerts)
    return _page("\n".join(parts))


def build_message(
    batch: Batch, sender: str, to: list[str], prefix: str = "", now: float | None = None
) -> EmailMessage:
    """A multipart/alternative message, text first, HTML preferred by clients that can."""
    msg = EmailMessage()
    msg["Subject"] = subject(batch, prefix)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(now, usegmt=True)
    msg["Message-ID"] = message_id(batch)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Wirewatch-Key"] = batch.key
    msg.set_content(render_text(batch))
    msg.add_alternative(render_html(batch), subtype="html")
    return msg

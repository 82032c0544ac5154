"""Email bodies: plain text plus HTML (feed text escaped), for one alert, a burst or a digest.

A digest lists alerts grouped by watchlist (most alerts first), newest first in each, with
counts in the headings and the subject; follow-ups are listed under their story. The
Message-ID comes from the batch key, so a retried send carries the same id and mail systems
can drop the duplicate.

A follow-up sent alone is a reply to its story's first message: ``In-Reply-To`` and
``References`` name the Message-ID that carried the story on this channel (``Batch.roots``),
else the one the first alert had when sent alone, and the subject is ``Re:`` and that
message's subject, so mail clients put it in the same conversation.
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
    ALSO_REPORTED,
    FOLLOWUP_MARK,
    Story,
    clip,
    count_text,
    headline,
    is_single_followup,
    one_line,
    reported_by,
    safe_link,
    stories_by_watchlist,
    story_title_of,
    title_of,
)
from service.notify.text import alert_lines, followup_lines, matched_summary, published_text

_ID_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# a msg-id as we would write one: <left@right>, printable ASCII without <, >, @ or spaces
_MSG_ID = re.compile(r"<[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}@[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}>")
FOOTER = "Sent by Wirewatch."


def message_id_for(key: str) -> str:
    """``<key@wirewatch>``; keys with odd characters are hashed first."""
    safe = key if _ID_SAFE.match(key) else hashlib.sha256(key.encode()).hexdigest()
    return f"<{safe}@wirewatch>"


def message_id(batch: Batch) -> str:
    """The batch's Message-ID: stable across retries."""
    return message_id_for(batch.key)


def parent_id(batch: Batch) -> str | None:
    """The Message-ID a lone follow-up replies to: the message that carried its story on this
    channel, else the id its first alert had when sent alone; None for any other batch. A
    stored ref that is not a msg-id is not copied into a header."""
    if not is_single_followup(batch):
        return None
    story = batch.alerts[0].story_key
    root = batch.roots.get(story)
    return root if root and _MSG_ID.fullmatch(root) else message_id_for(story)


def _subject_line(text: str, prefix: str) -> str:
    text = clip(one_line(text), 200)
    return f"{one_line(prefix)} {text}" if prefix.strip() else text


def subject(batch: Batch, prefix: str = "") -> str:
    """The headline; for a lone follow-up ``Re:`` and the subject its story's first alert had."""
    if is_single_followup(batch):
        alert = batch.alerts[0]
        return "Re: " + _subject_line(f"[{alert.watchlist}] {story_title_of(alert)}", prefix)
    return _subject_line(headline(batch), prefix)


def _linked(alert: Alert) -> str:
    url = safe_link(alert.item.link)
    title = html.escape(title_of(alert))
    return f'<a href="{html.escape(url)}">{title}</a>' if url else title


def _alert_html(alert: Alert, heading: str = "h3") -> str:
    e = html.escape
    linked = _linked(alert)
    if alert.is_followup:
        linked = f"{e(reported_by(alert, start=True))}: {linked}"
    meta = f"{e(alert.watchlist)} · {e(alert.item.feed_name)} · {e(published_text(alert))}"
    parts = [f'<{heading} style="margin:12px 0 4px">{linked}</{heading}>', f"<div>{meta}</div>"]
    if alert.is_followup:
        parts.append(f"<div>Story: {e(story_title_of(alert))}</div>")
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


def _story_text(story: Story) -> list[str]:
    """The first alert's block (or "Also reported: <story title>"), then a line per copy."""
    lines = alert_lines(story.lead) if story.lead else [f"{ALSO_REPORTED}: {story.title}"]
    for alert in story.followups:
        lines.append(f"  {FOLLOWUP_MARK} {reported_by(alert)}: {title_of(alert)} {alert.item.link}".rstrip())
    return lines


def _story_html(story: Story) -> str:
    """The HTML twin of ``_story_text``: copies as a list under the story."""
    e = html.escape
    if story.lead:
        head = _alert_html(story.lead)
    else:
        head = f'<h3 style="margin:12px 0 4px">{ALSO_REPORTED}: {e(story.title)}</h3>'
    if not story.followups:
        return head
    items = "".join(f"<li>{e(reported_by(a))}: {_linked(a)}</li>" for a in story.followups)
    return f"{head}\n<ul>{items}</ul>"


def _watchlist_count(stories: list[Story]) -> str:
    return count_text([a for s in stories for a in s.alerts])


def render_text(batch: Batch) -> str:
    if batch.kind == "single" and len(batch.alerts) == 1:
        alert = batch.alerts[0]
        lines = followup_lines(alert) if alert.is_followup else alert_lines(alert)
        return "\n".join(lines) + f"\n\n-- \n{FOOTER}\n"
    lines = [headline(batch), ""]
    for watchlist, found in stories_by_watchlist(batch.alerts):
        lines.append(f"== {watchlist} ({_watchlist_count(found)}) ==")
        lines.append("")
        for story in found:
            lines.extend(_story_text(story))
            lines.append("")
    return "\n".join(lines) + f"-- \n{FOOTER}\n"


def render_html(batch: Batch) -> str:
    if batch.kind == "single" and len(batch.alerts) == 1:
        return _page(_alert_html(batch.alerts[0], "h2"))
    parts = [f"<h1>{html.escape(headline(batch))}</h1>"]
    for watchlist, found in stories_by_watchlist(batch.alerts):
        parts.append(f"<h2>{html.escape(watchlist)} ({_watchlist_count(found)})</h2>")
        parts.extend(_story_html(s) for s in found)
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
    parent = parent_id(batch)
    if parent is not None:
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Wirewatch-Key"] = batch.key
    msg.set_content(render_text(batch))
    msg.add_alternative(render_html(batch), subtype="html")
    return msg

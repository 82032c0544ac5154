"""Matrix message content: a plain ``body`` and sanitized HTML, and thread replies for follow-ups.

``formatted_body`` is built from escaped feed text and then cleaned with nh3 against the
spec's allow-list; ``m.mentions: {}`` tells clients that nothing in the message mentions
anyone, so a feed title containing ``@room`` pings nobody.

A follow-up sent alone whose story has a known root event goes into that event's thread
(``m.thread``, spec v1.4+), with a reply fallback so clients without threads show it as a
reply to the first alert; without a root it is an ordinary notice naming its story.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

import nh3

from service.model import Alert
from service.notify.base import Batch
from service.notify.render import (
    ALSO_REPORTED,
    FOLLOWUP_MARK,
    Story,
    clip,
    headline,
    is_single_followup,
    one_line,
    reported_by,
    safe_link,
    snippet_room,
    stories_by_watchlist,
    story_title_of,
    title_of,
)
from service.notify.text import alert_lines, matched_summary, published_text

# Client-server spec, "m.room.message msgtypes / HTML": the tags and attributes clients must
# accept. ``img`` is left out: its src must be an mxc:// URI and we never send images.
ALLOWED_TAGS = frozenset(
    "font del h1 h2 h3 h4 h5 h6 blockquote p a ul ol sup sub li b i u strong em s code hr br "
    "div table thead tbody tr th td caption pre span details summary".split()
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "font": {"data-mx-bg-color", "data-mx-color", "color"},
    "span": {"data-mx-bg-color", "data-mx-color", "data-mx-spoiler", "data-mx-maths"},
    "a": {"target", "href"},
    "ol": {"start"},
    "code": {"class"},
    "div": {"data-mx-maths"},
}
ALLOWED_SCHEMES = frozenset({"https", "http", "ftp", "mailto", "magnet"})
LIST_MAX = 50
# an event id as a homeserver returns it: '$' and printable ASCII (every room version)
_EVENT_ID = re.compile(r"\$[!-~]{1,254}")


def sanitize(fragment: str) -> str:
    """HTML limited to the spec's allow-list (defence in depth: our own HTML is escaped)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=None,
    )


def txn_id(batch: Batch) -> str:
    """The same for every attempt of a batch, and URL-safe whatever the key contains."""
    return "wirewatch-" + hashlib.sha256(batch.key.encode()).hexdigest()[:40]


def event_id(value: object) -> str | None:
    """``value`` if it is an event id we can relate to, else None (a homeserver's odd answer
    or a stored ref that is not one must not turn a follow-up into a rejected event)."""
    return value if isinstance(value, str) and _EVENT_ID.fullmatch(value) else None


def _linked_title(alert: Alert) -> str:
    title = html.escape(clip(title_of(alert), 300))
    url = safe_link(alert.item.link)
    return f'<a href="{html.escape(url)}">{title}</a>' if url and len(url) <= 1000 else title


def _alert_html(alert: Alert) -> str:
    e = html.escape
    parts = [
        f"<p><b>{_linked_title(alert)}</b><br>",
        f"<i>{e(alert.watchlist)}</i> · {e(alert.item.feed_name)} · {e(published_text(alert))}",
    ]
    matched = matched_summary(alert.matched)
    if matched:
        parts.append(f"<br>Matched: {e(matched)}")
    parts.append("</p>")
    if alert.snippet:
        parts.append(f"<blockquote>{e(clip(one_line(alert.snippet), 1000))}</blockquote>")
    return "".join(parts)


def _list_item(alert: Alert, snippet_chars: int) -> str:
    """Linked title — watchlist · feed title · published; matched terms; the snippet, cut."""
    e = html.escape
    parts = [
        f"{_linked_title(alert)} — <i>{e(alert.watchlist)}</i> · "
        f"{e(alert.item.feed_name)} · {e(published_text(alert))}"
    ]
    matched = matched_summary(alert.matched)
    if matched:
        parts.append(f"<br>Matched: {e(matched)}")
    if alert.snippet:
        parts.append(f"<br><i>{e(clip(one_line(alert.snippet), snippet_chars))}</i>")
    return "".join(parts)


def _list_line(alert: Alert, snippet_chars: int) -> str:
    """The plain-text twin of ``_list_item``."""
    line = f"- {clip(title_of(alert), 300)} {alert.item.link[:1000]}".rstrip()
    details = [alert.item.feed_name, published_text(alert), matched_summary(alert.matched)]
    line += "\n  " + " · ".join(d for d in details if d)
    if alert.snippet:
        line += f"\n  “{clip(one_line(alert.snippet), snippet_chars)}”"
    return line


def _followup_text(alert: Alert, start: bool = False) -> str:
    """``also reported by <feed>: <title> <link>``, the plain words of a follow-up."""
    words = reported_by(alert, start)
    return f"{words}: {clip(title_of(alert), 300)} {alert.item.link[:1000]}".rstrip()


def _followup_html(alert: Alert, start: bool = False) -> str:
    return f"{html.escape(reported_by(alert, start))}: {_linked_title(alert)}"


def _story_lines(story: Story, shown: tuple[Alert, ...], snippet_chars: int) -> list[str]:
    """Plain lines for a story: its first alert's entry (or "Also reported: <story title>"),
    then one ``↳`` line per follow-up shown."""
    if story.lead is not None:  # first in ``alerts``, so first of any alerts shown
        lines = [_list_line(story.lead, snippet_chars)]
        shown = shown[1:]
    else:
        lines = [f"- {ALSO_REPORTED}: {clip(story.title, 300)}"]
    lines.extend(f"  {FOLLOWUP_MARK} {_followup_text(a)}" for a in shown)
    return lines


def _story_item(story: Story, shown: tuple[Alert, ...], snippet_chars: int) -> str:
    """The HTML twin of ``_story_lines``: one ``<li>``, follow-ups in a nested list."""
    if story.lead is not None:
        head = _list_item(story.lead, snippet_chars)
        shown = shown[1:]
    else:
        head = f"{ALSO_REPORTED}: <b>{html.escape(clip(story.title, 300))}</b>"
    copies = "".join(f"<li>{_followup_html(a)}</li>" for a in shown)
    return f"<li>{head}" + (f"<ul>{copies}</ul>" if copies else "") + "</li>"


def _single(batch: Batch) -> tuple[str, str]:
    """One alert: its block; a follow-up threaded under its root says only who else reported
    it, one without a root names its story first."""
    alert = batch.alerts[0]
    if not alert.is_followup:
        return "\n".join(alert_lines(alert)), sanitize(_alert_html(alert))
    if thread_root(batch) is not None:
        return _followup_text(alert, start=True), sanitize(f"<p>{_followup_html(alert, start=True)}</p>")
    story = f"[{alert.watchlist}] {ALSO_REPORTED}: {clip(story_title_of(alert), 300)}"
    plain = f"{story}\n{FOLLOWUP_MARK} {_followup_text(alert)}"
    rich = f"<p><b>{html.escape(story)}</b><br>{FOLLOWUP_MARK} {_followup_html(alert)}</p>"
    return plain, sanitize(rich)


def _section(watchlist: str, found: list[Story], budget: int, room_each: int) -> tuple[list[str], str, int]:
    """One watchlist's heading and stories, at most ``budget`` alerts listed: (plain lines,
    HTML, alerts listed)."""
    total = sum(len(s.alerts) for s in found)
    plain = [f"\n{watchlist} ({total})"]
    items = []
    listed = 0
    for story in found:
        shown = story.alerts[: max(0, budget - listed)]
        listed += len(shown)
        if shown:
            plain.extend(_story_lines(story, shown, room_each))
            items.append(_story_item(story, shown, room_each))
    rich = f"<h4>{html.escape(watchlist)} ({total})</h4>"
    if items:
        rich += "<ul>" + "".join(items) + "</ul>"
    if total > listed:
        plain.append(f"…and {total - listed} more")
        rich += f"<p>…and {total - listed} more</p>"
    return plain, rich, listed


def render(batch: Batch) -> tuple[str, str]:
    """(plain body, sanitized HTML) for a batch; lists are grouped by watchlist, then story."""
    if batch.kind == "single" and len(batch.alerts) == 1:
        return _single(batch)
    head = headline(batch)
    plain = [head]
    rich = [f"<p><b>{html.escape(head)}</b></p>"]
    budget = LIST_MAX  # alerts across the batch: Matrix events must stay under 64 KiB
    room_each = snippet_room(min(len(batch.alerts), LIST_MAX))
    for watchlist, found in stories_by_watchlist(batch.alerts):
        lines, section, listed = _section(watchlist, found, budget, room_each)
        budget -= listed
        plain.extend(lines)
        rich.append(section)
    return "\n".join(plain), sanitize("".join(rich))


def thread_root(batch: Batch) -> str | None:
    """The event a lone follow-up is threaded under: its story's root on this channel."""
    if not is_single_followup(batch):
        return None
    return event_id(batch.roots.get(batch.alerts[0].story_key))


def build_event(batch: Batch) -> dict[str, Any]:
    """The ``m.room.message`` content sent for a batch; a threaded follow-up carries an
    ``m.thread`` relation with the reply fallback clients without threads show."""
    body, formatted = render(batch)
    event: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
        "m.mentions": {},
    }
    root = thread_root(batch)
    if root is not None:
        event["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": root},
        }
    return event

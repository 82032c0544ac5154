"""Slack incoming webhooks: one Block Kit message per batch, safe against hostile feed text.

Feed text is untrusted. Every piece of it goes through ``escape`` (``&``, ``<``, ``>``), so a
title like ``<!channel>`` or ``<https://evil|click>`` is shown literally, pings nobody and
hides no link; only links we build ourselves (``<url|title>``) are live. Link previews are
off unless the channel sets ``unfurl: true``. Messages stay within Slack's limits: header 150
characters, section text 3000, 50 blocks.

An incoming webhook cannot reply in a thread, so follow-ups are held and arrive in a grouped
message: one section per story, its first alert (when the message has it, else "Also
reported: <story title>") and a ``↳ also reported by <feed>: <link>`` line per copy.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
from pydantic import ConfigDict, SecretStr, field_validator

from service.logs import get_logger
from service.model import Alert
from service.notify.base import Batch, SendResult
from service.notify.config import ChannelBase
from service.notify.http import check_http_url, classify_response, send_request, short_token
from service.notify.render import (
    ALSO_REPORTED,
    FOLLOWUP_MARK,
    Story,
    clip,
    group_headline,
    headline,
    one_line,
    reported_by,
    safe_link,
    snippet_room,
    stories,
    title_of,
)
from service.notify.text import matched_summary, published_text
from service.settings import Settings

log = get_logger(__name__)

HEADER_MAX = 150
SECTION_MAX = 3000
BLOCKS_MAX = 50
_ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


class SlackConfig(ChannelBase):
    model_config = ConfigDict(hide_input_in_errors=True)

    type: Literal["slack"] = "slack"
    webhook_url: SecretStr
    unfurl: bool = False

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        check_http_url(value.get_secret_value())
        return value

    @property
    def can_thread(self) -> bool:
        """An incoming webhook cannot reply in a thread: follow-ups fold into one later message."""
        return False

    def default_rate_limit(self) -> float | None:
        """Slack allows about one message per second per incoming webhook."""
        return self.rate_limit if self.rate_limit is not None else 1.0


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else needs escaping."""
    return "".join(_ESC.get(ch, ch) for ch in text)


def escape_clip(text: str, limit: int) -> str:
    """Escaped text of at most ``limit`` characters, cut between entities (never inside one)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    for ch in text:
        piece = _ESC.get(ch, ch)
        if size + len(piece) > limit - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out).rstrip() + "…"


def link(url: str, label: str) -> str:
    """``<url|label>`` for an http(s) URL (label already escaped), else just the label."""
    safe = safe_link(url)
    if safe is None or len(safe) > 1500:
        return label
    target = escape(safe).replace("|", "%7C").replace(" ", "%20")
    return f"<{target}|{label}>"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text[:SECTION_MAX])}


def single_blocks(alert: Alert) -> list[dict[str, Any]]:
    """Title as a link, then watchlist / feed / time, matched terms and the snippet."""
    item = alert.item
    blocks = [
        _section(f"*{link(item.link, escape_clip(title_of(alert), 1000))}*"),
        {
            "type": "context",
            "elements": [
                _mrkdwn(
                    f"*{escape_clip(alert.watchlist, 200)}* · {escape_clip(item.feed_name, 200)}"
                    f" · {published_text(alert)}"
                )
            ],
        },
    ]
    matched = matched_summary(alert.matched)
    if matched:
        blocks.append(_section(f"*Matched:* {escape_clip(matched, 1500)}"))
    if alert.snippet:
        blocks.append(_section("> " + escape_clip(one_line(alert.snippet), 2500)))
    return blocks


def _alert_line(alert: Alert, snippet_chars: int) -> str:
    """Linked title; watchlist · feed title · published · matched terms; the snippet, cut."""
    item = alert.item
    parts = [
        f"_{escape_clip(alert.watchlist, 100)}_",
        escape_clip(item.feed_name, 100),
        published_text(alert),
    ]
    matched = matched_summary(alert.matched)
    if matched:
        parts.append(escape_clip(matched, 500))
    line = f"*{link(item.link, escape_clip(title_of(alert), 300))}*\n" + " · ".join(parts)
    if alert.snippet:
        line += "\n> " + escape_clip(one_line(alert.snippet), snippet_chars)
    return line


def _followup_line(alert: Alert) -> str:
    """``↳ also reported by <feed>: <linked title>``."""
    title = link(alert.item.link, escape_clip(title_of(alert), 300))
    return f"{FOLLOWUP_MARK} {escape_clip(reported_by(alert), 120)}: {title}"


def _fold(head: str, lines: list[str]) -> str:
    """``head`` and as many ``lines`` as fit one section, then "…and N more" for the rest
    (never a line cut in half, which could break a link)."""
    reserve = 40  # room for the "…and N more" line
    text = head
    for shown, line in enumerate(lines):
        if len(text) + 1 + len(line) > SECTION_MAX - reserve:
            return f"{text}\n{FOLLOWUP_MARK} …and {len(lines) - shown} more"
        text += "\n" + line
    return text


def _story_text(story: Story, snippet_chars: int) -> str:
    """One story's section: its first alert's entry, or "Also reported: <story title>" with
    its watchlist; then a line per follow-up."""
    if story.lead is not None:
        head = _alert_line(story.lead, snippet_chars)
    else:
        head = f"*{ALSO_REPORTED}:* {escape_clip(story.title, 300)}\n_{escape_clip(story.watchlist, 100)}_"
    return _fold(head, [_followup_line(a) for a in story.followups])


def list_blocks(batch: Batch) -> list[dict[str, Any]]:
    """A header with the counts, then one section per story (newest first, follow-ups folded
    under it), within 50 blocks."""
    header = {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(group_headline(batch), HEADER_MAX)},
    }
    found = stories(batch.alerts)
    room = BLOCKS_MAX - 1
    shown = found if len(found) <= room else found[: room - 1]
    room_each = snippet_room(len(shown))
    blocks: list[dict[str, Any]] = [header, *(_section(_story_text(s, room_each)) for s in shown)]
    if len(shown) < len(found):
        more = sum(len(s.alerts) for s in found[len(shown) :])
        blocks.append({"type": "context", "elements": [_mrkdwn(f"…and {more} more")]})
    return blocks


def build_payload(batch: Batch, unfurl: bool = False) -> dict[str, Any]:
    """The JSON body posted to the webhook: blocks plus an escaped ``text`` fallback. A lone
    follow-up is shown as its story with one copy (the header holds no feed text)."""
    if batch.kind == "single" and len(batch.alerts) == 1 and not batch.alerts[0].is_followup:
        alert = batch.alerts[0]
        blocks = single_blocks(alert)
        text = f"[{escape_clip(alert.watchlist, 200)}] " + link(
            alert.item.link, escape_clip(title_of(alert), 1000)
        )
    else:
        blocks = list_blocks(batch)
        text = escape(headline(batch))
    return {"text": text, "blocks": blocks, "unfurl_links": unfurl, "unfurl_media": unfurl}


class SlackNotifier:
    """Posts to one incoming webhook; the URL is the secret and never leaves this object."""

    label = "slack"

    def __init__(self, name: str, config: SlackConfig, http: httpx.AsyncClient, settings: Settings) -> None:
        self.name = name
        self._config = config
        self._http = http
        self._timeout = config.timeout(settings.send_timeout)

    async def send(self, batch: Batch) -> SendResult:
        body = json.dumps(build_payload(batch, self._config.unfurl), ensure_ascii=False)
        result = await send_request(
            self.label,
            self._http,
            "POST",
            self._config.webhook_url.get_secret_value(),
            timeout=self._timeout,
            judge=lambda response: classify_response(self.label, response, short_token(response.text)),
            headers={"Content-Type": "application/json; charset=utf-8"},
            content=body.encode(),
        )
        if not result.ok:
            log.debug("send_failed", channel=self.name, alert_key=batch.key, error=result.reason)
        return result

    async def aclose(self) -> None:
        return None

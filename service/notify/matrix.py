"""Matrix: one ``m.notice`` per batch via the client-server API, idempotent across retries.

``PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}``: the txnId is derived
from the batch key, so a retry after a lost answer is deduplicated by the homeserver instead
of posting twice. ``formatted_body`` is built from escaped feed text and then cleaned with
nh3 against the spec's allow-list; ``m.mentions: {}`` tells clients that nothing in the
message mentions anyone, so a feed title containing ``@room`` pings nobody.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any, Literal
from urllib.parse import quote

import httpx
import nh3
from pydantic import ConfigDict, SecretStr, field_validator

from service.logs import get_logger
from service.model import Alert
from service.notify.base import Batch, SendResult
from service.notify.config import ChannelBase
from service.notify.http import (
    check_http_url,
    classify_status,
    parse_retry_after,
    send_request,
    short_token,
)
from service.notify.render import by_watchlist, clip, headline, one_line, safe_link, snippet_room, title_of
from service.notify.text import alert_lines, matched_summary, published_text
from service.settings import Settings

log = get_logger(__name__)

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

# Appendices, "Room IDs" and "Server Name" (spec v1.16): up to room version 11 a room id is
# ``!opaque:server_name``, the opaque part anything but ':' and NUL; from version 12 it is the
# create event's id with '!' for '$', i.e. the sha256 reference hash in URL-safe unpadded base64.
_SERVER_NAME = r"(?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(?::[0-9]{1,5})?"
_ROOM_ID = re.compile(rf"!(?:[^:\x00]+:{_SERVER_NAME}|[A-Za-z0-9_-]{{43}})")
ROOM_ID_MAX_BYTES = 255
ROOM_ID_HINT = (
    "must be a room id (Room settings > Advanced) like '!abc:example.org' or, in rooms of "
    "version 12 and later, '!' and 43 characters; not a #alias"
)


def is_room_id(value: str) -> bool:
    """True for every room id the spec allows, of any room version; False for aliases and junk."""
    return _ROOM_ID.fullmatch(value) is not None and len(value.encode()) <= ROOM_ID_MAX_BYTES


class MatrixConfig(ChannelBase):
    model_config = ConfigDict(hide_input_in_errors=True)

    type: Literal["matrix"] = "matrix"
    homeserver: str
    room_id: str
    access_token: SecretStr

    @field_validator("homeserver")
    @classmethod
    def _homeserver(cls, value: str) -> str:
        return check_http_url(value).rstrip("/")

    @field_validator("room_id")
    @classmethod
    def _room(cls, value: str) -> str:
        if not is_room_id(value):
            raise ValueError(ROOM_ID_HINT)
        return value


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
        f"<li>{_linked_title(alert)} — <i>{e(alert.watchlist)}</i> · "
        f"{e(alert.item.feed_name)} · {e(published_text(alert))}"
    ]
    matched = matched_summary(alert.matched)
    if matched:
        parts.append(f"<br>Matched: {e(matched)}")
    if alert.snippet:
        parts.append(f"<br><i>{e(clip(one_line(alert.snippet), snippet_chars))}</i>")
    return "".join(parts) + "</li>"


def _list_line(alert: Alert, snippet_chars: int) -> str:
    """The plain-text twin of ``_list_item``."""
    line = f"- {clip(title_of(alert), 300)} {alert.item.link[:1000]}".rstrip()
    details = [alert.item.feed_name, published_text(alert), matched_summary(alert.matched)]
    line += "\n  " + " · ".join(d for d in details if d)
    if alert.snippet:
        line += f"\n  “{clip(one_line(alert.snippet), snippet_chars)}”"
    return line


def render(batch: Batch) -> tuple[str, str]:
    """(plain body, sanitized HTML) for a batch."""
    if batch.kind == "single" and len(batch.alerts) == 1:
        alert = batch.alerts[0]
        return "\n".join(alert_lines(alert)), sanitize(_alert_html(alert))
    head = headline(batch)
    plain = [head]
    rich = [f"<p><b>{html.escape(head)}</b></p>"]
    budget = LIST_MAX  # across the batch: Matrix events must stay under 64 KiB
    room_each = snippet_room(min(len(batch.alerts), LIST_MAX))
    for watchlist, alerts in by_watchlist(batch.alerts):
        shown = alerts[: max(0, budget)]
        budget -= len(shown)
        plain.append(f"\n{watchlist} ({len(alerts)})")
        plain.extend(_list_line(a, room_each) for a in shown)
        rich.append(f"<h4>{html.escape(watchlist)} ({len(alerts)})</h4>")
        if shown:
            rich.append("<ul>" + "".join(_list_item(a, room_each) for a in shown) + "</ul>")
        if len(alerts) > len(shown):
            plain.append(f"…and {len(alerts) - len(shown)} more")
            rich.append(f"<p>…and {len(alerts) - len(shown)} more</p>")
    return "\n".join(plain), sanitize("".join(rich))


def build_event(batch: Batch) -> dict[str, Any]:
    """The ``m.room.message`` content sent for a batch."""
    body, formatted = render(batch)
    return {
        "msgtype": "m.notice",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
        "m.mentions": {},
    }


def _matrix_result(response: httpx.Response) -> SendResult:
    """Status table plus the Matrix error body: ``errcode`` and ``retry_after_ms``."""
    errcode, retry_after = "", parse_retry_after(response.headers.get("Retry-After"))
    if response.status_code >= 300:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            errcode = short_token(str(data.get("errcode", "")))
            ms = data.get("retry_after_ms")
            if retry_after is None and isinstance(ms, int | float) and ms >= 0:
                retry_after = ms / 1000.0
    return classify_status("matrix", response.status_code, errcode, retry_after)


class MatrixNotifier:
    """Sends to one room with a bearer token that never appears in reasons or logs."""

    label = "matrix"

    def __init__(self, name: str, config: MatrixConfig, http: httpx.AsyncClient, settings: Settings) -> None:
        self.name = name
        self._config = config
        self._http = http
        self._timeout = config.timeout(settings.send_timeout)

    def url_for(self, batch: Batch) -> str:
        room = quote(self._config.room_id, safe="")
        return f"{self._config.homeserver}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn_id(batch)}"

    async def send(self, batch: Batch) -> SendResult:
        token = self._config.access_token.get_secret_value()
        result = await send_request(
            self.label,
            self._http,
            "PUT",
            self.url_for(batch),
            timeout=self._timeout,
            judge=_matrix_result,
            headers={"Authorization": f"Bearer {token}"},
            json=build_event(batch),
        )
        if not result.ok:
            log.debug("send_failed", channel=self.name, alert_key=batch.key, error=result.reason)
        return result

    async def aclose(self) -> None:
        return None

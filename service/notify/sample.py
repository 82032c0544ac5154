"""The message ``wirewatch send-test`` sends: an alert clearly marked as a test, so a channel can
be tried through its real notifier and formatting before a story depends on it.

Its key is new on every call, so idempotency ids (Matrix txn id, ``webhook-id``, Message-ID)
never make a homeserver or receiver drop a second test as a repeat; ``kind`` is ``test`` so a
webhook receiver can tell it apart.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from service.model import Alert, Item

WATCHLIST = "wirewatch-test"
TITLE = "Wirewatch test message"
LINK = "https://github.com/wirewatch/wirewatch"


def sample_alert(channel: str, now: float) -> Alert:
    when = datetime.fromtimestamp(now, UTC)
    key = f"wirewatch-test-{int(now)}-{secrets.token_hex(4)}"
    item = Item(
        id=key,
        feed_id="wirewatch",
        feed_title="Wirewatch",
        title=f"{TITLE} for #{channel}",
        link=LINK,
        published=when,
        summary="A test sent with wirewatch send-test.",
        content="",
    )
    return Alert(
        key=key,
        watchlist=WATCHLIST,
        item=item,
        matched={"keywords": ["test"]},
        snippet=f"Sent by `wirewatch send-test {channel}` to check this channel; no story is behind it.",
        created_at=when,
        kind="test",
    )

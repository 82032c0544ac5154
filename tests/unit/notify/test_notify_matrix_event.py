"""Matrix events: spec fields, the HTML allow-list, no mentions, a stable txn id."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from service.notify.base import Batch
from service.notify.matrix import MatrixConfig
from service.notify.matrix_render import ALLOWED_TAGS, build_event, sanitize, txn_id
from tests.support import make_alert, make_followup, make_lead
from tests.support.alerts import BASE_TIME

_TAG = re.compile(r"</?([a-zA-Z0-9]+)")


def check_event(event: dict[str, object]) -> None:
    assert event["msgtype"] == "m.notice"
    assert event["format"] == "org.matrix.custom.html"
    assert event["m.mentions"] == {}
    assert isinstance(event["body"], str) and event["body"]
    formatted = event["formatted_body"]
    assert isinstance(formatted, str)
    assert {t.lower() for t in _TAG.findall(formatted)} <= ALLOWED_TAGS


def test_single_event() -> None:
    alert = make_alert(title="Clashes near Homs", link="https://news.example.org/x?a=1&b=2")
    event = build_event(Batch.of([alert]))
    check_event(event)
    assert "Clashes near Homs" in str(event["body"])
    assert "https://news.example.org/x?a=1&b=2" in str(event["body"])
    assert '<a href="https://news.example.org/x?a=1&amp;b=2">Clashes near Homs</a>' in str(
        event["formatted_body"]
    )


@pytest.mark.parametrize(
    "title",
    ["@room wake up", "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<b>bold</b>"],
)
def test_hostile_text_is_inert(title: str) -> None:
    alert = make_alert(title=title, snippet=title, watchlist="<i>wl</i>")
    for batch in (Batch.of([alert]), Batch.of([alert, make_alert(title=title)])):
        event = build_event(batch)
        check_event(event)
        formatted = str(event["formatted_body"])
        assert "<script" not in formatted and "<img" not in formatted
        assert "<" not in title or "&lt;" in formatted  # shown as text
        assert "<b>bold</b>" not in formatted  # feed markup is shown as text, not obeyed
        assert title in str(event["body"])  # the plain body keeps the text as written


def test_javascript_link_is_not_linked() -> None:
    event = build_event(Batch.of([make_alert(link="javascript:alert(1)")]))
    assert "javascript" not in str(event["formatted_body"])


def test_sanitize_uses_spec_allow_list() -> None:
    dirty = (
        '<p onclick="x">a</p><a href="javascript:x" rel="x">l</a><iframe>f</iframe>'
        '<font color="red" style="x">c</font><img src="mxc://a/b">'
    )
    assert sanitize(dirty) == '<p>a</p><a>l</a>f<font color="red">c</font>'


def test_group_and_digest_list_by_watchlist() -> None:
    alerts = [make_alert(watchlist="b"), make_alert(watchlist="a"), make_alert(watchlist="a")]
    event = build_event(Batch.of(alerts, kind="digest"))
    check_event(event)
    body = str(event["body"])
    assert body.startswith("Wirewatch digest: 3 alerts (2 watchlists)")
    assert body.index("a (2)") < body.index("b (1)")


def test_txn_id_is_stable_and_url_safe() -> None:
    batch = Batch.of([make_alert(key="ww-abc/def?#")])
    assert txn_id(batch) == txn_id(Batch.of(list(batch.alerts)))
    assert re.fullmatch(r"[A-Za-z0-9-]+", txn_id(batch))
    other = Batch.of([make_alert(key="ww-other")])
    assert txn_id(other) != txn_id(batch)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("room_id", "#alias:example.org", "not a #alias"),
        ("homeserver", "matrix.example.org", "http"),
    ],
)
def test_config_errors(field: str, value: str, message: str) -> None:
    data = {"homeserver": "https://m.example.org", "room_id": "!r:example.org"}
    data[field] = value
    with pytest.raises(ValueError, match=message):
        MatrixConfig.model_validate({**data, "access_token": "tok"})


V12 = "!uqGa2Hp4-rukGkg_QwDhc_lJvvhhmgOdcmFSaFUP1W4"  # issue 14: a version-12 room (no server part)

ROOM_IDS: list[tuple[str, bool]] = [
    # room versions 1-11: '!' localpart ':' server name
    ("!abc:example.org", True),
    ("!BLWinLIoaabqnvvfkU:wirewatch.test", True),
    ("!r:m", True),
    ("!room/x:example.org", True),  # the localpart is anything but ':' and NUL
    ("!ünï cødé:example.org", True),
    ("!abc:example.org:8448", True),
    ("!abc:1.2.3.4", True),
    ("!abc:1.2.3.4:1234", True),
    ("!abc:[1234:5678::abcd]", True),
    ("!abc:[1234:5678::abcd]:5678", True),
    ("!" + "a" * 240 + ":example.org", True),  # 252 bytes
    ("!" + "a" * 250 + ":example.org", False),  # over 255 bytes
    # room version 12: '!' and the create event's reference hash, URL-safe unpadded base64
    (V12, True),
    ("!" + "A" * 43, True),
    ("!-_" + "0" * 41, True),
    (V12[:-1], False),  # cut short when copied
    (V12 + "x", False),
    (V12[:-1] + "=", False),  # padded or standard base64
    (V12[:-1] + "+", False),
    (V12[:-1] + "/", False),
    # junk
    ("#alias:example.org", False),
    ("abc:example.org", False),
    ("$event:example.org", False),
    ("@user:example.org", False),
    ("!", False),
    ("!:example.org", False),
    ("!abc:", False),
    ("!abc", False),
    ("!abc:exa mple.org", False),
    ("!abc:example.org/", False),
    ("!abc:example.org?via=example.org", False),  # pasted from a matrix.to link
    ("!abc:example.org:port", False),
    ("!abc:example.org:123456", False),
    ("!a\x00b:example.org", False),
    (" !abc:example.org", False),
    ("!abc:example.org ", False),
    (" " + V12, False),
    ("https://matrix.to/#/!abc:example.org", False),
    ("", False),
]


@pytest.mark.parametrize(("room_id", "valid"), ROOM_IDS)
def test_room_ids(room_id: str, valid: bool) -> None:
    data = {"homeserver": "https://m.example.org", "room_id": room_id, "access_token": "tok"}
    if valid:
        assert MatrixConfig.model_validate(data).room_id == room_id
    else:
        with pytest.raises(ValueError, match="must be a room id") as info:
            MatrixConfig.model_validate(data)
        assert "'!abc:example.org'" in str(info.value) and "43 characters" in str(info.value)


def test_big_digest_stays_under_event_size_limit() -> None:
    alerts = [make_alert(watchlist=f"w{i % 7}", title="T" * 2000) for i in range(400)]
    event = build_event(Batch.of(alerts, kind="digest"))
    check_event(event)
    assert len(json.dumps(event).encode()) < 65536
    assert "…and" in str(event["body"])


# Follow-ups (issue 10): a lone follow-up goes into its story's thread when the story's root
# event is known; without one it is an ordinary notice naming the story.

LEAD = make_lead(title="Clashes near Homs", key="ww-lead")
COPY = make_followup(LEAD, "Levant Wire", title="Fighting in Homs", link="https://levant.example/7")
THREAD = {
    "rel_type": "m.thread",
    "event_id": "$root:example.org",
    "is_falling_back": True,
    "m.in_reply_to": {"event_id": "$root:example.org"},
}


@pytest.mark.parametrize(
    ("roots", "relation", "body", "formatted"),
    [
        pytest.param(
            {"ww-lead": "$root:example.org"},
            THREAD,
            "Also reported by Levant Wire: Fighting in Homs https://levant.example/7",
            '<p>Also reported by Levant Wire: <a href="https://levant.example/7">Fighting in Homs</a></p>',
            id="root-known",
        ),
        pytest.param(
            {},
            None,
            "[syria] Also reported: Clashes near Homs\n"
            "↳ also reported by Levant Wire: Fighting in Homs https://levant.example/7",
            "<p><b>[syria] Also reported: Clashes near Homs</b><br>↳ also reported by Levant Wire: "
            '<a href="https://levant.example/7">Fighting in Homs</a></p>',
            id="no-root",
        ),
        pytest.param({"ww-other": "$root:example.org"}, None, None, None, id="root-of-another-story"),
        pytest.param({"ww-lead": "not an event id"}, None, None, None, id="odd-root-ignored"),
        pytest.param({"ww-lead": "$bad root\n"}, None, None, None, id="whitespace-root-ignored"),
    ],
)
def test_single_follow_up(
    roots: dict[str, str], relation: dict[str, object] | None, body: str | None, formatted: str | None
) -> None:
    event = build_event(replace(Batch.of([COPY]), roots=roots))
    check_event(event)
    assert event.get("m.relates_to") == relation
    if body is not None:
        assert event["body"] == body and event["formatted_body"] == formatted
    else:
        assert str(event["body"]).startswith("[syria] Also reported: Clashes near Homs\n")


def test_only_a_lone_follow_up_is_threaded() -> None:
    roots = {"ww-lead": "$root:example.org"}
    for batch in (
        Batch.of([LEAD]),
        Batch.of([COPY, make_followup(LEAD, "Wire B")]),
        Batch.of([COPY], kind="digest"),
    ):
        assert "m.relates_to" not in build_event(replace(batch, roots=roots))


def test_group_lists_follow_ups_under_their_story() -> None:
    old = make_lead(title="Port reopens", key="ww-old", published=BASE_TIME - timedelta(hours=3))
    orphan = make_followup(old, "Wire C", title="Port open again", link="https://c.example/1")
    event = build_event(Batch.of([COPY, orphan, LEAD]))
    check_event(event)
    body = str(event["body"])
    assert body.startswith("Wirewatch: 1 alert, 2 follow-ups (1 watchlist)\n\nsyria (3)\n")
    lead_at = body.index("- Clashes near Homs")
    copy_line = "  ↳ also reported by Levant Wire: Fighting in Homs https://levant.example/7"
    assert body.index(copy_line) > lead_at
    assert (
        "- Also reported: Port reopens\n  ↳ also reported by Wire C: Port open again https://c.example/1"
        in body
    )
    formatted = str(event["formatted_body"])
    assert (
        '<ul><li>also reported by Levant Wire: <a href="https://levant.example/7">Fighting in Homs</a>'
        "</li></ul></li>"
    ) in formatted
    assert "<li>Also reported: <b>Port reopens</b><ul><li>also reported by Wire C: " in formatted


@pytest.mark.parametrize("feed", ["@room", "<script>alert(1)</script>", "<b>x</b> & co"])
def test_hostile_feed_title_in_thread_reply(feed: str) -> None:
    copy = make_followup(LEAD, feed, title=feed)
    event = build_event(replace(Batch.of([copy]), roots={"ww-lead": "$r"}))
    check_event(event)
    assert event["body"] == f"Also reported by {feed}: {feed} {copy.item.link}"
    formatted = str(event["formatted_body"])
    assert "<script" not in formatted and "<b>x" not in formatted
    assert html.escape(feed, quote=False) in formatted


def test_follow_ups_count_against_the_list_limit() -> None:
    copies = [make_followup(LEAD, f"Wire {i}", title="T" * 2000) for i in range(60)]
    event = build_event(Batch.of([LEAD, *copies], kind="digest"))
    check_event(event)
    body = str(event["body"])
    assert body.count("↳ also reported by Wire ") == 49  # the lead and 49 copies: 50 listed
    assert body.endswith("\n…and 11 more") and len(json.dumps(event).encode()) < 65536

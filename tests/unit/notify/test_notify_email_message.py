"""Email messages: multipart text + HTML, escaped feed text, stable Message-ID, digest layout."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from html import escape as html_escape

import pytest

from service.notify.base import Batch
from service.notify.email_render import build_message, message_id
from tests.support import make_alert, make_followup, make_lead
from tests.support.alerts import BASE_TIME

SENDER, TO = "Wirewatch <ww@example.org>", ["desk@example.org"]


def parts(batch: Batch, prefix: str = "") -> tuple[str, str, str]:
    msg = build_message(batch, "Wirewatch <ww@example.org>", ["desk@example.org"], prefix)
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(msg["Subject"]), text.get_content(), html.get_content()


def test_single() -> None:
    alert = make_alert(title="Clashes near Homs", watchlist="syria")
    subject, text, html = parts(Batch.of([alert]))
    assert subject == "[syria] Clashes near Homs"
    assert "Clashes near Homs" in text and alert.item.link in text
    assert f'<a href="{alert.item.link}">Clashes near Homs</a>' in html


def test_prefix_and_newlines_in_subject() -> None:
    alert = make_alert(title="Line one\nBcc: victim@example.org", watchlist="w")
    subject, _, _ = parts(Batch.of([alert]), prefix="[Desk]")
    assert subject == "[Desk] [w] Line one Bcc: victim@example.org"


def test_hostile_html_escaped() -> None:
    alert = make_alert(
        title="<script>alert(1)</script>", snippet="<img src=x onerror=y>", link="javascript:x"
    )
    _, text, html = parts(Batch.of([alert]))
    assert "<script>" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text


def test_message_id_stable_and_safe() -> None:
    alert = make_alert(key="ww-0123abcd")
    assert message_id(Batch.of([alert])) == "<ww-0123abcd@wirewatch>"
    odd = Batch.of([make_alert(key="a b<c>@d")])
    assert message_id(odd) == message_id(Batch.of(list(odd.alerts)))
    assert " " not in message_id(odd) and message_id(odd).count("@") == 1
    digest = Batch.of([make_alert(), make_alert()], kind="digest")
    assert message_id(digest) == f"<{digest.key}@wirewatch>"


def test_digest_grouped_newest_first_with_counts() -> None:
    def at(minutes: int, watchlist: str, title: str):  # type: ignore[no-untyped-def]
        return make_alert(watchlist=watchlist, title=title, published=BASE_TIME + timedelta(minutes=minutes))

    alerts = [at(1, "b", "B-old"), at(5, "a", "A-mid"), at(9, "a", "A-new"), at(3, "a", "A-old")]
    subject, text, html = parts(Batch.of(alerts, kind="digest"))
    assert subject == "Wirewatch digest: 4 alerts (2 watchlists)"
    assert text.index("== a (3 alerts) ==") < text.index("== b (1 alert) ==")
    assert text.index("A-new") < text.index("A-mid") < text.index("A-old") < text.index("B-old")
    assert html.index("A-new") < html.index("A-mid") < html.index("A-old")
    assert "a (3 alerts)</h2>" in html


def test_group_subject() -> None:
    subject, _, _ = parts(Batch.of([make_alert(watchlist="a"), make_alert(watchlist="a")]))
    assert subject == "Wirewatch: 2 alerts (1 watchlist)"


# Follow-ups (issue 10): a lone follow-up replies to the message that carried its story.

LEAD = make_lead(title="Clashes near Homs", key="ww-lead", watchlist="syria")
COPY = make_followup(LEAD, "Levant Wire", title="Fighting in Homs", key="ww-copy")


@pytest.mark.parametrize(
    ("roots", "parent"),
    [
        pytest.param({"ww-lead": "<group-0a1b@wirewatch>"}, "<group-0a1b@wirewatch>", id="root-known"),
        pytest.param({}, "<ww-lead@wirewatch>", id="sent-alone-id"),
        pytest.param({"ww-other": "<x@wirewatch>"}, "<ww-lead@wirewatch>", id="another-story"),
        pytest.param(
            {"ww-lead": "<a@b>\r\nBcc: x@example.org"}, "<ww-lead@wirewatch>", id="header-injection"
        ),
        pytest.param({"ww-lead": "$matrix-event"}, "<ww-lead@wirewatch>", id="not-a-msg-id"),
    ],
)
def test_lone_follow_up_replies_to_its_story(roots: dict[str, str], parent: str) -> None:
    msg = build_message(replace(Batch.of([COPY]), roots=roots), SENDER, TO, "[Desk]")
    assert (msg["In-Reply-To"], msg["References"]) == (parent, parent)
    assert msg["Message-ID"] == "<ww-copy@wirewatch>"
    assert msg["Subject"] == "Re: [Desk] [syria] Clashes near Homs"
    assert msg["Subject"] == "Re: " + str(build_message(Batch.of([LEAD]), SENDER, TO, "[Desk]")["Subject"])


def test_story_key_with_odd_characters_gets_the_id_its_first_alert_had() -> None:
    lead = make_lead(key="ww lead<1>")
    copy = make_followup(lead, "Wire")
    assert build_message(Batch.of([copy]), SENDER, TO)["In-Reply-To"] == message_id(Batch.of([lead]))


def test_other_batches_reply_to_nothing() -> None:
    roots = {"ww-lead": "<r@wirewatch>"}
    for batch in (Batch.of([LEAD]), Batch.of([COPY, LEAD]), Batch.of([COPY], kind="digest")):
        msg = build_message(replace(batch, roots=roots), SENDER, TO)
        assert msg["In-Reply-To"] is None and msg["References"] is None
        assert not str(msg["Subject"]).startswith("Re:")


def test_lone_follow_up_body() -> None:
    _, text, html = parts(Batch.of([COPY]))
    assert text.startswith(
        "[syria] Also reported by Levant Wire: Fighting in Homs\n"
        f"  {COPY.item.link}\n"
        "  story: Clashes near Homs\n"
    )
    assert f'Also reported by Levant Wire: <a href="{COPY.item.link}">Fighting in Homs</a></h2>' in html
    assert "<div>Story: Clashes near Homs</div>" in html


def test_digest_lists_follow_ups_under_their_story() -> None:
    old = make_lead(title="Port reopens", key="ww-old", published=BASE_TIME - timedelta(hours=4))
    orphan = make_followup(old, "Wire C", title="Port open again", published=BASE_TIME + timedelta(hours=1))
    subject, text, html = parts(Batch.of([COPY, orphan, LEAD, make_alert(watchlist="yemen")], kind="digest"))
    assert subject == "Wirewatch digest: 2 alerts, 2 follow-ups (2 watchlists)"
    assert "== syria (1 alert, 2 follow-ups) ==" in text and "== yemen (1 alert) ==" in text
    assert (
        f"Also reported: Port reopens\n  ↳ also reported by Wire C: Port open again {orphan.item.link}\n"
        in text
    )
    lead_block = text.index("[syria] Clashes near Homs")
    assert text.index(f"  ↳ also reported by Levant Wire: Fighting in Homs {COPY.item.link}") > lead_block
    assert (
        '<h3 style="margin:12px 0 4px">Also reported: Port reopens</h3>\n<ul><li>also reported by Wire C: '
        in html
    )
    assert (
        f'<ul><li>also reported by Levant Wire: <a href="{COPY.item.link}">Fighting in Homs</a></li></ul>'
        in html
    )


@pytest.mark.parametrize("feed", ["<script>alert(1)</script>", "Tom & <b>Jerry</b>"])
def test_hostile_feed_title_in_follow_ups(feed: str) -> None:
    copy = make_followup(LEAD, feed, title=feed)
    for batch in (Batch.of([copy]), Batch.of([LEAD, copy])):
        _, text, html = parts(batch)
        assert "<script" not in html and "<b>Jerry" not in html
        assert f"lso reported by {html_escape(feed)}: " in html
        assert f"lso reported by {feed}: {feed}" in text

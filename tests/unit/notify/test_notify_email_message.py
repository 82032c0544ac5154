"""Email messages: multipart text + HTML, escaped feed text, stable Message-ID, digest layout."""

from __future__ import annotations

from datetime import timedelta

from service.notify.base import Batch
from service.notify.email_render import build_message, message_id
from tests.support import make_alert
from tests.support.alerts import BASE_TIME


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

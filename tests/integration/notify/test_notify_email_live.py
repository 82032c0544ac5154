"""Email notifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from service.notify.base import Batch
from service.notify.email import EmailConfig, EmailNotifier
from service.notify.registry import NotifierContext, build_notifier
from tests.support import SmtpReceiver, closed_port, make_alert, make_followup, make_lead, quick_settings


def notifier(port: int, mode: str = "immediate", **settings: object) -> EmailNotifier:
    data: dict[str, object] = {"to": ["desk@example.org", "duty@example.org"], "mode": mode}
    if mode == "digest":
        data["schedule"] = "0 7 * * *"
    config = EmailConfig.model_validate(data)
    return EmailNotifier("mail", config, quick_settings(smtp_port=port, **settings))


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


async def test_single_alert_delivered(smtp: SmtpReceiver) -> None:
    alert = make_alert(title="Clashes <near> Homs")
    result = await notifier(smtp.port, smtp_from="Wirewatch <ww@example.org>").send(Batch.of([alert]))
    assert result.ok
    (msg,) = smtp.messages
    assert smtp.envelopes == [("ww@example.org", ["desk@example.org", "duty@example.org"])]
    assert msg["Subject"] == "[syria] Clashes <near> Homs"
    assert msg["Message-ID"] == f"<{alert.key}@wirewatch>"
    assert msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(("html",))
    assert html is not None and "Clashes &lt;near&gt; Homs" in html.get_content()


async def test_follow_up_delivered_as_a_reply_to_the_ref_of_its_story(smtp: SmtpReceiver) -> None:
    """The first alert's send returns its Message-ID; the follow-up sent with it as the root
    arrives as a reply in the same conversation."""
    mail = notifier(smtp.port)
    lead = make_lead(title="Clashes near Homs")
    first = await mail.send(Batch.of([lead]))
    assert first.ok and first.ref == f"<{lead.key}@wirewatch>"
    copy = make_followup(lead, "Levant <Wire>", title="Fighting in Homs")
    second = await mail.send(replace(Batch.of([copy]), roots={lead.story_key: first.ref}))
    assert second.ok and second.ref == f"<{copy.key}@wirewatch>"
    original, reply = smtp.messages
    assert (reply["In-Reply-To"], reply["References"]) == (original["Message-ID"],) * 2
    assert reply["Subject"] == f"Re: {original['Subject']}" == "Re: [syria] Clashes near Homs"
    text, html = reply.get_body(("plain",)), reply.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().startswith("[syria] Also reported by Levant <Wire>: Fighting in Homs\r\n")
    assert "Also reported by Levant &lt;Wire&gt;: <a href=" in html.get_content()


async def test_message_id_stable_across_retries(smtp: SmtpReceiver) -> None:
    smtp.refuse_next(1, code=451)
    mail = notifier(smtp.port)
    batch = Batch.of([make_alert()])
    first = await mail.send(batch)
    assert first.retryable and first.reason == "email: 451 4.7.1 try again later"
    assert (await mail.send(batch)).ok
    assert (await mail.send(batch)).ok  # a duplicate send carries the same id
    assert {m["Message-ID"] for m in smtp.messages} == {f"<{batch.key}@wirewatch>"}
    assert smtp.attempts == 3


async def test_permanent_refusal(smtp: SmtpReceiver) -> None:
    smtp.refuse_next(1, code=550)
    result = await notifier(smtp.port).send(Batch.of([make_alert()]))
    assert (result.ok, result.retryable) == (False, False)
    assert result.reason == "email: 550 5.7.1 message rejected"


async def test_digest_one_message_grouped(smtp: SmtpReceiver) -> None:
    alerts = [make_alert(watchlist=w) for w in ("a", "b", "a", "c")]
    result = await notifier(smtp.port, mode="digest").send(Batch.of(alerts, kind="digest"))
    assert result.ok
    (msg,) = smtp.messages
    assert msg["Subject"] == "Wirewatch digest: 4 alerts (3 watchlists)"
    text = msg.get_body(("plain",))
    assert text is not None and "== a (2 alerts) ==" in text.get_content()


async def test_group_one_message(smtp: SmtpReceiver) -> None:
    result = await notifier(smtp.port).send(Batch.of([make_alert(), make_alert()]))
    assert result.ok and len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"] == "Wirewatch: 2 alerts (1 watchlist)"


async def test_nothing_listening_is_retryable() -> None:
    result = await notifier(closed_port()).send(Batch.of([make_alert()]))
    assert result.retryable and result.reason.startswith("email: connection error")


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts TCP connections and never says a word (no SMTP greeting)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for w in held:
        w.close()
    server.close()
    await server.wait_closed()


async def test_stalled_server_times_out(silent_server: int) -> None:
    result = await notifier(silent_server, send_timeout=0.3).send(Batch.of([make_alert()]))
    assert result.retryable and "timeout" in result.reason


def test_registry_builds_email() -> None:
    config = EmailConfig.model_validate({"to": ["a@example.org"]})
    built = build_notifier("e", config, NotifierContext(None, quick_settings()))  # type: ignore[arg-type]
    assert isinstance(built, EmailNotifier)

"""Slack, Matrix and webhook notifiers against a real HTTP server on 127.0.0.1.

Table-driven: each peer answer (200, 5xx, 429 + Retry-After, 4xx with the channel's error
words, a stall past send_timeout, nothing listening) maps to sent / retry / fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from service.notify.base import Batch, Notifier, SendResult
from service.notify.matrix import MatrixConfig, MatrixNotifier
from service.notify.registry import NotifierContext, build_notifier
from service.notify.slack import SlackConfig, SlackNotifier
from service.notify.webhook import WebhookConfig, WebhookNotifier
from tests.support import (
    HttpReceiver,
    Reply,
    closed_port,
    make_alert,
    make_followup,
    make_lead,
    quick_settings,
)

SETTINGS = quick_settings(send_timeout=0.3)
TOKEN = "syt_TOKEN-7f3e9-DISTINCT"
SECRET = "whsec_" + base64.b64encode(b"integration-secret-32-bytes-long").decode()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as c:
        yield c


@pytest.fixture
async def rx() -> AsyncIterator[HttpReceiver]:
    async with HttpReceiver() as receiver:
        yield receiver


def slack(client: httpx.AsyncClient, base: str) -> SlackNotifier:
    cfg = SlackConfig.model_validate({"webhook_url": f"{base}/services/T0/B0/XYZ"})
    return SlackNotifier("s", cfg, client, SETTINGS)


def matrix(client: httpx.AsyncClient, base: str) -> MatrixNotifier:
    cfg = MatrixConfig.model_validate(
        {"homeserver": base, "room_id": "!room/x:example.org", "access_token": TOKEN}
    )
    return MatrixNotifier("m", cfg, client, SETTINGS)


def webhook(client: httpx.AsyncClient, base: str) -> WebhookNotifier:
    cfg = WebhookConfig.model_validate({"url": f"{base}/hook", "secret": SECRET})
    return WebhookNotifier("w", cfg, client, SETTINGS)


def outcome(result: SendResult) -> tuple[str, float | None, str]:
    state = "sent" if result.ok else "retry" if result.retryable else "fail"
    return state, result.retry_after, result.reason


SLACK_TABLE: list[tuple[Reply, tuple[str, float | None, str]]] = [
    (Reply(200, "ok"), ("sent", None, "")),
    (Reply(500, "rollup_error"), ("retry", None, "slack: 500 rollup_error")),
    (Reply(503, "<html>oops</html>"), ("retry", None, "slack: 503 Service Unavailable")),
    (Reply(429, "", {"Retry-After": "7"}), ("retry", 7.0, "slack: 429 Too Many Requests")),
    (Reply(408, ""), ("retry", None, "slack: 408 Request Timeout")),
    (Reply(400, "invalid_payload"), ("fail", None, "slack: 400 invalid_payload")),
    (Reply(403, "action_prohibited"), ("fail", None, "slack: 403 action_prohibited")),
    (Reply(404, "no_service"), ("fail", None, "slack: 404 no_service")),
    (Reply(410, "channel_is_archived"), ("fail", None, "slack: 410 channel_is_archived")),
    (
        Reply(302, "", {"Location": "https://elsewhere.example/"}),
        ("fail", None, "slack: 302 Found"),
    ),
]


@pytest.mark.parametrize(("reply", "expected"), SLACK_TABLE)
async def test_slack_status_table(
    rx: HttpReceiver, client: httpx.AsyncClient, reply: Reply, expected: Any
) -> None:
    rx.script([reply])
    result = await slack(client, rx.url).send(Batch.of([make_alert()]))
    assert outcome(result) == expected
    (req,) = rx.requests
    assert req.method == "POST" and req.path == "/services/T0/B0/XYZ"
    assert req.json()["blocks"] and req.headers["content-type"].startswith("application/json")


MATRIX_TABLE: list[tuple[Reply, tuple[str, float | None, str]]] = [
    (Reply.json(200, {"event_id": "$e"}), ("sent", None, "")),
    (
        Reply.json(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2500}),
        ("retry", 2.5, "matrix: 429 M_LIMIT_EXCEEDED"),
    ),
    (
        Reply.json(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2500}, {"Retry-After": "4"}),
        ("retry", 4.0, "matrix: 429 M_LIMIT_EXCEEDED"),
    ),
    (Reply(502, "bad gateway"), ("retry", None, "matrix: 502 Bad Gateway")),
    (
        Reply.json(401, {"errcode": "M_UNKNOWN_TOKEN", "error": f"bad {TOKEN}"}),
        ("fail", None, "matrix: 401 M_UNKNOWN_TOKEN"),
    ),
    (
        Reply.json(403, {"errcode": "M_FORBIDDEN", "error": "not in room"}),
        ("fail", None, "matrix: 403 M_FORBIDDEN"),
    ),
    (Reply(404, "<html/>"), ("fail", None, "matrix: 404 Not Found")),
]


@pytest.mark.parametrize(("reply", "expected"), MATRIX_TABLE)
async def test_matrix_status_table(
    rx: HttpReceiver, client: httpx.AsyncClient, reply: Reply, expected: Any
) -> None:
    rx.script([reply])
    result = await matrix(client, rx.url).send(Batch.of([make_alert()]))
    assert outcome(result) == expected


REF_TABLE: list[tuple[Reply, str | None]] = [
    (Reply.json(200, {"event_id": "$abc"}), "$abc"),
    (
        Reply.json(200, {"event_id": "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"}),
        "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
    ),
    (Reply.json(200, {}), None),
    (Reply.json(200, {"event_id": 42}), None),
    (Reply.json(200, {"event_id": "abc"}), None),
    (Reply.json(200, {"event_id": "$a b"}), None),
    (Reply(200, "not json"), None),
    (Reply.json(200, ["$abc"]), None),
]


@pytest.mark.parametrize(("reply", "ref"), REF_TABLE)
async def test_matrix_sent_ref_is_the_event_id(
    rx: HttpReceiver, client: httpx.AsyncClient, reply: Reply, ref: str | None
) -> None:
    """A 200 is sent whatever its body; the event id, when it is one, is the thread root."""
    rx.script([reply])
    result = await matrix(client, rx.url).send(Batch.of([make_alert()]))
    assert (result.ok, result.ref) == (True, ref)


async def test_matrix_follow_up_goes_into_the_thread_of_the_ref_returned(
    rx: HttpReceiver, client: httpx.AsyncClient
) -> None:
    """The first alert's answer gives the root; the follow-up sent with it is a thread reply."""
    rx.script([Reply.json(200, {"event_id": "$abc"}), Reply.json(200, {"event_id": "$def"})])
    notifier = matrix(client, rx.url)
    lead = make_lead(title="Clashes near Homs")
    first = await notifier.send(Batch.of([lead]))
    copy = make_followup(lead, "@room Wire", title="<b>Homs</b> fighting")
    batch = replace(Batch.of([copy]), roots={lead.story_key: first.ref} if first.ref else {})
    second = await notifier.send(batch)
    assert (first.ref, second.ok, second.ref) == ("$abc", True, "$def")
    event = rx.requests[1].json()
    assert event["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$abc",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$abc"},
    }
    assert event["body"] == f"Also reported by @room Wire: <b>Homs</b> fighting {copy.item.link}"
    assert event["m.mentions"] == {} and "<b>Homs" not in event["formatted_body"]
    assert "m.relates_to" not in rx.requests[0].json()


WEBHOOK_TABLE: list[tuple[Reply, tuple[str, float | None, str]]] = [
    (Reply(200, ""), ("sent", None, "")),
    (Reply(204, ""), ("sent", None, "")),
    (Reply(500, "x"), ("retry", None, "webhook: 500 Internal Server Error")),
    (
        Reply(429, "", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        ("retry", 0.0, "webhook: 429 Too Many Requests"),
    ),
    (Reply(400, f"bad {SECRET}"), ("fail", None, "webhook: 400 Bad Request")),
    (Reply(410, ""), ("fail", None, "webhook: 410 Gone")),
]


@pytest.mark.parametrize(("reply", "expected"), WEBHOOK_TABLE)
async def test_webhook_status_table(
    rx: HttpReceiver, client: httpx.AsyncClient, reply: Reply, expected: Any
) -> None:
    rx.script([reply])
    result = await webhook(client, rx.url).send(Batch.of([make_alert()]))
    assert outcome(result) == expected


@pytest.mark.parametrize("make", [slack, matrix, webhook])
async def test_stall_is_a_retryable_timeout(rx: HttpReceiver, client: httpx.AsyncClient, make: Any) -> None:
    rx.script([Reply.stall(30)])
    result = await make(client, rx.url).send(Batch.of([make_alert()]))
    assert result.retryable and "timeout" in result.reason


@pytest.mark.parametrize("make", [slack, matrix, webhook])
async def test_nothing_listening_is_retryable(client: httpx.AsyncClient, make: Any) -> None:
    result = await make(client, f"http://127.0.0.1:{closed_port()}").send(Batch.of([make_alert()]))
    assert result.retryable and result.reason.endswith("(ConnectError)")


async def test_matrix_request_and_txn_id_stable_across_retries(
    rx: HttpReceiver, client: httpx.AsyncClient
) -> None:
    rx.script([Reply(500, ""), Reply.stall(30), Reply.json(200, {"event_id": "$e"})])
    notifier = matrix(client, rx.url)
    batch = Batch.of([make_alert(title="@room <b>now</b>")])
    results = [await notifier.send(batch) for _ in range(3)]
    assert [r.ok for r in results] == [False, False, True]
    paths = {r.path for r in rx.requests}
    assert len(rx.requests) == 3 and len(paths) == 1
    (path,) = paths
    prefix = "/_matrix/client/v3/rooms/%21room%2Fx%3Aexample.org/send/m.room.message/"
    assert path.startswith(prefix)
    assert unquote(path.split("/")[5]) == "!room/x:example.org"
    for req in rx.requests:
        assert req.method == "PUT" and req.headers["authorization"] == f"Bearer {TOKEN}"
        event = req.json()
        assert event["msgtype"] == "m.notice" and event["m.mentions"] == {}
        assert event["format"] == "org.matrix.custom.html" and "<b>now" not in event["formatted_body"]


async def test_webhook_delivery_verifies_and_id_is_stable(
    rx: HttpReceiver, client: httpx.AsyncClient
) -> None:
    rx.script([Reply(503, ""), Reply(200, "")])
    notifier = webhook(client, rx.url)
    batch = Batch.of([make_alert(), make_alert(watchlist="other")])
    assert not (await notifier.send(batch)).ok
    assert (await notifier.send(batch)).ok
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    for req in rx.requests:
        h = req.headers
        assert h["webhook-id"] == batch.key
        signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.{req.text}".encode()
        mac = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert h["webhook-signature"] == f"v1,{mac}"
        assert req.json()["data"]["count"] == 2


async def test_registry_builds_every_type(client: httpx.AsyncClient) -> None:
    ctx = NotifierContext(client, SETTINGS)
    configs = [
        SlackConfig.model_validate({"webhook_url": "https://h.example/x"}),
        MatrixConfig.model_validate(
            {"homeserver": "https://m.example", "room_id": "!r:m.example", "access_token": "t"}
        ),
        WebhookConfig.model_validate({"url": "https://w.example/h"}),
    ]
    notifiers: list[Notifier] = [build_notifier(f"c{i}", c, ctx) for i, c in enumerate(configs)]
    assert [type(n).__name__ for n in notifiers] == [
        "SlackNotifier",
        "MatrixNotifier",
        "WebhookNotifier",
    ]

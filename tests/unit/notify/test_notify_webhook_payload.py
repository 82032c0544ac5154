"""Webhook payloads and Standard Webhooks signatures, checked by an independent verifier."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from service.notify.base import Batch
from service.notify.webhook import WebhookConfig, WebhookNotifier
from tests.support import make_alert, make_followup, make_lead, quick_settings

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def verify(secret: str, headers: dict[str, str], body: bytes, now: int, tolerance: int = 300) -> bool:
    """Written from the Standard Webhooks spec, separately from service.notify.webhook."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(now - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{msg_id}.{timestamp}.{body.decode('utf-8')}"
    expected = base64.b64encode(hmac.new(key, content.encode(), hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


def notifier(clock: float = 1_714_564_800.0, secret: str | None = SECRET) -> WebhookNotifier:
    config = WebhookConfig.model_validate(
        {"type": "webhook", "url": "https://cms.example.org/hook", "secret": secret}
    )
    return WebhookNotifier("hook", config, httpx.AsyncClient(), quick_settings(), lambda: clock)


def test_payload_shape_single() -> None:
    alert = make_alert(title="Clashes", matched={"cities": ["Homs"]})
    headers, body = notifier().encode(Batch.of([alert]))
    payload = json.loads(body)
    assert payload["type"] == "wirewatch.alert"
    assert payload["timestamp"] == "2024-05-01T12:00:00+00:00"
    data = payload["data"]
    assert data == {
        "version": 1,
        "batch_key": alert.key,
        "kind": "single",
        "count": 1,
        "alerts": [
            {
                "key": alert.key,
                "kind": "match",
                "story": alert.key,  # a first alert starts its own story
                "story_title": "Clashes",
                "watchlist": "syria",
                "matched": {"cities": ["Homs"]},
                "snippet": alert.snippet,
                "created_at": alert.created_at.isoformat(),
                "feed": {"id": "test-feed", "title": "test-feed"},  # no feed title: its id
                "item": {
                    "id": alert.item.id,
                    "title": "Clashes",
                    "link": alert.item.link,
                    "published": alert.item.published.isoformat() if alert.item.published else None,
                    "date_source": "feed",
                    "summary": "A short summary.",
                    "categories": [],
                },
            }
        ],
    }
    assert headers["webhook-id"] == alert.key
    assert headers["content-type" if "content-type" in headers else "Content-Type"].startswith(
        "application/json"
    )


STORY_CASES = [
    # (kind, story, story_title) sent for: a first alert, its copy, and entries queued before stories
    pytest.param(lambda lead: lead, ("match", "ww-lead", "Clashes near Homs"), id="first-alert"),
    pytest.param(
        lambda lead: make_followup(lead, "Levant Wire", key="ww-copy"),
        ("also_reported", "ww-lead", "Clashes near Homs"),
        id="follow-up",
    ),
    pytest.param(
        lambda lead: make_alert(key="ww-plain", title="Stories off"),
        ("match", "ww-plain", "Stories off"),
        id="stories-off",
    ),
    pytest.param(
        lambda lead: replace(make_followup(lead, "Wire", key="ww-old"), story_title=""),
        ("also_reported", "ww-lead", ""),
        id="follow-up-without-title",
    ),
]


@pytest.mark.parametrize(("build", "expected"), STORY_CASES)
def test_every_alert_names_its_story(build: Any, expected: tuple[str, str, str]) -> None:
    lead = make_lead(title="Clashes near Homs", key="ww-lead")
    _, body = notifier().encode(Batch.of([build(lead)]))
    (sent,) = json.loads(body)["data"]["alerts"]
    assert (sent["kind"], sent["story"], sent["story_title"]) == expected


def test_group_of_a_story_and_its_copies() -> None:
    lead = make_lead(title="<b>Clashes</b> & co", key="ww-lead")
    copies = [make_followup(lead, "Wire A"), make_followup(lead, "Wire B")]
    _, body = notifier().encode(Batch.of([lead, *copies]))
    alerts = json.loads(body)["data"]["alerts"]
    assert [(a["kind"], a["story"], a["feed"]["title"]) for a in alerts] == [
        ("match", "ww-lead", "test-feed"),
        ("also_reported", "ww-lead", "Wire A"),
        ("also_reported", "ww-lead", "Wire B"),
    ]
    assert {a["story_title"] for a in alerts} == {"<b>Clashes</b> & co"}  # plain text, as documented


def test_group_and_digest_types() -> None:
    alerts = [make_alert(), make_alert()]
    for kind, event in (("group", "wirewatch.alert.group"), ("digest", "wirewatch.alert.digest")):
        _, body = notifier().encode(Batch.of(alerts, kind=kind))  # type: ignore[arg-type]
        payload = json.loads(body)
        assert payload["type"] == event and payload["data"]["count"] == 2
        assert [a["key"] for a in payload["data"]["alerts"]] == [a.key for a in alerts]


def test_signature_verifies_and_detects_tampering() -> None:
    batch = Batch.of([make_alert(title="Ünïcode & <tags>")])
    headers, body = notifier().encode(batch)
    now = int(headers["webhook-timestamp"])
    assert verify(SECRET, headers, body, now)
    assert not verify(SECRET, headers, body.replace(b"tags", b"tagz"), now)
    assert not verify(SECRET, {**headers, "webhook-id": "other"}, body, now)
    assert not verify(SECRET, headers, body, now + 3600)
    wrong = "whsec_" + base64.b64encode(b"another key, 32 bytes long......").decode()
    assert not verify(wrong, headers, body, now)


def test_id_stable_timestamp_fresh_per_attempt() -> None:
    batch = Batch.of([make_alert()])
    h1, _ = notifier(clock=1000.0).encode(batch)
    h2, _ = notifier(clock=1060.0).encode(batch)
    assert h1["webhook-id"] == h2["webhook-id"] == batch.key
    assert (h1["webhook-timestamp"], h2["webhook-timestamp"]) == ("1000", "1060")


def test_unsigned_without_secret() -> None:
    headers, _ = notifier(secret=None).encode(Batch.of([make_alert()]))
    assert "webhook-signature" not in headers and "webhook-id" in headers


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("plainsecretvalue-XYZZY", "whsec_"),
        ("whsec_not*base64*XYZZY", "base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "too short"),
    ],
)
def test_bad_secret_is_explained_without_echo(secret: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        WebhookConfig.model_validate({"url": "https://x.example/h", "secret": secret})
    assert message in str(info.value)
    assert secret not in str(info.value) and "XYZZY" not in str(info.value)

"""Secrets never leave a notifier: not in reasons, logs, reprs, config errors or exceptions.

Every secret is a distinctive string; peers are scripted to fail in every way, including
echoing the request (URL, token) back in their error body, and the test looks for the
string everywhere a person or a log collector could see it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog

from service.notify.base import Batch, SendResult
from service.notify.email import EmailConfig, EmailNotifier
from service.notify.matrix import MatrixConfig, MatrixNotifier
from service.notify.slack import SlackConfig, SlackNotifier
from service.notify.webhook import WebhookConfig, WebhookNotifier
from tests.support import HttpReceiver, Reply, closed_port, make_alert, quick_settings

MARK = "ZQ93"
SLACK_PATH = f"/services/T0/B0/SLACK-SECRET-{MARK}"
MATRIX_TOKEN = f"syt_MATRIX-SECRET-{MARK}"
HOOK_PATH = f"/hook/WEBHOOK-URL-SECRET-{MARK}"
HOOK_SECRET = "whsec_" + base64.b64encode(f"hmac-key-{MARK}-0123456789abcd".encode()).decode()
SMTP_PASSWORD = f"SMTP-PASSWORD-{MARK}"
SECRETS = [SLACK_PATH, MATRIX_TOKEN, HOOK_PATH, HOOK_SECRET, SMTP_PASSWORD, MARK]


def echo(status: int) -> Reply:
    """A peer that quotes the secrets back (as some proxies and error pages do)."""
    return Reply(status, f"{SLACK_PATH} {HOOK_PATH} Bearer {MATRIX_TOKEN}")


FAILURES = [
    echo(400),
    echo(404),
    echo(500),
    Reply.json(401, {"errcode": "M_UNKNOWN_TOKEN", "error": MATRIX_TOKEN}),
    Reply(429, "", {"Retry-After": MARK}),
    Reply(302, "", {"Location": f"https://elsewhere.example{SLACK_PATH}"}),
    Reply.stall(30),
]


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret leaked: {text[:200]}"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as c:
        yield c


def http_notifiers(
    client: httpx.AsyncClient, base: str
) -> list[SlackNotifier | MatrixNotifier | WebhookNotifier]:
    settings = quick_settings(send_timeout=0.2)
    return [
        SlackNotifier("s", SlackConfig.model_validate({"webhook_url": base + SLACK_PATH}), client, settings),
        MatrixNotifier(
            "m",
            MatrixConfig.model_validate(
                {"homeserver": base, "room_id": "!r:example.org", "access_token": MATRIX_TOKEN}
            ),
            client,
            settings,
        ),
        WebhookNotifier(
            "w",
            WebhookConfig.model_validate({"url": base + HOOK_PATH, "secret": HOOK_SECRET}),
            client,
            settings,
        ),
    ]


async def test_http_failures_leak_nothing(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    results: list[SendResult] = []
    batch = Batch.of([make_alert()])
    with structlog.testing.capture_logs() as logs:
        async with HttpReceiver() as rx:
            for notifier in http_notifiers(client, rx.url):
                rx.script(FAILURES)
                for _ in FAILURES:
                    results.append(await notifier.send(batch))
                assert_clean(repr(notifier), str(vars(notifier)))
        for notifier in http_notifiers(client, f"http://127.0.0.1:{closed_port()}"):
            results.append(await notifier.send(batch))
    assert all(not r.ok for r in results) and len(results) == 3 * len(FAILURES) + 3
    assert logs, "the failures were logged"
    assert_clean(*(r.reason for r in results), repr(logs), caplog.text)


async def test_smtp_auth_failure_leaks_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """A server that rejects the login and quotes the password back."""

    writers: list[asyncio.StreamWriter] = []

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        writer.write(b"220 fake ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
            elif verb == b"AUTH":
                writer.write(f"535 5.7.8 bad credentials {SMTP_PASSWORD}\r\n".encode())
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    caplog.set_level(logging.WARNING)
    server = await asyncio.start_server(peer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = quick_settings(smtp_port=port, smtp_user="ww", smtp_password=SMTP_PASSWORD)
    mail = EmailNotifier("e", EmailConfig.model_validate({"to": ["a@example.org"]}), settings)
    with structlog.testing.capture_logs() as logs:
        result = await mail.send(Batch.of([make_alert()]))
    for writer in writers:
        writer.close()
        await writer.wait_closed()
    server.close()
    await server.wait_closed()
    assert (result.ok, result.retryable) == (False, False)
    assert result.reason.startswith("email: 535")
    assert_clean(result.reason, repr(logs), caplog.text, repr(settings), repr(mail))


def test_config_reprs_hide_secrets() -> None:
    configs = [
        SlackConfig.model_validate({"webhook_url": "https://h.example" + SLACK_PATH}),
        MatrixConfig.model_validate(
            {"homeserver": "https://m.example", "room_id": "!r:m", "access_token": MATRIX_TOKEN}
        ),
        WebhookConfig.model_validate({"url": "https://w.example" + HOOK_PATH, "secret": HOOK_SECRET}),
    ]
    assert_clean(*(repr(c) + str(c) + str(c.model_dump()) for c in configs))

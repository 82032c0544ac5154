"""The loopback receivers themselves: scripts, stalls and SMTP refusals behave as documented."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest

from tests.support import HttpReceiver, Reply, SmtpReceiver


async def test_http_receiver_scripts_and_records() -> None:
    async with HttpReceiver() as rx, httpx.AsyncClient(trust_env=False) as client:
        rx.script([500, Reply(429, headers={"Retry-After": "3"})])
        r1 = await client.post(rx.url_for("/a?x=1"), content=b"one")
        r2 = await client.post(rx.url_for("/b"), content=b"two")
        r3 = await client.post(rx.url_for("/c"), json={"k": 1})
    assert [r1.status_code, r2.status_code, r3.status_code] == [500, 429, 200]
    assert r2.headers["retry-after"] == "3"
    assert [r.path for r in rx.requests] == ["/a", "/b", "/c"]
    assert rx.requests[0].query == "x=1" and rx.requests[2].json() == {"k": 1}


async def test_http_receiver_stall_is_released_on_close() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with HttpReceiver() as rx, httpx.AsyncClient(trust_env=False) as client:
        rx.script([Reply.stall(30)])
        with pytest.raises(httpx.ReadTimeout):
            await client.get(rx.url, timeout=0.2)
    assert loop.time() - started < 5


async def test_smtp_receiver_accepts_and_refuses() -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "hi"
    msg.set_content("body")
    with SmtpReceiver() as smtp:
        smtp.refuse_next(1, code=550)
        with pytest.raises(aiosmtplib.SMTPResponseException) as info:
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=smtp.port, start_tls=False)
        assert info.value.code == 550
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=smtp.port, start_tls=False)
    assert smtp.attempts == 2
    assert [m["Subject"] for m in smtp.messages] == ["hi"]

"""``wirewatch send-test CHANNEL`` through the real command: a clearly marked test alert goes out
through the channel's real notifier and formatting (Slack and webhook to loopback receivers,
email to aiosmtpd, Matrix to a real Synapse), the answer is printed, exit 0 or 1. Nothing is
queued or recorded: the state store is not touched, on SQLite or Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.support import HttpReceiver, Reply, SmtpReceiver
from tests.support.rundir import RunDir, make_rundir
from tests.support.synapse import SynapseServer
from tests.support.wirewatch_cli import HOOK_TOKEN, Result, wirewatch

TITLE = "Wirewatch test message"


def channels(rd: RunDir, **lines: str) -> None:
    rd.write("channels.yaml", "channels:\n" + "".join(f"  {name}: {spec}\n" for name, spec in lines.items()))
    rd.write(
        "watchlists/frontline.yaml", "match: any\ncities: [Homs]\nchannels: [" + ", ".join(lines) + "]\n"
    )


async def send_test(rd: RunDir, channel: str, **env: str) -> Result:
    return await wirewatch(rd, "send-test", channel, **env)


async def test_webhook_gets_a_marked_test_and_the_store_is_untouched(
    tmp_path: Path, state_url: str | None
) -> None:
    rd = make_rundir(tmp_path, state_url)
    async with HttpReceiver() as rx:
        channels(rd, hook=f'{{type: webhook, url: "{rx.url}/hooks/{HOOK_TOKEN}"}}')
        sent = await send_test(rd, "hook")
        assert (sent.code, sent.out.strip()) == (0, "OK: #hook (webhook) accepted the test message"), sent.err
        [request] = rx.requests
    [alert] = request.json()["data"]["alerts"]
    assert (alert["kind"], alert["watchlist"]) == ("test", "wirewatch-test")
    assert alert["item"]["title"] == f"{TITLE} for #hook" and request.headers["webhook-id"] == alert["key"]
    if state_url is None:
        assert not (rd.root / "state.db").exists()
    else:
        with redis.Redis.from_url(state_url) as client:
            assert client.dbsize() == 0


REFUSALS = [
    (404, "FAILED: #hook (webhook): webhook: 404 Not Found (refused)"),
    (503, "FAILED: #hook (webhook): webhook: 503 Service Unavailable (temporary failure, worth retrying)"),
]


@pytest.mark.parametrize(("status", "said"), REFUSALS)
async def test_a_refusal_is_printed_with_its_reason(tmp_path: Path, status: int, said: str) -> None:
    rd = make_rundir(tmp_path)
    async with HttpReceiver(default=Reply(status)) as rx:
        channels(rd, hook=f'{{type: webhook, url: "{rx.url}/hooks/{HOOK_TOKEN}"}}')
        sent = await send_test(rd, "hook")
    assert (sent.code, sent.out, sent.err.strip()) == (1, "", said)


async def test_slack_gets_the_real_formatting(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    async with HttpReceiver() as rx:
        channels(rd, slack=f'{{type: slack, webhook_url: "{rx.url}/services/T0/B0/{HOOK_TOKEN}"}}')
        sent = await send_test(rd, "slack")
        [request] = rx.requests
    assert sent.code == 0 and sent.out.startswith("OK: #slack (slack)")
    payload = request.json()
    assert f"{TITLE} for #slack" in payload["text"]
    first = payload["blocks"][0]["text"]["text"]
    assert first == f"*<https://github.com/wirewatch/wirewatch|{TITLE} for #slack>*"


@pytest.mark.parametrize("mode", ["immediate", "digest"])
async def test_email_immediate_and_digest(tmp_path: Path, mode: str) -> None:
    rd = make_rundir(tmp_path)
    schedule = ', schedule: "0 7 * * *"' if mode == "digest" else ""
    channels(rd, mail=f"{{type: email, to: [desk@example.org], mode: {mode}{schedule}}}")
    with SmtpReceiver() as smtp:
        env = {"WIREWATCH_SMTP_HOST": "127.0.0.1", "WIREWATCH_SMTP_PORT": str(smtp.port)}
        sent = await send_test(rd, "mail", **env)
        assert sent.code == 0 and sent.out.startswith("OK: #mail (email)"), sent.err
        smtp.refuse_next(1, code=550)
        refused = await send_test(rd, "mail", **env)
        [message] = smtp.messages
    assert (
        refused.code == 1 and refused.err.startswith("FAILED: #mail (email): ") and "(refused)" in refused.err
    )
    subject = {
        "immediate": f"[wirewatch-test] {TITLE} for #mail",
        "digest": "Wirewatch digest: 1 alert (1 watchlist)",
    }
    assert message["Subject"] == subject[mode]
    body = message.get_body(("plain",))
    assert body is not None and f"{TITLE} for #mail" in body.get_content()


@pytest.mark.synapse
async def test_matrix_against_a_real_synapse(tmp_path: Path, synapse: SynapseServer) -> None:
    room = synapse.create_room()  # the server's default version: 12, an id without a server part
    rd = make_rundir(tmp_path)
    where = f'homeserver: "{synapse.base_url}", room_id: "{room}"'
    channels(rd, matrix=f'{{type: matrix, {where}, access_token: "${{MATRIX_TOKEN}}"}}')
    for _ in range(2):  # each test is a new message, never dropped as a repeat
        sent = await send_test(rd, "matrix", MATRIX_TOKEN=synapse.access_token)
        assert (sent.code, sent.out.strip()) == (0, "OK: #matrix (matrix) accepted the test message"), (
            sent.err
        )
        assert synapse.access_token not in sent.out + sent.err
    events = synapse.messages(room)
    assert len(events) == 2 and {e["sender"] for e in events} == {synapse.user_id}
    for event in events:
        assert event["content"]["msgtype"] == "m.notice"
        assert event["content"]["body"].startswith(f"[wirewatch-test] {TITLE} for #matrix")
    refused = await send_test(rd, "matrix", MATRIX_TOKEN="syt_not-a-real-token-4f2a")
    assert (refused.code, refused.err.strip()) == (
        1,
        "FAILED: #matrix (matrix): matrix: 401 M_UNKNOWN_TOKEN (refused)",
    )
    assert len(synapse.messages(room)) == 2


async def test_an_unknown_channel_is_named(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    sent = await send_test(rd, "slak")
    assert (sent.code, sent.out) == (1, "")
    assert sent.err.strip() == "wirewatch send-test: no channel 'slak' in channels.yaml (known: console)"

"""Issue "Done means" for delivery: one watchlist routed to Slack, Matrix, webhook and email
receivers on loopback; `wirewatch run --once` on the seed feed delivers every matching alert to
each exactly once, and again when every receiver fails the first attempts."""

from __future__ import annotations

import asyncio
import shutil
import sys
from email.message import EmailMessage
from pathlib import Path

from tests.support.http_receiver import HttpReceiver, Received, Reply
from tests.support.rundir import RunDir, make_rundir
from tests.support.smtp_receiver import SmtpReceiver

SECRET = "whsec_" + "c2VjcmV0LWZvci10ZXN0cy1vbmx5LTEyMzQ1Njc4OTA="
TOKEN = "syt_e2e_token_do_not_log_0123456789"
SEED_LINKS = [
    "https://artifexnews.net/article68951052-ece/",
    "https://artifexnews.net/article68938359-ece/",
]

CHANNELS = """
channels:
  slack: {{type: slack, webhook_url: "{slack}/services/T000/B000/XXXX", rate_limit: 50}}
  matrix: {{type: matrix, homeserver: "{matrix}", room_id: "!room:example.org",
           access_token: "${{MATRIX_TOKEN}}"}}
  hook: {{type: webhook, url: "{hook}/hooks/wirewatch", secret: "${{WEBHOOK_SECRET}}"}}
  mail: {{type: email, to: [desk@example.org], mode: immediate}}
"""

WATCHLIST = """
description: Seed feed cities
match: any
cities: [Aleppo, Hama, Homs, Idlib]
channels: [slack, matrix, hook, mail]
"""


def plain_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None, "no text/plain part"
    text: str = part.get_content()
    return text


def links_in(text: str, links: list[str]) -> list[str]:
    return [link for link in links if link in text]


async def run_once(rd: RunDir, smtp_port: int) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "run",
        "--once",
        cwd=rd.root,
        env=rd.env(
            MATRIX_TOKEN=TOKEN,
            WEBHOOK_SECRET=SECRET,
            WIREWATCH_SMTP_PORT=str(smtp_port),
            WIREWATCH_SMTP_HOST="127.0.0.1",
            WIREWATCH_RETRY_BASE="0.05",
            WIREWATCH_RETRY_MAX="1",
            WIREWATCH_DRAIN_TIMEOUT="30",
            WIREWATCH_SEND_TIMEOUT="2",
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    return proc.returncode or 0, out.decode(), err.decode()


async def deliver(tmp: Path, shared: Path, fail_first: int) -> None:
    seed = shared / "fixtures" / "artifex-aleppo-offensive-2024.xml"
    rd = make_rundir(tmp, feeds="feeds:\n  - {id: seed, url: seed.xml, backfill: all}\n")
    shutil.copy(seed, rd.rules / "seed.xml")
    (rd.rules / "watchlists" / "frontline.yaml").unlink()
    rd.write("watchlists/seed-cities.yaml", WATCHLIST)
    all_links = [
        line.split("<link>")[1].split("</link>")[0]
        for line in seed.read_text().splitlines()
        if "<link>https://artifexnews.net/article" in line
    ]
    assert len(all_links) == 4 and set(SEED_LINKS) <= set(all_links)

    failures = [Reply(500), Reply(429, headers={"Retry-After": "1"})][:fail_first]
    async with HttpReceiver() as slack, HttpReceiver() as matrix, HttpReceiver() as hook:
        matrix.default = Reply.json(200, {"event_id": "$e"})
        for rx in (slack, matrix, hook):
            rx.script(failures)
        with SmtpReceiver() as smtp:
            smtp.refuse_next(fail_first, 451)
            rd.write("channels.yaml", CHANNELS.format(slack=slack.url, matrix=matrix.url, hook=hook.url))
            code, out, err = await run_once(rd, smtp.port)
            assert code == 0, err[-3000:]
            accepted: dict[str, list[Received]] = {
                "slack": slack.requests[fail_first:],
                "matrix": matrix.requests[fail_first:],
                "hook": hook.requests[fail_first:],
            }
            for name, reqs in accepted.items():
                got = sorted(link for r in reqs for link in links_in(r.text, all_links))
                assert got == sorted(all_links), f"{name}: {got}"
            mail_links = sorted(link for m in smtp.messages for link in links_in(plain_text(m), all_links))
            assert mail_links == sorted(all_links)
            assert smtp.attempts == len(all_links) + fail_first
            if fail_first:
                # a retry reuses the idempotency ids: same Matrix txn path, same webhook-id
                assert matrix.requests[0].path in {r.path for r in accepted["matrix"]}
                assert hook.requests[0].headers["webhook-id"] in {
                    r.headers["webhook-id"] for r in accepted["hook"]
                }
            assert TOKEN not in out + err and SECRET not in out + err
            assert "XXXX" not in err

    # a second run on the same state sends nothing anywhere
    async with HttpReceiver() as slack, HttpReceiver() as matrix, HttpReceiver() as hook:
        with SmtpReceiver() as smtp:
            rd.write("channels.yaml", CHANNELS.format(slack=slack.url, matrix=matrix.url, hook=hook.url))
            code, _, err = await run_once(rd, smtp.port)
            assert code == 0, err[-3000:]
            assert slack.requests == matrix.requests == hook.requests == [] and smtp.messages == []


async def test_every_channel_gets_every_alert_once(tmp_path: Path, shared_dir: Path) -> None:
    await deliver(tmp_path, shared_dir, fail_first=0)


async def test_every_channel_gets_every_alert_once_after_failures(tmp_path: Path, shared_dir: Path) -> None:
    await deliver(tmp_path, shared_dir, fail_first=2)

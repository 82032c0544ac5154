"""Issue 10, "done when": the labelled story set, carried by four outlets, routed through
``wirewatch run --once`` to a webhook and a Matrix receiver on loopback (SQLite and Redis).

Exactly one ``kind: match`` alert per story and one ``also_reported`` per copy, each naming its
story's first alert; hard negatives stay apart; on Matrix every copy is a thread reply under the
event that carried its story's first alert; a second run sends nothing. A crash (kill -9)
between a story's first alert and its copy still gives one alert and one follow-up.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests.support import HttpReceiver, Received, Reply
from tests.support.rundir import RunDir, make_rundir
from tests.support.service_process import ServiceProcess
from tests.support.story_feeds import (
    StoryItem,
    load_story_items,
    write_everything_watchlist,
    write_outlets,
)
from tests.support.waiting import until

TOKEN = "syt_story_token_0123456789"
CHANNELS = """
channels:
  hook: {{type: webhook, url: "{hook}/hooks/wirewatch"}}
  matrix: {{type: matrix, homeserver: "{matrix}", room_id: "!room:example.org",
           access_token: "{token}"}}
"""


def numbered_events(matrix: HttpReceiver) -> None:
    """Matrix answers each send with its own event id: ``$ev<n>`` for the n-th request."""
    matrix.decide = lambda request: Reply.json(200, {"event_id": f"$ev{len(matrix.requests)}"})


def event_ids(matrix: HttpReceiver) -> dict[int, str]:
    return {n: f"$ev{n + 1}" for n in range(len(matrix.requests))}


async def run_once(rd: RunDir) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", "run", "--once",
        cwd=rd.root,
        env=rd.env(WIREWATCH_DRAIN_TIMEOUT="30", WIREWATCH_SEND_TIMEOUT="5"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), timeout=180)
    return proc.returncode or 0, err.decode()


def webhook_alerts(hook: HttpReceiver) -> list[dict[str, Any]]:
    return [a for r in hook.requests for a in r.json()["data"]["alerts"]]


def pairwise(labels: dict[str, str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of ``labels`` (link -> story key) against ``truth``."""
    same_found = same_true = both = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        found, true = labels[a] == labels[b], truth[a] == truth[b]
        same_found += found
        same_true += true
        both += found and true
    return both / max(1, same_found), both / max(1, same_true)


def check_webhook(hook: HttpReceiver, items: list[StoryItem], negatives: list[tuple[str, str]]) -> None:
    alerts = webhook_alerts(hook)
    by_link = {a["item"]["link"]: a for a in alerts}
    assert len(alerts) == len(by_link) == len(items), Counter(a["item"]["link"] for a in alerts)
    firsts = {a["key"]: a for a in alerts if a["kind"] == "match"}
    versions = Counter(i.story for i in items)
    story_of = {i.link: i.story for i in items}
    assert sorted(story_of[a["item"]["link"]] for a in firsts.values()) == sorted(versions)
    for alert in alerts:
        assert alert["story"] in firsts, alert
        lead = firsts[alert["story"]]
        assert story_of[lead["item"]["link"]] == story_of[alert["item"]["link"]], alert["item"]["title"]
        if alert["kind"] == "also_reported":
            assert alert["story_title"] == lead["item"]["title"]
    copies = Counter(story_of[a["item"]["link"]] for a in alerts if a["kind"] == "also_reported")
    assert copies == Counter({s: n - 1 for s, n in versions.items() if n > 1})
    labels = {link: alert["story"] for link, alert in by_link.items()}
    precision, recall = pairwise(labels, story_of)
    print(f"story set through run --once: precision {precision:.3f}, recall {recall:.3f}")
    assert (precision, recall) == (1.0, 1.0)
    story_key = {story_of[a["item"]["link"]]: a["story"] for a in alerts}
    for left, right in negatives:
        assert story_key[left] != story_key[right], (left, right)


def check_matrix_threads(matrix: HttpReceiver, items: list[StoryItem]) -> None:
    """Every copy is one thread reply under the event that carried its story's first alert."""
    ids = event_ids(matrix)
    carried: dict[str, str] = {}  # link -> event id of the message carrying it
    replies: dict[str, str] = {}  # link -> root of the thread reply carrying it
    for n, request in enumerate(matrix.requests):
        content = request.json()
        relation = content.get("m.relates_to")
        for item in items:
            if item.link not in content["body"]:
                continue
            if relation is None:
                assert item.link not in carried, f"{item.link} sent twice"
                carried[item.link] = ids[n]
            else:
                assert relation["rel_type"] == "m.thread" and item.link not in replies
                replies[item.link] = relation["event_id"]
    first_of: dict[str, str] = {}
    for item in items:
        if item.link in carried:
            assert item.story not in first_of, f"{item.story}: two first alerts"
            first_of[item.story] = carried[item.link]
    assert set(first_of) == {i.story for i in items}
    assert len(replies) == len(items) - len(first_of)
    for item in items:
        if item.link in replies:
            assert replies[item.link] == first_of[item.story], item.link


async def test_story_set_alerts_once_per_story_with_threaded_copies(
    tmp_path: Path, state_url: str | None
) -> None:
    items, negatives = load_story_items()
    rd = make_rundir(tmp_path, state_url)
    write_outlets(rd, items)
    write_everything_watchlist(rd, ["hook", "matrix"])
    async with HttpReceiver() as hook, HttpReceiver() as matrix:
        numbered_events(matrix)
        rd.write("channels.yaml", CHANNELS.format(hook=hook.url, matrix=matrix.url, token=TOKEN))
        code, err = await run_once(rd)
        assert code == 0, err[-3000:]
        check_webhook(hook, items, negatives)
        check_matrix_threads(matrix, items)
        assert TOKEN not in err
        sent = len(hook.requests), len(matrix.requests)
        code, err = await run_once(rd)  # the same feeds again: nothing new, nothing sent
        assert code == 0, err[-3000:]
        assert (len(hook.requests), len(matrix.requests)) == sent


async def test_copy_after_a_crash_is_one_follow_up_under_the_first_alert(tmp_path: Path) -> None:
    items, _ = load_story_items()
    story = [i for i in items if i.story == "idlib-market-strike"]
    rd = make_rundir(tmp_path)
    write_outlets(rd, story[:1])
    write_everything_watchlist(rd, ["hook", "matrix"])
    async with HttpReceiver() as hook, HttpReceiver() as matrix:
        numbered_events(matrix)
        rd.write("channels.yaml", CHANNELS.format(hook=hook.url, matrix=matrix.url, token=TOKEN))
        service = ServiceProcess(rd, WIREWATCH_SEND_TIMEOUT="5")
        await service.start()
        try:
            assert await until(lambda: bool(hook.requests and matrix.requests), within=60), service.text()
        finally:
            await service.kill()  # the first alert is out; the copy has not arrived yet
        write_outlets(rd, story[:2])
        code, err = await run_once(rd)
        assert code == 0, err[-3000:]
        kinds: defaultdict[str, list[str]] = defaultdict(list)
        for alert in webhook_alerts(hook):
            kinds[alert["kind"]].append(alert["item"]["link"])
        assert kinds == {"match": [story[0].link], "also_reported": [story[1].link]}
        first, copy = webhook_alerts(hook)
        assert copy["story"] == first["key"]
        assert len(matrix.requests) == 2
        reply: Received = matrix.requests[1]
        relation = reply.json()["m.relates_to"]
        assert relation["rel_type"] == "m.thread" and relation["event_id"] == "$ev1"
        assert story[1].link in reply.json()["body"]

"""Issue 10 against a real Synapse (``tests/support/synapse.py``): stories of the labelled set,
carried by several outlets, routed through ``wirewatch run --once`` to a room. Read back through
the client-server API as a Matrix client would: each story's first alert is an event in the
room, and every copy is an ``m.thread`` reply under that event (``/relations``).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.support.rundir import make_rundir
from tests.support.story_feeds import load_story_items, write_everything_watchlist, write_outlets
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.synapse

STORIES = ("idlib-market-strike", "idlib-hospital-strike", "ar-idlib-shelling-7", "uk-kharkiv-substation")


async def test_copies_are_thread_replies_under_the_first_alert(
    tmp_path: Path, synapse: SynapseServer
) -> None:
    items = [i for i in load_story_items()[0] if i.story in STORIES]
    assert sum(i.version > 0 for i in items) >= 6, "the chosen stories must have copies"
    room = synapse.create_room()
    rd = make_rundir(tmp_path)
    write_outlets(rd, items)
    write_everything_watchlist(rd, ["room"])
    rd.write(
        "channels.yaml",
        f"channels:\n  room: {{type: matrix, homeserver: '{synapse.base_url}', room_id: '{room}',"
        f" access_token: '{synapse.access_token}'}}\n",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", "run", "--once",
        cwd=rd.root, env=rd.env(WIREWATCH_SEND_TIMEOUT="10"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), timeout=180)
    assert proc.returncode == 0, err.decode()[-3000:]

    events = synapse.messages(room)
    top = [e for e in events if "m.relates_to" not in e["content"]]
    first_event: dict[str, str] = {}
    for item in items:
        carrying = [e["event_id"] for e in top if item.link in e["content"]["body"]]
        if carrying:
            assert len(carrying) == 1 and item.story not in first_event, item.link
            first_event[item.story] = carrying[0]
    assert sorted(first_event) == sorted(STORIES)
    for story, event_id in first_event.items():
        replies = synapse.relations(room, event_id, "m.thread")
        copies = [
            i for i in items if i.story == story and not any(i.link in e["content"]["body"] for e in top)
        ]
        assert len(replies) == len(copies), story
        for copy in copies:
            carrying = [r for r in replies if copy.link in r["content"]["body"]]
            assert len(carrying) == 1, copy.link
            assert carrying[0]["content"]["m.relates_to"]["event_id"] == event_id
    assert len(events) == len(items)  # nothing sent twice, no copy outside its thread

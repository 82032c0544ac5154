"""A burst through ``wirewatch run --once`` (issue 14, item 6): seven stories due at once go out
as one message on Slack (loopback receiver) and Matrix (a real Synapse), newest first by
published time, each with the feed's title, its matched terms and a snippet of its body that
does not repeat its title."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import HttpReceiver
from tests.support.rundir import make_rundir
from tests.support.synapse import SynapseServer
from tests.support.wirewatch_cli import wirewatch

CITIES = ["Aleppo", "Hama", "Homs", "Idlib", "Raqqa", "Daraa", "Manbij"]
HOURS = [3, 6, 0, 5, 1, 4, 2]  # published at 0N:00 UTC, listed in the feed out of order


def items() -> list[dict[str, str]]:
    return [
        {
            "title": f"Fighting reported in {city}",
            "link": f"https://wire.test/{city.lower()}",
            "guid": city,
            "date": f"Wed, 04 Dec 2024 0{hour}:00:00 +0000",
            "body": f"Dispatch {hour} from the scene, residents said.",
        }
        for city, hour in zip(CITIES, HOURS, strict=True)
    ]


def newest_first(text: str) -> list[str]:
    return sorted(CITIES, key=lambda city: text.index(f"Fighting reported in {city}"))


EXPECTED = [c for _, c in sorted(zip(HOURS, CITIES, strict=True), reverse=True)]


@pytest.mark.synapse
async def test_a_burst_is_one_message_newest_first(tmp_path: Path, synapse: SynapseServer) -> None:
    room = synapse.create_room()
    rd = make_rundir(
        tmp_path, feeds="feeds:\n  - {id: wire-7, title: Levant Wire, url: wire.xml, backfill: all}\n"
    )
    rd.write_feed("wire.xml", items())
    rd.write(
        "watchlists/frontline.yaml", f"match: any\ncities: [{', '.join(CITIES)}]\nchannels: [slack, matrix]\n"
    )
    async with HttpReceiver() as rx:
        where = f'homeserver: "{synapse.base_url}", room_id: "{room}", access_token: "${{MATRIX_TOKEN}}"'
        rd.write(
            "channels.yaml",
            f'channels:\n  slack: {{type: slack, webhook_url: "{rx.url}/services/T/B/X"}}\n'
            f"  matrix: {{type: matrix, {where}}}\n",
        )
        run = await wirewatch(rd, "run", "--once", MATRIX_TOKEN=synapse.access_token)
        assert run.code == 0, run.err[-2000:]
        [request] = rx.requests

    sections = [b["text"]["text"] for b in request.json()["blocks"] if b["type"] == "section"]
    assert newest_first("\n".join(sections)) == EXPECTED
    for section, city in zip(sections, EXPECTED, strict=True):
        hour = HOURS[CITIES.index(city)]
        title_line, meta, quote = section.split("\n")
        assert f"Fighting reported in {city}" in title_line
        assert meta == f"_frontline_ · Levant Wire · 2024-12-04 0{hour}:00 UTC · Cities: {city}"
        assert quote == f"> Dispatch {hour} from the scene, residents said."

    [event] = synapse.messages(room)
    body, formatted = event["content"]["body"], event["content"]["formatted_body"]
    assert newest_first(body) == EXPECTED == newest_first(formatted)
    assert body.count("Levant Wire") == 7 and "wire-7" not in body + formatted
    for city in CITIES:
        hour = HOURS[CITIES.index(city)]
        assert f"Cities: {city}" in body and f"“Dispatch {hour} from the scene, residents said.”" in body
    assert not re.search(r"“Fighting reported", body)

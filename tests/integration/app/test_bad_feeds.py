"""Bad feeds in the same run as a good one: each gets a clear error naming it, the good feed
still alerts, `run --once` finishes despite a stalled server, and memory stays bounded."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from tests.support.hostile_server import hostile_server
from tests.support.rundir import make_rundir

BAD = ["gone", "error", "limited", "big", "gzbomb", "laughs", "xxe", "stall"]


def test_bad_feeds_do_not_stop_good_ones(tmp_path: Path) -> None:
    with hostile_server() as base:
        feeds = "feeds:\n  - {id: good, url: good.xml, backfill: all}\n" + "".join(
            f"  - {{id: bad-{name}, url: '{base}/{name}', backfill: all}}\n" for name in BAD
        )
        rd = make_rundir(tmp_path, feeds=feeds)
        rd.write_feed(
            "good.xml",
            [
                {
                    "title": "Rebels enter Hama",
                    "link": "https://wire.test/a",
                    "guid": "a",
                    "body": "b",
                }
            ],
        )
        started = time.monotonic()
        out = rd.wirewatch(
            "run",
            "--once",
            timeout=120,
            WIREWATCH_READ_TIMEOUT="2",
            WIREWATCH_FETCH_TIMEOUT="4",
            WIREWATCH_DRAIN_TIMEOUT="5",
        )
        elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr[-3000:]
    assert "[frontline] Rebels enter Hama" in out.stdout
    problems = [line for line in out.stderr.splitlines() if "[warning" in line or "[error" in line]
    for name in BAD:
        assert any(f"feed bad-{name}" in line for line in problems), f"no warning naming bad-{name}"
    assert "Traceback" not in out.stderr
    assert "root:x:0:0" not in out.stdout + out.stderr  # XXE did not read a local file
    assert "lollollol" not in out.stdout  # entities were not expanded into an alert
    assert elapsed < 60
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mib < 400, f"child peak RSS {peak_mib:.0f} MiB"

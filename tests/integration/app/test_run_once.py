"""`wirewatch run --once` end to end: alerts once, nothing twice, exactly the new item after that.

Runs the real command in a subprocess against embedded (SQLite) and real Redis state.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.rundir import make_rundir

ITEMS = [
    {
        "title": "Rebels enter Hama",
        "link": "https://wire.test/a?utm_source=x",
        "guid": "a",
        "body": "Fighters entered the city.",
    },
    {
        "title": "HTS statement on Aleppo",
        "link": "https://wire.test/b",
        "guid": "b",
        "body": "A statement.",
    },
    {
        "title": "Hamas talks in Cairo",
        "link": "https://wire.test/c",
        "guid": "c",
        "body": "No Syrian city here.",
    },
    {
        "title": "Aleppo football derby",
        "link": "https://wire.test/d",
        "guid": "d",
        "body": "A football story.",
    },
]
NEW = {
    "title": "Army regroups north of Homs",
    "link": "https://wire.test/e",
    "guid": "e",
    "body": "Troops moved.",
}


def alert_titles(stdout: str) -> list[str]:
    return [line.split("] ", 1)[1] for line in stdout.splitlines() if line.startswith("[frontline]")]


def check_three_runs(tmp_path: Path, state_url: str | None) -> None:
    rd = make_rundir(tmp_path, state_url)
    rd.write_feed("wire.xml", ITEMS)

    first = rd.wirewatch("run", "--once")
    assert first.returncode == 0, first.stderr
    assert sorted(alert_titles(first.stdout)) == ["HTS statement on Aleppo", "Rebels enter Hama"]

    second = rd.wirewatch("run", "--once")
    assert second.returncode == 0, second.stderr
    assert alert_titles(second.stdout) == []

    rd.write_feed("wire.xml", [NEW, *ITEMS])
    third = rd.wirewatch("run", "--once")
    assert third.returncode == 0, third.stderr
    assert alert_titles(third.stdout) == ["Army regroups north of Homs"]


def test_run_once_three_times_sqlite(tmp_path: Path) -> None:
    check_three_runs(tmp_path, None)


@pytest.mark.redis
def test_run_once_three_times_redis(tmp_path: Path, redis_url: str) -> None:
    check_three_runs(tmp_path, redis_url)


def test_backfill_none_primes_without_alerting(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path, feeds="feeds:\n  - {id: wire, url: wire.xml}\n")
    rd.write_feed("wire.xml", ITEMS)
    first = rd.wirewatch("run", "--once")
    assert first.returncode == 0, first.stderr
    assert alert_titles(first.stdout) == []
    assert "feed_primed" in first.stderr and "primed=4" in first.stderr
    rd.write_feed("wire.xml", [NEW, *ITEMS])
    second = rd.wirewatch("run", "--once")
    assert alert_titles(second.stdout) == ["Army regroups north of Homs"]


def test_same_story_through_two_feeds_is_one_alert(tmp_path: Path) -> None:
    feeds = "feeds:\n  - {id: one, url: one.xml, backfill: all}\n  - {id: two, url: two.xml, backfill: all}\n"
    rd = make_rundir(tmp_path, feeds=feeds)
    story = {"title": "Rebels enter Hama", "guid": "x1", "body": "b"}
    rd.write_feed("one.xml", [{**story, "link": "https://wire.test/hama?utm_source=rss#top"}])
    rd.write_feed("two.xml", [{**story, "guid": "other-guid", "link": "https://WIRE.test/hama/?fbclid=abc"}])
    out = rd.wirewatch("run", "--once")
    assert out.returncode == 0, out.stderr
    assert alert_titles(out.stdout) == ["Rebels enter Hama"]


def test_broken_config_refuses_to_start(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write_feed("wire.xml", ITEMS)
    rd.write("feeds.yaml", "feeds:\n  - {id: wire, url: wire.xml, intervall: 5m}\n")
    out = rd.wirewatch("run", "--once")
    assert out.returncode == 1
    assert "feeds.yaml:2: unknown field 'intervall' (did you mean 'interval'?)" in out.stderr
    assert "Traceback" not in out.stderr
    check = rd.wirewatch("check")
    assert check.returncode == 1
    assert "feeds.yaml:2: unknown field 'intervall' (did you mean 'interval'?)" in check.stderr


def test_check_ok(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write_feed("wire.xml", ITEMS)
    out = rd.wirewatch("check")
    assert out.returncode == 0, out.stderr
    assert "ok: 1 feeds, 1 channels, 1 watchlists" in out.stdout

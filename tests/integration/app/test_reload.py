"""Rules reload while the service runs: a good change takes effect, a broken one keeps the last
good rules in force (and says why, with path:line), and queued alerts are not lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from service.app import build_service
from service.settings import Settings
from tests.support.rundir import make_rundir

ITEMS = [{"title": "Rebels enter Hama", "link": "https://wire.test/a", "guid": "a", "body": "b"}]
NEW_ITEM = {"title": "Convoy reaches Raqqa", "link": "https://wire.test/r", "guid": "r", "body": "b"}


async def test_reload_swaps_good_rules_and_keeps_them_on_a_broken_file(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write_feed("wire.xml", ITEMS)
    settings = Settings(_env_file=None, rules_dir=rd.rules, state_url=rd.state_url)  # type: ignore[call-arg]
    async with build_service(settings, once=True) as service:
        assert [w.id for w in service.rules.watchlists] == ["frontline"]
        rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchannels: [console]\n")
        assert await service.reload(rd.rules) is True
        assert sorted(w.id for w in service.rules.watchlists) == ["east", "frontline"]
        assert service.pipeline.rules is service.rules

        rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchanels: [console]\n")
        good = service.rules
        assert await service.reload(rd.rules) is False
        assert service.rules is good and service.pipeline.rules is good


def wait_for(path: Path, needle: str, timeout: float = 20.0) -> None:
    """Wait until ``needle`` shows up in the file a subprocess writes (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not seen in {timeout}s:\n{path.read_text()[-3000:]}")


def test_running_service_reloads_on_file_change(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path, feeds="feeds:\n  - {id: wire, url: wire.xml, interval: 1s, backfill: all}\n")
    rd.write_feed("wire.xml", ITEMS)
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "run"], cwd=rd.root, env=rd.env(), stdout=out, stderr=err
        )
        try:
            wait_for(out_path, "[frontline] Rebels enter Hama")
            time.sleep(0.5)  # let the watcher settle before the first change
            rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchanels: [console]\n")  # broken
            wait_for(err_path, "east.yaml:2: unknown field 'chanels' (did you mean 'channels'?)")
            rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchannels: [console]\n")  # fixed
            wait_for(err_path, "rules_reloaded")
            rd.write_feed("wire.xml", [NEW_ITEM, *ITEMS])
            wait_for(out_path, "[east] Convoy reaches Raqqa")
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
    err_text = err_path.read_text()
    assert code == 0, err_text[-2000:]
    assert "Traceback" not in err_text

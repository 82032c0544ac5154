"""Rules reload while the service runs: a good change takes effect, a broken one keeps the last
good rules in force (and says why, with path:line), and queued alerts are not lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from service.app import Service
from service.config.rules import load_rules
from service.settings import Settings
from service.state.open import open_store
from tests.integration.e2e.rundir import make_rundir

ITEMS = [{"title": "Rebels enter Hama", "link": "https://wire.test/a", "guid": "a", "body": "b"}]
NEW_ITEM = {"title": "Convoy reaches Raqqa", "link": "https://wire.test/r", "guid": "r", "body": "b"}


async def test_reload_swaps_good_rules_and_keeps_them_on_a_broken_file(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write_feed("wire.xml", ITEMS)
    settings = Settings(_env_file=None, rules_dir=rd.rules, state_url=rd.state_url)  # type: ignore[call-arg]
    store = await open_store(settings.state_url, settings)
    try:
        async with Service(settings, load_rules(rd.rules), store) as service:
            assert [w.id for w in service.rules.watchlists] == ["frontline"]
            rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchannels: [console]\n")
            assert await service.reload(rd.rules) is True
            assert sorted(w.id for w in service.rules.watchlists) == ["east", "frontline"]
            assert service.pipeline is not None and service.pipeline.rules is service.rules

            rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchanels: [console]\n")
            good = service.rules
            assert await service.reload(rd.rules) is False
            assert service.rules is good and service.pipeline.rules is good
    finally:
        await store.close()


def test_running_service_reloads_on_file_change(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path, feeds="feeds:\n  - {id: wire, url: wire.xml, interval: 1s, backfill: all}\n")
    rd.write_feed("wire.xml", ITEMS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "run"],
        cwd=rd.root,
        env=rd.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2.5)
        rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchanels: [console]\n")  # broken
        time.sleep(1.5)
        rd.write("watchlists/east.yaml", "cities: [Raqqa]\nchannels: [console]\n")  # fixed
        time.sleep(1.5)
        rd.write_feed("wire.xml", [NEW_ITEM, *ITEMS])
        time.sleep(3)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    assert "[frontline] Rebels enter Hama" in out
    assert "east.yaml:2: unknown field 'chanels' (did you mean 'channels'?)" in err
    assert "rules_reloaded" in err
    assert "[east] Convoy reaches Raqqa" in out
    assert "Traceback" not in err

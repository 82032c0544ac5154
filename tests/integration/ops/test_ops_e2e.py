"""The running service (``python -m service run``) answers /healthz, /readyz and /metrics.

A real subprocess on loopback: temp rules (a file:// feed, the console channel), SQLite state in
tmp, ``WIREWATCH_HTTP_ADDR=127.0.0.1:<free port>``. It must become ready, count its polls in
/metrics, and exit 0 on SIGTERM. With the state store unreachable (a closed Redis port) it must
say so on /readyz with a 503 instead of pretending to be ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.support.waiting import free_port

T = TypeVar("T")

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ops wire</title><link>https://wire.test/</link>
<description>t</description>
<item><title>Shelling reported near Aleppo</title><link>https://wire.test/1</link>
<guid isPermaLink="false">ops-1</guid><pubDate>Wed, 04 Dec 2024 08:00:00 +0000</pubDate>
<description>Residents of Aleppo reported shelling overnight.</description></item>
</channel></rss>
"""


def write_rules(root: Path) -> Path:
    rules = root / "rules"
    (rules / "watchlists").mkdir(parents=True)
    (rules / "wire.xml").write_text(FEED, encoding="utf-8")
    (rules / "feeds.yaml").write_text(
        f"feeds:\n  - {{id: ops-wire, url: {(rules / 'wire.xml').as_uri()}, interval: 1h, backfill: all}}\n",
        encoding="utf-8",
    )
    (rules / "channels.yaml").write_text("channels:\n  console: {type: console}\n", encoding="utf-8")
    (rules / "watchlists" / "frontline.yaml").write_text(
        "description: Frontline cities\ncities: [Aleppo]\nchannels: [console]\n", encoding="utf-8"
    )
    return rules


class Running:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, logs: Path) -> None:
        self.proc, self.port, self.logs = proc, port, logs
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, timeout=2)

    def stderr(self) -> str:
        return self.logs.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float = 20) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"service exited ({self.proc.returncode}) waiting for {what}:\n{self.stderr()}")
            try:
                got = probe()
            except httpx.TransportError:
                got = None
            if got is not None:
                return got
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}:\n{self.stderr()}")


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[str], Running]]:
    started: list[Running] = []

    def _start(state_url: str) -> Running:
        rules = write_rules(tmp_path)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")}
        env.update(
            WIREWATCH_RULES_DIR=str(rules),
            WIREWATCH_STATE_URL=state_url,
            WIREWATCH_HTTP_ADDR=f"127.0.0.1:{port}",
            WIREWATCH_LOG_FORMAT="json",
            WIREWATCH_STATE_TIMEOUT="1",
            PYTHONUNBUFFERED="1",
        )
        logs = tmp_path / "stderr.log"
        with logs.open("wb") as sink:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                [sys.executable, "-m", "service", "run"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        running = Running(proc, port, logs)
        started.append(running)
        return running

    yield _start
    for running in started:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait(timeout=10)


def polls_of(text: str, feed_id: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("wirewatch_polls_total{") and f'feed_id="{feed_id}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_running_service_is_healthy_ready_counts_polls_and_stops_cleanly(
    start: Callable[[str], Running], tmp_path: Path
) -> None:
    svc = start(f"sqlite:///{tmp_path / 'var' / 'state.db'}")
    svc.wait_for("/readyz 200", lambda: True if svc.get("/readyz").status_code == 200 else None)
    assert svc.get("/healthz").status_code == 200
    polls = svc.wait_for(
        "a poll counted in /metrics",
        lambda: polls_of(svc.get("/metrics").text, "ops-wire") or None,
    )
    assert polls >= 1
    text = svc.get("/metrics").text
    assert 'wirewatch_items_new_total{feed_id="ops-wire"} 1.0' in text
    assert 'wirewatch_matches_total{watchlist="frontline"} 1.0' in text
    svc.proc.send_signal(signal.SIGTERM)
    assert svc.proc.wait(timeout=20) == 0, svc.stderr()


def test_readyz_is_503_while_the_state_store_is_unreachable(
    start: Callable[[str], Running],
) -> None:
    svc = start(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    response = svc.wait_for("/readyz to answer", lambda: svc.get("/readyz"))
    assert response.status_code == 503
    assert "state store" in response.text
    assert svc.get("/healthz").status_code == 200
    svc.proc.send_signal(signal.SIGTERM)
    assert svc.proc.wait(timeout=20) == 0, svc.stderr()

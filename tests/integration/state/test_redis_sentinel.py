"""``redis+sentinel://``: the store finds the master through Sentinel and follows a failover.

A master, a replica and a sentinel, all real redis-server processes on loopback started by the
test. The master is killed; Sentinel promotes the replica; the store, still the same object,
reads what it wrote before and keeps writing.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest
import redis

from service.settings import Settings
from service.state.base import FeedState, StateUnavailable
from service.state.open import build_store
from tests.support.redis_server import RedisServer, redis_server_binary
from tests.support.waiting import free_port

SENTINEL_CONF = """port {port}
bind 127.0.0.1
dir {folder}
sentinel resolve-hostnames no
sentinel monitor desk 127.0.0.1 {master} 1
sentinel down-after-milliseconds desk 800
sentinel failover-timeout desk 4000
sentinel parallel-syncs desk 1
"""


def start_sentinel(folder: Path, master: int) -> tuple[subprocess.Popen[bytes], int]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = folder / "sentinel.conf"
    conf.write_text(SENTINEL_CONF.format(port=port, folder=folder, master=master))
    log = (folder / "sentinel.log").open("wb")
    proc = subprocess.Popen([redis_server_binary(), str(conf), "--sentinel"], stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with redis.Redis(port=port, socket_timeout=0.5) as probe:
            try:
                if probe.sentinel_master("desk"):
                    return proc, port
            except (redis.exceptions.RedisError, OSError):
                time.sleep(0.05)
    proc.kill()
    raise RuntimeError((folder / "sentinel.log").read_text()[-2000:])


async def until_written(store: object, state: FeedState, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            await store.put_feed("after", state)  # type: ignore[attr-defined]
            return time.monotonic() - started
        except StateUnavailable:
            await asyncio.sleep(0.2)
    raise AssertionError("no write succeeded after the failover")


@pytest.mark.redis
@pytest.mark.timeout(90)
async def test_the_store_follows_a_sentinel_failover(tmp_path: Path) -> None:
    master = RedisServer.start(tmp_path / "master")
    replica = RedisServer.start(tmp_path / "replica", extra=["--replicaof", "127.0.0.1", str(master.port)])
    sentinel, port = start_sentinel(tmp_path / "sentinel", master.port)
    settings = Settings(_env_file=None, state_timeout=1.0)  # type: ignore[call-arg]
    store = build_store(f"redis+sentinel://127.0.0.1:{port}/desk/0", settings)
    try:
        await store.open()
        assert store.location.startswith("redis at master desk via sentinel 127.0.0.1:")
        await store.put_feed("before", FeedState(etag="written-before"))
        with redis.Redis(port=master.port) as direct:
            assert direct.wait(1, 5000) == 1  # the replica has it
        master.kill()
        took = await until_written(store, FeedState(etag="written-after"), within=40)
        assert (await store.get_feed("before")).etag == "written-before"
        assert (await store.get_feed("after")).etag == "written-after"
        with redis.Redis(port=replica.port) as direct:
            role = direct.role()[0]
        assert role in (b"master", "master"), role
        print(f"writes resumed {took:.1f}s after the master died")
    finally:
        await store.close()
        sentinel.kill()
        sentinel.wait(10)
        replica.stop()
        master.stop()

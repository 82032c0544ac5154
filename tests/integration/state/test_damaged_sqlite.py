"""A damaged SQLite state file (issue 11.6): one line that names the file and says what to do,
never a traceback; and a service whose polls cannot use the file is not "ready".

The files are real SQLite databases written by ``wirewatch run --once`` and then damaged by the
test: replaced by random bytes, or with the pages of two tables overwritten.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import httpx

from tests.support.rundir import RunDir, make_rundir
from tests.support.service_process import ServiceProcess
from tests.support.waiting import free_port

ITEMS = [{"title": "Rebels enter Hama", "link": "https://wire.test/a", "guid": "a", "body": "b"}]


def written(tmp: Path) -> tuple[RunDir, Path]:
    rd = make_rundir(tmp)
    rd.write_feed("wire.xml", ITEMS)
    result = rd.wirewatch("run", "--once")
    assert result.returncode == 0, result.stderr[-2000:]
    db = tmp / "state.db"
    assert db.is_file() and not Path(f"{db}-wal").exists()
    return rd, db


def one_line_naming(text: str, db: Path) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text[-2000:]
    assert str(db) in lines[0] and "is damaged" in lines[0] and "move the file aside" in lines[0]
    return lines[0]


def test_random_bytes_are_one_clear_line_for_every_command(tmp_path: Path) -> None:
    rd, db = written(tmp_path)
    db.write_bytes(os.urandom(8192))
    for args in (("run", "--once"), ("run",), ("deliveries", "list"), ("status",)):
        result = rd.wirewatch(*args, timeout=30)
        assert result.returncode == 1, (args, result.stderr[-2000:])
        line = one_line_naming(result.stderr, db)
        assert line.startswith(f"wirewatch {args[0]}: "), line


def damage_tables(db: Path, *tables: str) -> None:
    with sqlite3.connect(db) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0]
            for t in tables
        ]
    with db.open("r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * size)
            handle.write(os.urandom(size))


async def test_polls_that_cannot_use_the_file_make_readyz_say_so(tmp_path: Path) -> None:
    rd, db = written(tmp_path)
    damage_tables(db, "feeds", "seen")  # schema_version and the rest still read: open succeeds
    port = free_port()
    service = await ServiceProcess(rd, WIREWATCH_HTTP_ADDR=f"127.0.0.1:{port}").start()
    try:
        assert await service.wait_for_log("state_unavailable", within=20), service.text()[-3000:]
        answer = await _readyz(port)
    finally:
        await service.stop()
    assert answer.status_code == 503, answer.text
    assert "state store failing in polls" in answer.text and "is damaged" in answer.text
    assert str(db) in answer.text and "move the file aside" in answer.text
    assert "Traceback" not in service.text()


async def _readyz(port: int) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                answer = await client.get(f"http://127.0.0.1:{port}/readyz")
            except httpx.TransportError:
                await asyncio.sleep(0.1)
                continue
            if answer.status_code == 503:
                return answer
            await asyncio.sleep(0.1)
        return answer

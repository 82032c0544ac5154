"""One process per SQLite file: the lock names its holder and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from service.state.base import StateInUse
from service.state.sqlite.lock import FileLock

HOLD = (
    "import sys, time; from service.state.sqlite.lock import FileLock; "
    "FileLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)"
)


def test_a_second_holder_is_refused_with_the_first_named(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with subprocess.Popen([sys.executable, "-c", HOLD, db], stdout=subprocess.PIPE, text=True) as child:
        _hold_and_crash(child, db)


def _hold_and_crash(child: subprocess.Popen[str], db: str) -> None:
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(StateInUse) as info:
            FileLock(db).acquire()
        message = str(info.value)
        assert f"pid {child.pid} on " in message and "in use by another wirewatch" in message
        assert db in message and "\n" not in message
        child.send_signal(signal.SIGKILL)  # a crash: no cleanup runs
        child.wait(10)
        lock = FileLock(db)
        lock.acquire()  # the kernel dropped the dead holder's lock
        lock.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)


def test_the_same_process_can_take_it_again_after_release(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    first = FileLock(db)
    first.acquire()
    first.release()
    second = FileLock(db)
    second.acquire()
    assert f'"pid": {os.getpid()}' in Path(db + ".lock").read_text()
    second.release()

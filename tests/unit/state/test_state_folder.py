"""A state folder or file the service's uid cannot write is one line naming the uid and the chown.

In the image the service runs as uid 10001 and a host folder mounted on /var/lib/wirewatch keeps
its host owner. Run as root (CI, containers), each case opens the store in a forked child that
drops to uid 10001, as in the image; run as anyone else, the folders are simply read-only. Each
case is tried both ways the store is opened: ``connect`` (every command) and the service's
exclusive open (``wirewatch run``, which creates its lock file in the same folder first).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.state.base import StateUnavailable
from service.state.open import open_store
from service.state.sqlite.db import connect
from tests.support.settings import quick_settings

IMAGE_UID = 10001


Opener = Callable[[Path], None]


def by_connect(path: Path) -> None:
    connect(str(path), "").close()


def by_service_open(path: Path) -> None:
    async def run() -> None:
        store = await open_store(f"sqlite:///{path}", quick_settings(), exclusive=True)
        await store.close()

    asyncio.run(run())


@pytest.fixture(params=[by_connect, by_service_open], ids=["connect", "service-open"])
def opener(request: pytest.FixtureRequest) -> Opener:
    return request.param  # type: ignore[no-any-return]


def open_as_service_user(path: Path, opener: Opener) -> str:
    """Open the store at ``path`` as the service's uid; '' when it opened, else the error text."""
    if os.geteuid() != 0:
        return try_open(path, opener)
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads alive (3.12+)
        pid = os.fork()
    if pid == 0:  # child: drop to the image's uid, report, never return into pytest
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(IMAGE_UID)
            os.setuid(IMAGE_UID)
            os.write(write, try_open(path, opener).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return text


def try_open(path: Path, opener: Opener) -> str:
    try:
        opener(path)
    except StateUnavailable as exc:
        return str(exc)
    except Exception as exc:  # anything else is a failure of the check, shown as such
        return f"unexpected {exc!r}"
    return ""


def service_ids() -> tuple[int, int]:
    """(uid, gid) that ``open_as_service_user`` opens the store with."""
    return (IMAGE_UID, IMAGE_UID) if os.geteuid() == 0 else (os.getuid(), os.getgid())


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder every uid can enter (pytest's tmp_path sits under a 0700 folder of root's)."""
    folder = Path(tempfile.mkdtemp(prefix="wirewatch-state-folder-"))
    folder.chmod(0o755)
    yield folder
    for sub in folder.rglob("*"):
        sub.chmod(0o755 if sub.is_dir() else 0o644)
    shutil.rmtree(folder)


def give_to_service_user(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, IMAGE_UID, IMAGE_UID)


def test_folder_owned_by_someone_else(base: Path, opener: Opener) -> None:
    folder = base / "state"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    uid, gid = service_ids()
    error = open_as_service_user(folder / "state.db", opener)
    assert error == (
        f"state folder {folder} is not writable by uid {uid} (a host folder mounted there must be "
        f"owned by uid {uid}: chown -R {uid}:{gid} <folder>)"
    )
    assert not (folder / "state.db").exists()


def test_missing_folder_under_a_read_only_parent(base: Path, opener: Opener) -> None:
    parent = base / "readonly"
    parent.mkdir()
    parent.chmod(0o555)
    error = open_as_service_user(parent / "state" / "state.db", opener)
    uid = service_ids()[0]
    assert error == f"state folder {parent}/state cannot be created by uid {uid} (its parent is not writable)"


def test_file_owned_by_someone_else_in_a_writable_folder(base: Path, opener: Opener) -> None:
    folder = base / "state"
    folder.mkdir()
    give_to_service_user(folder)
    (folder / "state.db").touch()
    (folder / "state.db").chmod(0o444)
    error = open_as_service_user(folder / "state.db", opener)
    assert error.startswith(f"state file {folder / 'state.db'} is not writable by uid {service_ids()[0]} (")
    assert "chown -R" in error


def test_writable_folder_opens(base: Path, opener: Opener) -> None:
    folder = base / "state"
    folder.mkdir()
    give_to_service_user(folder)
    assert open_as_service_user(folder / "sub" / "state.db", opener) == ""
    assert (folder / "sub" / "state.db").is_file()

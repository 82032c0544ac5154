"""The SQLite store's schema, how a connection is opened, and the worker every call runs on.

Opening creates the folder and the file (or says which uid cannot write them), turns on WAL
(readers never block the one writer), creates missing tables, and refuses a database written by
a newer Wirewatch. ``SqliteBase`` runs every call on one dedicated thread, each call one
transaction, so calls are serialized in the order they are made and the event loop never waits
on disk.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from service.state.base import BadStateUrl, StateDamaged, StateUnavailable
from service.state.records import DEFAULT_RETENTION, Retention
from service.state.sqlite.lock import FileLock

SCHEMA_VERSION = 2
CORE_SCHEMA = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"


def sqlite_path(url: str) -> str:
    """``sqlite:///rel/path.db`` -> ``rel/path.db``; ``sqlite:////abs.db`` -> ``/abs.db``."""
    if not url.startswith("sqlite:///"):
        raise BadStateUrl(
            f"state url {url!r}: expected sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    path = url[len("sqlite:///") :]
    if not path:
        raise BadStateUrl(f"state url {url!r}: no database file after sqlite:///")
    return path


def check_writable(path: str) -> None:
    """Create ``path``'s folder if missing; raise StateUnavailable saying which uid cannot write.

    SQLite alone says "unable to open database file", or opens a read-only file and fails at the
    first write. In the image the folder is a volume; a host folder mounted on it keeps its host
    owner, so the message names the uid that needs it and the chown that gives it.
    """
    folder, uid, gid = Path(path).absolute().parent, os.getuid(), os.getgid()
    owned = f"(a host folder mounted there must be owned by uid {uid}: chown -R {uid}:{gid} <folder>)"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        raise StateUnavailable(
            f"state folder {folder} cannot be created by uid {uid} (its parent is not writable)"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StateUnavailable(f"state folder {folder} is not writable by uid {uid} {owned}")
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise StateUnavailable(f"state file {path} is not writable by uid {uid} {owned}")


def connect(
    path: str, schema: str, migrations: dict[int, str] | None = None, *, read_only: bool = False
) -> sqlite3.Connection:
    """Open the database at ``path``: read-only as it is, or (creating as needed) with ``schema``.

    A database of an older schema version is brought up to date with ``migrations`` (version ->
    script) in one transaction before ``schema`` runs; a newer one is refused.
    """
    if read_only:
        return _connect_read_only(path)
    if path != ":memory:":
        check_writable(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(CORE_SCHEMA)
        with transaction(db):
            _upgrade(db, path, migrations or {})
        db.executescript(schema)  # idempotent (IF NOT EXISTS): tables and indexes of every role
    except BaseException:
        db.close()
        raise
    return db


def _upgrade(db: sqlite3.Connection, path: str, migrations: dict[int, str]) -> None:
    version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    if version is None:  # a new database: ``schema`` creates the current tables
        db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        return
    if version > SCHEMA_VERSION:
        raise StateUnavailable(
            f"state db {path} has schema {version}, newer than this "
            f"Wirewatch understands ({SCHEMA_VERSION}): upgrade Wirewatch"
        )
    for step in range(version + 1, SCHEMA_VERSION + 1):
        for statement in migrations.get(step, "").split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))


def _connect_read_only(path: str) -> sqlite3.Connection:
    """The database as it is, never created or changed (``status``, ``deliveries list``)."""
    if path == ":memory:" or not Path(path).is_file():
        raise StateUnavailable(
            f"no state database at {path}: nothing has run with this WIREWATCH_STATE_URL here "
            "(run wirewatch from the folder it runs in, or set WIREWATCH_STATE_URL)"
        )
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout=5000")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE .. COMMIT, or ROLLBACK on any error: each call is all or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


T = TypeVar("T")
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def damaged(path: str, exc: BaseException) -> str:
    """One line: what is wrong with the file and what to do about it."""
    return (
        f"state db {path} is damaged ({exc}): stop wirewatch, move the file aside "
        f"(mv {path} {path}.damaged) and start again; it starts afresh (feeds are primed again, "
        "alerts still queued in the damaged file are not sent)"
    )


CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(sql, (name,)).fetchone() is not None


def marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteBase:
    """One SQLite file (or ``:memory:``), one worker thread; the roles' mixins build on ``_run``."""

    shared = False
    schema = ""  # each role's tables (CREATE ... IF NOT EXISTS), joined by the combined store
    migrations: dict[int, str] = {}  # schema version -> what brings an older database to it

    def __init__(
        self,
        path: str,
        *,
        seen_ttl: float,
        seen_max: int,
        dedup_ttl: float,
        retention: Retention = DEFAULT_RETENTION,
        read_only: bool = False,
        exclusive: bool = False,
    ) -> None:
        self._path = path
        self._read_only = read_only
        self._lock = FileLock(path) if exclusive and path != ":memory:" else None
        self._seen_ttl = seen_ttl
        self._seen_max = seen_max
        self._dedup_ttl = dedup_ttl
        self._retention = retention
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirewatch-sqlite")
        self._db: sqlite3.Connection | None = None
        self._closed = False

    @property
    def location(self) -> str:
        return f"sqlite:{self._path}"

    async def open(self) -> None:
        """Create the folder, the file and the schema; check the schema version. An ``exclusive``
        store first takes the file's lock (StateInUse names the process holding it)."""
        if self._lock is not None:
            check_writable(self._path)  # before the lock file is created in the same folder
            self._lock.acquire()
        await self._run(lambda db: None)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the worker thread, inside one transaction."""

        def call() -> T:
            try:
                if self._db is None:
                    self._db = connect(self._path, self.schema, self.migrations, read_only=self._read_only)
                if self._read_only:
                    return fn(self._db)
                with transaction(self._db):
                    return fn(self._db)
            except (sqlite3.OperationalError, OSError) as exc:  # locked, disk full, unreadable
                raise StateUnavailable(f"state db {self._path}: {exc}") from None
            except sqlite3.DatabaseError as exc:
                if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _DAMAGED:
                    raise StateDamaged(damaged(self._path, exc)) from None
                raise

        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def _read(self, table: str, fn: Callable[[sqlite3.Connection], list[T]]) -> list[T]:
        """``fn`` over ``table``; a read-only store over a database written before ``table``
        existed (an older Wirewatch) has nothing in it rather than an error."""

        def read(db: sqlite3.Connection) -> list[T]:
            if self._read_only and not _has_table(db, table):
                return []
            return fn(db)

        return await self._run(read)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        """Close the database; a second close does nothing."""
        if self._closed:
            return
        self._closed = True

        def shut() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await asyncio.get_running_loop().run_in_executor(self._pool, shut)
        self._pool.shutdown(wait=True)
        if self._lock is not None:
            self._lock.release()

    async def _update(self, sql: str, head: Sequence[object], ids: Sequence[str]) -> int:
        """Run ``sql`` (ending in ``id = ?``) once per id in one transaction; rows changed."""
        if not ids:
            return 0

        def write(db: sqlite3.Connection) -> int:
            before = db.total_changes
            db.executemany(sql, [(*head, i) for i in dict.fromkeys(ids)])
            return db.total_changes - before

        return await self._run(write)

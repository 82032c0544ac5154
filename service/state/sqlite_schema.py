"""The SQLite store's schema, its version check, and how a connection is opened.

Opening creates the folder and the file (or says which uid cannot write them), turns on WAL
(readers never block the one writer), creates missing tables, and refuses a database written by a
newer Wirewatch.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.state.base import StateUnavailable

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (feed_id TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (
  feed_id TEXT NOT NULL, item_id TEXT NOT NULL, seen_at REAL NOT NULL,
  PRIMARY KEY (feed_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_time ON seen (feed_id, seen_at, item_id);
CREATE TABLE IF NOT EXISTS claims (alert_key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_time ON claims (claimed_at);
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, alert TEXT NOT NULL,
  created_at REAL NOT NULL, next_attempt REAL NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, dead INTEGER NOT NULL DEFAULT 0, reason TEXT, died_at REAL
);
CREATE INDEX IF NOT EXISTS entries_by_channel ON entries (channel, dead, next_attempt, id);
"""


def sqlite_path(url: str) -> str:
    """``sqlite:///rel/path.db`` -> ``rel/path.db``; ``sqlite:////abs.db`` -> ``/abs.db``."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"state url {url!r}: expected sqlite:///relative/path or sqlite:////abs/path")
    path = url[len("sqlite:///") :]
    if not path:
        raise ValueError(f"state url {url!r}: no database file after sqlite:///")
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


def connect(path: str) -> sqlite3.Connection:
    """Open (creating as needed) the database at ``path`` with the current schema."""
    if path != ":memory:":
        check_writable(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(_SCHEMA)  # idempotent (IF NOT EXISTS); runs outside a transaction
        with transaction(db):
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            if row[0] is None:
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise StateUnavailable(
                    f"state db {path} has schema {row[0]}, newer than this "
                    f"Wirewatch understands ({SCHEMA_VERSION}): upgrade Wirewatch"
                )
    except BaseException:
        db.close()
        raise
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

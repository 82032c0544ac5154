"""SqliteStore: the embedded default state store (one process; survives restarts).

stdlib sqlite3 in WAL mode on one dedicated worker thread (``db.py``); each public call is one
transaction. The roles live in their own modules (``feeds.py``: feed state and seen sets;
``outbox.py``: claims, entries, dead letters; ``alertlog.py``, ``silences.py``, ``history.py``:
the editors' records; ``stories.py``: story signatures, leads, thread refs) and are combined here.
New tables need no schema version: ``schema`` creates what a database lacks each time it opens.
"""

from __future__ import annotations

from service.state.sqlite.alertlog import ALERT_LOG_SCHEMA, SqliteAlertLog
from service.state.sqlite.db import SCHEMA_VERSION, sqlite_path
from service.state.sqlite.feeds import FEEDS_SCHEMA, SEEN_SCHEMA, SqliteFeeds, SqliteSeen
from service.state.sqlite.history import HISTORY_SCHEMA, SqliteHistory
from service.state.sqlite.leases import LEASES_SCHEMA, SqlitePollLeases
from service.state.sqlite.outbox import OUTBOX_MIGRATIONS, OUTBOX_SCHEMA, SqliteOutbox, SqliteOutboxAdmin
from service.state.sqlite.recovery import META_SCHEMA, SqliteRecovery
from service.state.sqlite.silences import SILENCES_SCHEMA, SqliteSilences
from service.state.sqlite.stories import STORIES_SCHEMA, SqliteStories

__all__ = ["SCHEMA_VERSION", "SqliteStore", "sqlite_path"]


class SqliteStore(
    SqliteFeeds,
    SqlitePollLeases,
    SqliteSeen,
    SqliteOutbox,
    SqliteOutboxAdmin,
    SqliteRecovery,
    SqliteAlertLog,
    SqliteSilences,
    SqliteHistory,
    SqliteStories,
):
    """StateStore on one SQLite file (or ``:memory:``)."""

    schema = (
        FEEDS_SCHEMA
        + LEASES_SCHEMA
        + SEEN_SCHEMA
        + OUTBOX_SCHEMA
        + META_SCHEMA
        + ALERT_LOG_SCHEMA
        + SILENCES_SCHEMA
        + HISTORY_SCHEMA
        + STORIES_SCHEMA
    )
    migrations = OUTBOX_MIGRATIONS

    @classmethod
    def from_url(cls, url: str, *, seen_ttl: float, seen_max: int, dedup_ttl: float) -> SqliteStore:
        return cls(sqlite_path(url), seen_ttl=seen_ttl, seen_max=seen_max, dedup_ttl=dedup_ttl)

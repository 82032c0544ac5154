"""RedisStore: the shared state store (``redis://``, ``rediss://``, ``unix://``).

The roles live in their own modules (``feeds.py``: feed state and seen sets; ``outbox.py``:
claims, entries, dead letters; ``alertlog.py``, ``silences.py``, ``history.py``: the editors'
records; ``stories.py``: story signatures, leads, thread refs) on one connection (``base.py``);
key names come from ``state/keys.py``; the outbox's multi-key updates are the Lua scripts in
``lua.py`` (the stories' in ``story_lua.py``), the records' are MULTI/EXEC transactions.
"""

from __future__ import annotations

from service.state.redis.alertlog import RedisAlertLog
from service.state.redis.connect import redis_location
from service.state.redis.feeds import RedisFeeds, RedisSeen
from service.state.redis.history import RedisHistory
from service.state.redis.leases import RedisPollLeases
from service.state.redis.outbox import RedisOutbox, RedisOutboxAdmin
from service.state.redis.recovery import RedisRecovery
from service.state.redis.silences import RedisSilences
from service.state.redis.stories import RedisStories

__all__ = ["RedisStore", "redis_location"]


class RedisStore(
    RedisFeeds,
    RedisPollLeases,
    RedisSeen,
    RedisOutbox,
    RedisOutboxAdmin,
    RedisRecovery,
    RedisAlertLog,
    RedisSilences,
    RedisHistory,
    RedisStories,
):
    """StateStore on one Redis database."""

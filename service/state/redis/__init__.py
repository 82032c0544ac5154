"""RedisStore: the shared state store (``redis://``, ``rediss://``, ``unix://``).

The roles live in their own modules (``feeds.py``: feed state and seen sets; ``outbox.py``:
claims, entries, dead letters) on one connection (``base.py``); key names come from
``state/keys.py`` and the multi-key updates are the Lua scripts in ``lua.py``.
"""

from __future__ import annotations

from service.state.redis.connect import redis_location
from service.state.redis.feeds import RedisFeeds, RedisSeen
from service.state.redis.leases import RedisPollLeases
from service.state.redis.outbox import RedisOutbox, RedisOutboxAdmin
from service.state.redis.recovery import RedisRecovery

__all__ = ["RedisStore", "redis_location"]


class RedisStore(RedisFeeds, RedisPollLeases, RedisSeen, RedisOutbox, RedisOutboxAdmin, RedisRecovery):
    """StateStore on one Redis database."""

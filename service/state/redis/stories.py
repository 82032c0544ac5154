"""The Redis store's stories: band-key sorted sets, entry strings, lead hashes, thread refs.

Layout in ``state/keys.py`` (every key under ``P story:{s}:``). A lookup and an add are one Lua
script each (``story_lua.py``), so each is one round trip and an add is atomic; a lead is taken
by a script too. Thread refs are plain strings written ``SET NX PX`` in one MULTI/EXEC and read
with one MGET.

An expired entry leaves when an add touches one of its band keys (the script checks the
members old enough to have expired) or, at the latest, by its own ``PX``; until then a lookup
whose ``since`` reaches back before its expiry can still return it. The clusterer's ``since``
(now - window, window <= retention) never does.

Entry values are bytes (a fingerprint is binary), so the story scripts are called with their
reply left undecoded even on a client that decodes replies to str for every other role.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from redis.client import NEVER_DECODE
from redis.exceptions import NoScriptError

from service.state.base import STORY_TTL, StoryLead
from service.state.redis.base import RedisBase, num
from service.stories.index import StoryEntry

_STORY_TTL_MS = math.ceil(STORY_TTL * 1000)


def _ttl_ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _entry(ref: str | bytes, value: bytes) -> StoryEntry:
    """An entry from its stored value: ``<expires_at>|`` then ``StoryEntry.to_bytes()``."""
    return StoryEntry.from_bytes(_text(ref), value[value.index(b"|") + 1 :])


class RedisStories(RedisBase):
    async def story_lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        keys = [self._keys.story_band(b) for b in dict.fromkeys(bands)]
        if not keys or limit <= 0:
            return []
        raw = await self._undecoded("story_lookup", keys, [self._keys.story_entry(""), num(since), limit])
        return [_entry(raw[i], raw[i + 1]) for i in range(0, len(raw), 2)]

    async def story_add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        now = entry.seen_at
        keys = [self._keys.story_entry(entry.ref), *(self._keys.story_band(b) for b in dict.fromkeys(bands))]
        value = num(expires_at).encode() + b"|" + entry.to_bytes()
        cutoff = now - (expires_at - now)  # members this old are expired if they lived as long
        args = [
            self._keys.story_entry(""),
            num(now),
            _ttl_ms(expires_at - now),
            entry.ref,
            value,
            num(cutoff),
        ]
        await self._undecoded("story_add", keys, args)

    async def story_lead(
        self, watchlist: str, story_id: str, candidate: StoryLead, window: float
    ) -> StoryLead:
        key = self._keys.story_lead(watchlist, story_id)
        args: list[str | int] = [
            candidate.alert_key,
            candidate.title,
            num(candidate.last_seen),
            num(window),
            _STORY_TTL_MS,
        ]
        with self._guard():
            lead = await self._scripts["story_lead"](keys=[key], args=args)
        return StoryLead(_text(lead[0]), _text(lead[1]), float(lead[2]))

    async def set_thread_refs(self, channel: str, refs: dict[str, str], now: float) -> None:
        """Redis counts the STORY_TTL from the write itself (``now`` is for stores without a clock)."""
        if not refs:
            return
        with self._guard():
            async with self._r.pipeline(transaction=True) as tx:
                for alert_key, ref in refs.items():
                    tx.set(self._keys.thread_ref(channel, alert_key), ref, nx=True, px=_STORY_TTL_MS)
                await tx.execute()

    async def thread_refs(self, channel: str, alert_keys: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(alert_keys))
        if not wanted:
            return {}
        with self._guard():
            values: list[str | bytes | None] = await self._r.mget(  # type: ignore[assignment]
                [self._keys.thread_ref(channel, k) for k in wanted]
            )
        return {k: _text(v) for k, v in zip(wanted, values, strict=True) if v is not None}

    async def _undecoded(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """Run a story script with its reply as bytes (EVALSHA; EVAL once if Redis lost it)."""
        script = self._scripts[name]
        options = {NEVER_DECODE: True}
        with self._guard():
            try:
                return await self._r.execute_command(  # type: ignore[no-untyped-call]
                    "EVALSHA", script.sha, len(keys), *keys, *args, **options
                )
            except NoScriptError:
                return await self._r.execute_command(  # type: ignore[no-untyped-call]
                    "EVAL", script.script, len(keys), *keys, *args, **options
                )

"""The Redis store's stories: band keys in time-sliced hash buckets, entry strings, leads,
thread refs.

Layout in ``state/keys.py`` (every key under ``P story:{s}:``), scripts and record format in
``story_lua.py``. A lookup and an add are one Lua script each, so each is one round trip and an
add is atomic; a lead is taken by a script too. Thread refs are plain strings written
``SET NX PX`` in one MULTI/EXEC and read with one MGET.

Why slices and buckets: a key of its own per band key (a ZSET holding one ref, mostly) cost
~200 bytes, 16 per item: 3,362 bytes/item in all (``bench/story_bench.py``, 100,000 items in
48 h, 320.7 MB). Here a band key is a field of a small hash (8-byte field, 9-byte ref per
entry), ``BUCKETS`` hashes per slice, so a key's overhead is shared by ~57 band keys and the
hashes stay listpack-encoded (at most 128 fields here; Redis 7.0's defaults allow 512 fields
and 64-byte values): 973 bytes/item, 93 MB. A slice is the largest power of two seconds at
most ``1/SLICES`` of the entry's lifetime (48 h: 32,768 s, so 6 or 7 slices are alive); a slice
hash expires when its last entry can have expired, so band keys outlive their entries by at
most one slice (the entry strings, ~540 of the 973 bytes, by nothing).

Measured on the bench's 100,000 items (server-side µs per lookup, memory per item):

    SLICES BUCKETS  bytes/item  lookup   fields per hash
      8     2048       969      640 µs   ~70
      4     2048       955      443 µs   ~115 (max ~200)
      4     4096       973      416 µs   ~57 (max ~112)   <- chosen
      4     8192     1,029      399 µs   ~29
      2     4096       958      395 µs   ~170

A lookup reads one hash per band key per live slice, and a band key absent from a hash costs
a scan of its listpack: fewer slices and smaller hashes make it cheaper, more buckets cost
memory (a key each). 4/4096 keeps the hashes under 128 fields with room for a rate ~4x the
bench's before any hash leaves the listpack encoding, and band keys linger at most one slice.

An expired entry leaves when an add under one of its band keys reads the slice where entries
of the add's lifetime are expiring (or the one before; the script checks those refs' expiry)
or, at the latest, by its own ``PX``; until then
a lookup whose ``since`` reaches back before its expiry can still return it. The clusterer's
``since`` (now - window, window <= retention) never does.

Entry values are bytes (a fingerprint is binary), so the story scripts are called with their
reply left undecoded even on a client that decodes replies to str for every other role.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from redis.client import NEVER_DECODE
from redis.exceptions import NoScriptError

from service.state.redis.base import RedisBase, num
from service.state.stories import STORY_TTL, StoryEntry, StoryLead

_STORY_TTL_MS = math.ceil(STORY_TTL * 1000)

SLICES = 4
"""A slice is the largest power of two seconds at most lifetime / SLICES (so 4 to 8 slices of an
entry's lifetime are alive): shorter slices free expired band keys sooner, longer ones mean
fewer hashes for a lookup to read (the table above)."""

BUCKETS = 4096
"""Hashes per slice; a band key's bucket is ``band % BUCKETS``. At the bench's rate (100,000
items in 48 h: ~230,000 band keys a slice) a hash holds ~57 fields, at most ~112; at a rate far
above that (512 fields by Redis's defaults) a hash becomes a hashtable: more memory, the same
answers."""

PER_FIELD = 7
"""Refs per hash field: 7 records of 9 bytes fit a 64-byte listpack value; more continue in
another field (``story_lua.py``)."""

_EXPONENTS = (-20, 60)  # slice sizes from ~1 µs to 2^60 s
_HEX_REF = re.compile(r"[0-9a-f]{16}")


def _ttl_ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def slice_exponent(lifetime: float) -> int:
    """``k`` of the slice size ``2^k``: the largest power of two at most lifetime / SLICES."""
    if lifetime <= 0:
        return _EXPONENTS[0]
    _, exponent = math.frexp(lifetime / SLICES)
    return min(max(exponent - 1, _EXPONENTS[0]), _EXPONENTS[1])


def ref_record(ref: str) -> bytes:
    """A ref as stored in a band field: byte 0 + 8 raw bytes for a 16-hex ``item_ref``, else a
    length byte and the ref's bytes (refs of 1 to 255 bytes)."""
    if _HEX_REF.fullmatch(ref):
        return b"\0" + bytes.fromhex(ref)
    raw = ref.encode()
    if not 0 < len(raw) < 256:
        raise ValueError(f"a story ref must be 1 to 255 bytes, not {len(raw)}")
    return bytes([len(raw)]) + raw


def _band_args(bands: Sequence[int]) -> list[bytes | int]:
    """Each distinct band key as its hash field (8 bytes, big-endian) and its bucket."""
    out: list[bytes | int] = []
    for band in dict.fromkeys(bands):
        out += [band.to_bytes(8, "big"), band % BUCKETS]
    return out


def _entry(ref: str | bytes, value: bytes) -> StoryEntry:
    """An entry from its stored value: ``<expires_at>|<seen_at>|<k>|`` + ``to_bytes()``."""
    return StoryEntry.from_bytes(_text(ref), value.split(b"|", 3)[3])


class RedisStories(RedisBase):
    async def story_lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        fields = _band_args(bands)
        if not fields or limit <= 0:
            return []
        args = [*self._story_prefixes(), num(since), limit, SLICES, PER_FIELD, *fields]
        raw = await self._undecoded("story_lookup", [self._keys.story_slices], args)
        return [_entry(raw[i], raw[i + 1]) for i in range(0, len(raw), 2)]

    async def story_add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        lifetime = expires_at - entry.seen_at
        k = slice_exponent(lifetime)
        value = f"{num(expires_at)}|{num(entry.seen_at)}|{k}|".encode() + entry.to_bytes()
        args = [
            *self._story_prefixes(),
            num(entry.seen_at),
            num(lifetime),
            _ttl_ms(lifetime),
            k,
            ref_record(entry.ref),
            value,
            SLICES,
            PER_FIELD,
            *_band_args(bands),
        ]
        keys = [self._keys.story_slices, self._keys.story_entry(entry.ref)]
        await self._undecoded("story_add", keys, args)

    def _story_prefixes(self) -> tuple[str, str]:
        """What the scripts build slice and entry keys from (``keys.py``)."""
        return self._keys.story_slice_prefix, self._keys.story_entry("")

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

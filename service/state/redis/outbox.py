"""The Redis store's outbox: dedup claims, entries, worker claims, gates, dead letters (``lua.py``).

An entry id sits in exactly one of ``outbox:<channel>`` / ``dead:<channel>`` (sorted sets); its
fields are in ``entry:<id>`` (a hash). See ``keys.py`` for the layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from service.model import Alert
from service.state.base import Claim, DeadLetter, OutboxEntry
from service.state.keys import DEAD, OUTBOX
from service.state.redis.base import RedisBase, num


def _entry_args(entries: Sequence[OutboxEntry]) -> list[str]:
    args: list[str] = []
    for e in entries:
        args += [
            e.id,
            e.channel,
            e.alert.to_json(),
            num(e.created_at),
            num(e.next_attempt),
            str(e.attempts),
            "1" if e.last_error is not None else "0",
            e.last_error or "",
            e.batch or "",
        ]
    return args


def _parse(row: list[Any]) -> tuple[OutboxEntry, dict[str, str]]:
    fields = dict(zip(row[1::2], row[2::2], strict=True))
    entry = OutboxEntry(
        channel=fields["channel"],
        alert=Alert.from_json(fields["alert"]),
        next_attempt=float(fields["next_attempt"]),
        created_at=float(fields["created_at"]),
        attempts=int(fields["attempts"]),
        last_error=fields.get("last_error"),
        batch=fields.get("batch"),
    )
    return entry, fields


class RedisEntries(RedisBase):
    """Reading entries, shared by the worker's and the admin's roles."""

    async def _rows(self, part: str, channel: str | None) -> list[list[Any]]:
        rows: list[list[Any]] = await self._call("load", args=[part, channel or ""])
        return rows

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        entries = [_parse(r)[0] for r in await self._rows(OUTBOX, channel)]
        return sorted(entries, key=lambda e: (e.next_attempt, e.id))


class RedisOutbox(RedisEntries):
    async def claim_and_enqueue(self, alert_key: str, entries: Sequence[OutboxEntry], now: float) -> bool:
        ttl_ms = max(1, math.ceil(self._dedup_ttl * 1000))
        args = [num(now), num(self._dedup_ttl), str(ttl_ms), *_entry_args(entries)]
        return bool(await self._call("claim_and_enqueue", [self._keys.claim(alert_key)], args))

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        if entries:
            await self._call("enqueue", args=_entry_args(entries))

    async def claim(
        self, channel: str, now: float, limit: int, *, token: str, lease: float, spacing: float
    ) -> Claim:
        args = [channel, num(now), str(max(0, limit)), token, num(now + lease), num(now + spacing)]
        reply: list[Any] = await self._call("claim", args=args)
        if reply[0] == "wait":
            return Claim(token, [], float(reply[1]))
        return Claim(token, [_parse(r)[0] for r in reply[1:]])

    async def release(self, entry_ids: Sequence[str], token: str) -> None:
        if entry_ids:
            await self._call("release", args=[token, *entry_ids])

    async def defer(self, entry_ids: Sequence[str], until: float, token: str) -> None:
        if entry_ids:
            await self._call("defer", args=[num(until), token, *entry_ids])

    async def bind_batch(self, entry_ids: Sequence[str], batch: str, token: str) -> None:
        if entry_ids:
            await self._call("bind_batch", args=[batch, token, *entry_ids])

    async def next_due(self, channel: str) -> float | None:
        when = await self._call("next_due", args=[channel])
        return float(when) if when else None

    async def ack(self, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            await self._call("ack", args=list(entry_ids))

    async def reschedule(self, entry_ids: Sequence[str], next_attempt: float, error: str, token: str) -> None:
        if entry_ids:
            await self._call("reschedule", args=[num(next_attempt), error, token, *entry_ids])

    async def dead_letter(self, entry_ids: Sequence[str], reason: str, now: float, token: str) -> None:
        if entry_ids:
            await self._call("dead_letter", args=[reason, num(now), token, *entry_ids])

    async def pause(self, channel: str, until: float) -> None:
        await self._call("pause", args=[channel, num(until)])


class RedisOutboxAdmin(RedisEntries):
    async def dead_letters(self, channel: str | None = None) -> list[DeadLetter]:
        letters = []
        for row in await self._rows(DEAD, channel):
            entry, fields = _parse(row)
            letters.append(DeadLetter(entry, fields.get("reason", ""), float(fields["died_at"])))
        return sorted(letters, key=lambda d: (d.died_at, d.id))

    async def revive(self, entry_ids: Sequence[str], now: float) -> int:
        return int(await self._call("revive", args=[num(now), *entry_ids])) if entry_ids else 0

    async def drop(self, entry_ids: Sequence[str]) -> int:
        return int(await self._call("drop", args=list(entry_ids))) if entry_ids else 0

    async def depth(self) -> dict[str, tuple[int, int]]:
        rows = await self._call("depth")
        return {ch: (int(p), int(d)) for ch, p, d in sorted(rows) if int(p) or int(d)}

"""``wirewatch deliveries``: the outbox and the dead letters: list them, requeue, discard.

``list --dead`` shows only the dead letters; ``--format json`` gives times as ISO 8601 UTC.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from service.cli.common import admin_store, iso, utc
from service.settings import Settings
from service.state.base import AdminStore, DeadLetter, OutboxEntry


def register(sub: Any) -> None:
    p = sub.add_parser("deliveries", help="the outbox and dead letters: list, retry, drop")
    p.add_argument("action", nargs="?", choices=["list", "retry", "drop"], default="list")
    p.add_argument("ids", nargs="*", help="entry ids (from 'list')")
    p.add_argument("--channel", help="only this channel")
    p.add_argument("--all", action="store_true", help="every dead letter (retry) / every entry (drop)")
    p.add_argument("--dead", action="store_true", help="list / drop: only dead letters")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_deliveries(settings, args))


async def _deliveries(settings: Settings, args: argparse.Namespace) -> int:
    async with admin_store(settings, read_only=args.action == "list") as store:
        if args.action == "list":
            return await _list(store, args.channel, args.format, dead_only=args.dead)
        if args.action == "retry":
            return await _retry(store, args)
        return await _drop(store, args)


async def _list(store: AdminStore, channel: str | None, fmt: str, *, dead_only: bool = False) -> int:
    pending = [] if dead_only else await store.pending(channel)
    dead = await store.dead_letters(channel)
    if fmt == "json":
        rows = [_pending_row(e) for e in pending] + [_dead_row(d) for d in dead]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not dead_only:
        print(f"pending: {len(pending)}")
    for e in pending:
        err = f"  last error: {e.last_error}" if e.last_error else ""
        print(
            f"  {e.id}  #{e.channel}  attempts={e.attempts}  next={utc(e.next_attempt, True)}  "
            f"[{e.alert.watchlist}] {e.alert.item.title[:70]}{err}"
        )
    print(f"dead letters: {len(dead)}")
    for d in dead:
        print(
            f"  {d.id}  #{d.entry.channel}  died={utc(d.died_at, True)}  [{d.entry.alert.watchlist}] "
            f"{d.entry.alert.item.title[:70]}  reason: {d.reason}"
        )
    return 0


def _pending_row(e: OutboxEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "state": "pending",
        "channel": e.channel,
        "watchlist": e.alert.watchlist,
        "title": e.alert.item.title,
        "attempts": e.attempts,
        "queued_at": iso(e.created_at),
        "next_attempt": iso(e.next_attempt),
        "last_error": e.last_error,
    }


def _dead_row(d: DeadLetter) -> dict[str, Any]:
    e = d.entry
    return {
        "id": d.id,
        "state": "dead",
        "channel": e.channel,
        "watchlist": e.alert.watchlist,
        "title": e.alert.item.title,
        "attempts": e.attempts,
        "queued_at": iso(e.created_at),
        "reason": d.reason,
        "died_at": iso(d.died_at),
    }


def _unknown(command: str, ids: list[str], known: set[str], what: str) -> bool:
    """Explicit ids that name nothing: say which (a typo must not pass as success)."""
    missing = [i for i in ids if i not in known]
    if missing:
        print(
            f"wirewatch deliveries {command}: no {what} with id {', '.join(missing)} "
            "(see 'wirewatch deliveries list'); nothing changed",
            file=sys.stderr,
        )
    return bool(missing)


async def _retry(store: AdminStore, args: argparse.Namespace) -> int:
    ids = list(args.ids)
    if args.all:
        ids = [d.id for d in await store.dead_letters(args.channel)]
        if not ids:
            print("no dead letters to retry")
            return 0
    if not ids:
        print("wirewatch deliveries retry: give entry ids or --all", file=sys.stderr)
        return 2
    if _unknown("retry", ids, {d.id for d in await store.dead_letters()}, "dead letter"):
        return 1
    count = await store.revive(ids, time.time())
    print(f"requeued {count} dead letter(s); a running service delivers them within seconds")
    return 0


async def _drop(store: AdminStore, args: argparse.Namespace) -> int:
    ids = list(args.ids)
    if args.all:
        ids = [d.id for d in await store.dead_letters(args.channel)]
        if not args.dead:
            ids += [e.id for e in await store.pending(args.channel)]
        if not ids:
            print("nothing to drop")
            return 0
    if not ids:
        print("wirewatch deliveries drop: give entry ids or --all [--dead]", file=sys.stderr)
        return 2
    known = {d.id for d in await store.dead_letters()} | {e.id for e in await store.pending()}
    if _unknown("drop", ids, known, "entry"):
        return 1
    count = await store.drop(ids)
    print(f"dropped {count} entr{'y' if count == 1 else 'ies'}")
    return 0

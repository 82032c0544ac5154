"""``wirewatch silence add|list|expire``: hold a watchlist's alerts back for a while.

Like Alertmanager's silences, but for stories: ``add --watchlist W [--channel C] --for 2h
--reason "..."`` holds back every alert of W (on C, or on every channel) from now for 2 hours,
including alerts already waiting in the outbox. A held-back alert is recorded in the alert log
(``wirewatch alerts``) with the silence's id and is never sent, not even when the silence ends.
``expire ID`` ends a silence now. The watchlist and channel must exist in the rules.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import getpass
import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from service.cli.common import admin_store, duration, iso, utc
from service.feeds.health import WATCHLIST as HEALTH_WATCHLIST
from service.feeds.health import human_duration
from service.rules import Rules, load_rules
from service.settings import Settings
from service.state.records import Silence

NAME = "wirewatch silence"


def register(sub: Any) -> None:
    p = sub.add_parser("silence", help="hold a watchlist's alerts back for a while: add, list, expire")
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="silence a watchlist (on one channel or all) from now")
    add.add_argument("--watchlist", required=True, help="watchlist id (the file name in watchlists/)")
    add.add_argument("--channel", help="only this channel (default: every channel)")
    add.add_argument("--for", dest="length", type=duration, required=True, help="how long: 30m, 2h, 1d")
    add.add_argument("--reason", required=True, help="why, for the rest of the desk")
    add.add_argument("--by", default=None, help="who (default: the login name)")
    add.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    listing = actions.add_parser("list", help="silences in force or to come (--all: ended ones too)")
    listing.add_argument("--all", action="store_true", help="include ended silences still kept")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    expire = actions.add_parser("expire", help="end a silence now")
    expire.add_argument("id", help="silence id (from 'silence list')")
    for action in (add, listing, expire):
        action.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "add":
        return _add(settings, args, load_rules(settings.rules_dir))
    if args.action == "list":
        return asyncio.run(_list(settings, args.all, args.format))
    return asyncio.run(_expire(settings, args.id))


def _add(settings: Settings, args: argparse.Namespace, rules: Rules) -> int:
    known = {w.id for w in rules.watchlists} | {HEALTH_WATCHLIST}
    problem = _unknown("watchlist", args.watchlist, known) or (
        _unknown("channel", args.channel, set(rules.channels)) if args.channel else None
    )
    if problem:
        print(f"{NAME} add: {problem}; nothing silenced", file=sys.stderr)
        return 1
    now = time.time()
    silence = Silence(
        id="s-" + secrets.token_hex(4),
        watchlist=args.watchlist,
        channel=args.channel,
        starts_at=now,
        ends_at=now + args.length,
        reason=" ".join(args.reason.split()),
        created_by=args.by if args.by is not None else _login(),
    )
    asyncio.run(_store_silence(settings, silence, now))
    where = f"#{silence.channel}" if silence.channel else "every channel"
    print(
        f"{silence.id}: [{silence.watchlist}] silenced on {where} until {utc(silence.ends_at)} UTC "
        f"({human_duration(args.length)}); end it early with: wirewatch silence expire {silence.id}"
    )
    return 0


async def _store_silence(settings: Settings, silence: Silence, now: float) -> None:
    async with admin_store(settings, read_only=False) as store:
        await store.add_silence(silence, now)


async def _list(settings: Settings, everything: bool, fmt: str) -> int:
    now = time.time()
    async with admin_store(settings, read_only=True) as store:
        silences = [s for s in await store.silences() if everything or s.ends_at > now]
    if fmt == "json":
        print(json.dumps([silence_row(s, now) for s in silences], ensure_ascii=False, indent=2))
        return 0
    if not silences:
        print("no silences" if everything else "no silences in force or to come")
        return 0
    for s in silences:
        where = f"#{s.channel}" if s.channel else "every channel"
        by = f" by {s.created_by}" if s.created_by else ""
        print(
            f"{s.id}  {state_of(s, now):7}  [{s.watchlist}] on {where}  "
            f"{utc(s.starts_at)} -> {utc(s.ends_at)} UTC{by}: {s.reason}"
        )
    return 0


async def _expire(settings: Settings, silence_id: str) -> int:
    now = time.time()
    async with admin_store(settings, read_only=False) as store:
        before = {s.id: s for s in await store.silences()}.get(silence_id)
        ended = await store.end_silence(silence_id, now)
    if ended is None:
        print(
            f"{NAME} expire: no silence with id {silence_id} (see 'wirewatch silence list --all')",
            file=sys.stderr,
        )
        return 1
    if before is not None and before.ends_at <= now:
        print(f"{silence_id} had already ended at {utc(ended.ends_at)} UTC")
        return 0
    print(f"{silence_id} ended: alerts of [{ended.watchlist}] are sent again from now")
    return 0


def silence_row(s: Silence, now: float) -> dict[str, Any]:
    return {
        "id": s.id,
        "state": state_of(s, now),
        "watchlist": s.watchlist,
        "channel": s.channel,
        "starts_at": iso(s.starts_at),
        "ends_at": iso(s.ends_at),
        "reason": s.reason,
        "created_by": s.created_by,
    }


def state_of(s: Silence, now: float) -> str:
    if s.active(now):
        return "active"
    return "ended" if s.ends_at <= now else "pending"


def _unknown(kind: str, name: str, known: set[str]) -> str | None:
    if name in known:
        return None
    hint = difflib.get_close_matches(name, sorted(known), n=1)
    extra = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(sorted(known)) or 'none'}"
    return f"no {kind} '{name}' in the rules ({extra})"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return ""

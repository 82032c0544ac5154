"""``wirewatch`` (also ``python -m service``): run, check, match, deliveries, status.

Exit codes: 0 success; 1 a problem the user must fix (config, unreachable state); 2 bad usage.
A user's mistake is printed as ``path:line: message`` lines, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dotenv import load_dotenv
from pydantic import ValidationError

from service import __version__
from service.config.rules import Rules, load_rules
from service.config.yamlfile import ConfigError
from service.logs import configure, get_logger
from service.settings import Settings
from service.state.base import StateUnavailable

log = get_logger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirewatch", description="Watch news feeds and alert editors.")
    p.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the service (or one poll with --once)")
    run.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    run.add_argument("--once", action="store_true", help="poll every feed once, deliver, exit")
    run.add_argument("--drain-timeout", type=float, help="with --once: seconds to keep retrying deliveries")

    check = sub.add_parser("check", help="validate every config file")
    check.add_argument("--rules", type=Path)

    match = sub.add_parser("match", help="dry run: which watchlists match which items of a feed")
    match.add_argument("--rules", type=Path, required=True, help="folder with watchlists/")
    match.add_argument("--feed", required=True, help="feed file path or URL")
    match.add_argument("--format", choices=["jsonl", "text"], default="text")
    match.add_argument(
        "--explain",
        action="store_true",
        help="per item and watchlist: every term hit and its form, vetoes, missing categories",
    )

    dl = sub.add_parser("deliveries", help="the outbox and dead letters: list, retry, drop")
    dl.add_argument("action", nargs="?", choices=["list", "retry", "drop"], default="list")
    dl.add_argument("ids", nargs="*", help="entry ids (from 'list')")
    dl.add_argument("--channel", help="only this channel")
    dl.add_argument("--all", action="store_true", help="every dead letter (retry) / every entry (drop)")
    dl.add_argument("--dead", action="store_true", help="drop: only dead letters")
    dl.add_argument("--format", choices=["text", "json"], default="text")

    st = sub.add_parser("status", help="feeds, backoff, outbox depth and dead letters")
    st.add_argument("--rules", type=Path)
    st.add_argument("--format", choices=["text", "json"], default="text")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = "WIREWATCH_" + "_".join(str(p) for p in err["loc"]).upper()
            print(f"{name}: {err['msg']}", file=sys.stderr)
        return 1
    load_dotenv(".env", override=False)  # so ${VAR} in channels.yaml can read .env too
    if getattr(args, "rules", None) and args.command != "match":
        settings.rules_dir = args.rules
    configure(settings.log_format, settings.log_level)
    try:
        if args.command == "check":
            return cmd_check(settings)
        if args.command == "run":
            return asyncio.run(cmd_run(settings, args.once, args.drain_timeout))
        if args.command == "match":
            from service.dryrun import cmd_match

            return asyncio.run(cmd_match(settings, args.rules, args.feed, args.format, args.explain))
        if args.command == "deliveries":
            from service.admin import cmd_deliveries

            return asyncio.run(cmd_deliveries(settings, args))
        if args.command == "status":
            from service.admin import cmd_status

            return asyncio.run(cmd_status(settings, args.format))
    except KeyboardInterrupt:
        return 130
    return 2


def load_or_report(settings: Settings) -> Rules | None:
    try:
        return load_rules(settings.rules_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def cmd_check(settings: Settings) -> int:
    rules = load_or_report(settings)
    if rules is None:
        print("wirewatch check: configuration has problems (see above)", file=sys.stderr)
        return 1
    from service.matching.load import expansion_warnings

    for warning in expansion_warnings(rules.watchlists):  # reported, but the rules are usable
        print(warning, file=sys.stderr)
    print(
        f"ok: {len(rules.feeds)} feeds, {len(rules.channels)} channels, "
        f"{len(rules.watchlists)} watchlists in {settings.rules_dir}"
    )
    return 0


async def cmd_run(settings: Settings, once: bool, drain_timeout: float | None) -> int:
    from service.app import Service
    from service.state.open import build_store, open_store
    from service.state.redis import redis_location

    rules = load_or_report(settings)
    if rules is None:
        print("wirewatch run: refusing to start on a broken configuration", file=sys.stderr)
        return 1
    try:
        store = await open_store(settings.state_url, settings)
    except ValueError as exc:
        print(f"wirewatch: {exc}", file=sys.stderr)
        return 1
    except (StateUnavailable, OSError) as exc:
        where = (
            settings.state_url
            if settings.state_url.startswith("sqlite")
            else redis_location(settings.state_url)
        )
        if once or settings.state_url.startswith("sqlite"):
            print(f"wirewatch: state store {where} unreachable: {exc}", file=sys.stderr)
            return 1
        # a shared Redis that is down at start: keep running (not ready) and retry every poll
        log.error("state_unavailable", error=str(exc), hint="not ready until the state store answers")
        store = build_store(settings.state_url, settings)
    try:
        async with Service(settings, rules, store, time.time) as service:
            if once:
                await service.run_once(drain_timeout if drain_timeout is not None else settings.drain_timeout)
            else:
                await service.run_forever()
    finally:
        await store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

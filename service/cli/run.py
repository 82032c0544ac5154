"""``wirewatch run``: the service; ``--once`` polls every feed once, delivers, and exits.

``run --once`` exit codes, for cron (also in ``wirewatch run --help`` and README):
0 every alert of the run was delivered (or there was none); 1 a problem to fix first (config,
state store); 2 bad usage; 3 an alert was dead-lettered during the run; 4 alerts are still
pending at the drain timeout (they stay queued for the next run). 3 wins over 4; the one line
on stderr names both.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from service.app import OnceResult, build_service
from service.settings import Settings

EXIT_DEAD_LETTERED = 3
EXIT_PENDING = 4
EPILOG = """exit codes of --once:
  0  every alert of the run was delivered (or there was none)
  1  a problem to fix first: the configuration or the state store
  2  bad usage
  3  an alert was dead-lettered during the run (see: wirewatch deliveries list --dead)
  4  alerts still pending at the drain timeout; they stay queued for the next run
  (3 wins over 4; one line on stderr says which)"""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run the service (or one poll with --once)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    p.add_argument("--once", action="store_true", help="poll every feed once, deliver, exit")
    p.add_argument("--drain-timeout", type=float, help="with --once: seconds to keep retrying deliveries")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args.once, args.drain_timeout))


async def _run(settings: Settings, once: bool, drain_timeout: float | None) -> int:
    async with build_service(settings, once=once) as service:
        if not once:
            await service.run_forever()
            return 0
        timeout = drain_timeout if drain_timeout is not None else settings.drain_timeout
        result = await service.run_once(timeout)
    return once_exit(result, timeout)


def once_exit(result: OnceResult, timeout: float) -> int:
    """The exit code for ``result``, and its one line on stderr when it is not 0."""
    parts = []
    if result.dead_lettered:
        parts.append(f"{_alerts(result.dead_lettered)} dead-lettered")
    if result.pending:
        parts.append(f"{_alerts(result.pending)} still pending after the {timeout:g}s drain timeout")
    if not parts:
        return 0
    hint = "wirewatch deliveries list --dead" if result.dead_lettered else "wirewatch deliveries list"
    print(f"wirewatch run --once: {', '.join(parts)} (see: {hint})", file=sys.stderr)
    return EXIT_DEAD_LETTERED if result.dead_lettered else EXIT_PENDING


def _alerts(n: int) -> str:
    return f"{n} alert{'s' if n != 1 else ''}"

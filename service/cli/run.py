"""``wirewatch run``: the service; ``--once`` polls every feed once, delivers, and exits."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from service.app import build_service
from service.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (or one poll with --once)")
    p.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    p.add_argument("--once", action="store_true", help="poll every feed once, deliver, exit")
    p.add_argument("--drain-timeout", type=float, help="with --once: seconds to keep retrying deliveries")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args.once, args.drain_timeout))


async def _run(settings: Settings, once: bool, drain_timeout: float | None) -> int:
    async with build_service(settings, once=once) as service:
        if once:
            await service.run_once(drain_timeout if drain_timeout is not None else settings.drain_timeout)
        else:
            await service.run_forever()
    return 0

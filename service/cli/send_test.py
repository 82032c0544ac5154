"""``wirewatch send-test CHANNEL``: send a clearly marked test alert through the real channel.

The channel's own notifier sends it, with its real formatting (a digest channel sends it as a
one-alert digest), right away; nothing is queued or recorded. Prints the channel's answer:
exit 0 when it accepted the message, 1 with the reason when it did not (secrets never shown).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from service.notify.base import Batch
from service.notify.config import ChannelBase
from service.notify.registry import NotifierContext, build_notifier, send_client
from service.notify.sample import sample_alert
from service.rules import load_rules
from service.settings import Settings

NAME = "wirewatch send-test"


def register(sub: Any) -> None:
    p = sub.add_parser("send-test", help="send a test alert through a channel, with its real formatting")
    p.add_argument("channel", help="channel name from channels.yaml")
    p.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    channels = load_rules(settings.rules_dir).channels
    config = channels.get(args.channel)
    if config is None:
        known = ", ".join(sorted(channels)) or "none"
        print(f"{NAME}: no channel '{args.channel}' in channels.yaml (known: {known})", file=sys.stderr)
        return 1
    return asyncio.run(_send(settings, args.channel, config))


async def _send(settings: Settings, name: str, config: ChannelBase) -> int:
    alert = sample_alert(name, time.time())
    batch = Batch.of([alert], "digest" if config.is_digest else None)
    async with send_client(settings) as http:
        notifier = build_notifier(name, config, NotifierContext(http, settings))
        try:
            result = await notifier.send(batch)
        finally:
            await notifier.aclose()
    if result.ok:
        print(f"OK: #{name} ({config.type}) accepted the test message")
        return 0
    kind = "temporary failure, worth retrying" if result.retryable else "refused"
    print(f"FAILED: #{name} ({config.type}): {result.reason} ({kind})", file=sys.stderr)
    return 1

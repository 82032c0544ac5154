"""Parse a large body in a child process with capped memory and time.

Why: feedparser can need ~100x a malformed body's size in memory (10 MiB of broken XML took
1 GB and 30 s in one measurement) and holds the GIL while it works. The service process must
stay under 400 MB and keep polling whatever a feed sends, so bodies above ``INLINE_MAX`` are
parsed here: a fresh interpreter, ``RLIMIT_AS`` and ``RLIMIT_CPU`` set before reading the
body, killed at the deadline. The child's items come back as JSON (``Item.to_dict``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from service.feeds.parse import ParsedFeed, parse_feed
from service.model import Item

INLINE_MAX = 256 * 1024  # bodies up to this size parse in-process (~25 MB worst case)
MEMORY_LIMIT = 320 * 1024 * 1024  # child address space
_EXIT_NO_MEMORY = 3
_ROOT = str(Path(__file__).resolve().parents[2])


async def parse_isolated(
    feed_id: str,
    body: bytes,
    base_url: str | None,
    timeout: float,
    memory_limit: int = MEMORY_LIMIT,
    content_type: str | None = None,
    seen_at: datetime | None = None,
) -> ParsedFeed:
    """``parse_feed`` in a child process; a failure becomes a ``bozo_reason``, never a raise.

    ``content_type`` and ``seen_at`` reach the child's ``parse_feed`` unchanged.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")])),
    }
    cpu = str(max(1, int(timeout) + 1))
    seen = (seen_at or datetime.now(UTC)).isoformat()
    args = [feed_id, base_url or "", str(memory_limit), cpu, content_type or "", seen]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.feeds.isolate", *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )  # fmt: skip
    try:
        async with asyncio.timeout(timeout):
            out, _ = await proc.communicate(body)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return ParsedFeed(bozo_reason=f"parsing took longer than {timeout:g}s; gave up")
    if proc.returncode == _EXIT_NO_MEMORY:
        return ParsedFeed(bozo_reason=f"parsing needed more than {memory_limit >> 20} MiB; gave up")
    if proc.returncode != 0:
        return ParsedFeed(bozo_reason=f"parser process failed (exit {proc.returncode})")
    data = json.loads(out)
    items = [Item.from_dict(d) for d in data["items"]]
    return ParsedFeed(
        items=items,
        bozo_reason=data["bozo_reason"],
        title=data["title"],
        defused=data["defused"],
        entries_total=data["entries_total"],
    )


def _child(argv: list[str]) -> int:
    import resource

    feed_id, base_url, memory_limit, cpu = argv[0], argv[1] or None, int(argv[2]), int(argv[3])
    content_type, seen_at = argv[4] or None, datetime.fromisoformat(argv[5])
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        body = sys.stdin.buffer.read()
        parsed = parse_feed(feed_id, body, base_url, content_type=content_type, seen_at=seen_at)
        out = json.dumps(
            {
                "title": parsed.title,
                "bozo_reason": parsed.bozo_reason,
                "defused": parsed.defused,
                "entries_total": parsed.entries_total,
                "items": [item.to_dict() for item in parsed.items],
            }
        )
        sys.stdout.write(out)
        sys.stdout.flush()
    except MemoryError:
        return _EXIT_NO_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))

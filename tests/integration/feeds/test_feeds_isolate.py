"""Large bodies parse in a child with capped memory: a pathological feed cannot grow us."""

from __future__ import annotations

import resource

from service.feeds.isolate import parse_isolated


async def test_pathological_body_is_bounded_in_the_child() -> None:
    # ~100x memory amplification in feedparser's loose parser: 4 MiB would need ~400 MB
    body = b"<rss><channel><item><title>x<b>" + b"<item><title>x</title>" * (4 << 20 >> 5)
    parsed = await parse_isolated("bad", body, None, timeout=20, memory_limit=160 << 20)
    assert not parsed.items
    assert parsed.bozo_reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 400 * 1024


async def test_child_timeout_is_reported() -> None:
    body = b"<rss><channel>" + b"<item><title>x</title></item>" * 200_000
    parsed = await parse_isolated("slow", body, None, timeout=0.3)
    assert parsed.bozo_reason and "longer than" in parsed.bozo_reason

"""Large bodies parse in a child with capped memory: a pathological feed cannot grow us."""

from __future__ import annotations

import resource
from datetime import UTC, datetime

from service.feeds.isolate import INLINE_MAX, parse_isolated
from service.model import DateSource


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


async def test_child_reads_localised_dates_and_dates_the_rest_first_seen() -> None:
    """dateparser (loaded only when needed) fits in the child's memory cap; undated items carry
    the poll's time and say so, as they do in-process."""
    items = "".join(
        f"<item><guid>g{n}</guid><title>Item {n} {'word ' * 60}</title>"
        f"<pubDate>{'Seg, 24 Set 2018 19:42:40 -0300' if n % 2 else 'someday'}</pubDate></item>"
        for n in range(1000)
    )
    body = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    assert len(body) > INLINE_MAX
    seen = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    parsed = await parse_isolated("pt", body, None, timeout=20, seen_at=seen)
    assert parsed.bozo_reason is None and len(parsed.items) == 1000
    dated = [i for i in parsed.items if i.date_source is DateSource.FEED]
    undated = [i for i in parsed.items if i.date_source is DateSource.FIRST_SEEN]
    assert len(dated) == len(undated) == 500
    assert {i.published for i in dated} == {datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)}
    assert {i.published for i in undated} == {seen}

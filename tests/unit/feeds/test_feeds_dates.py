"""Defect class "dates": what real publishers write is read; what nothing reads is "first seen"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.feeds import dates
from service.feeds.dates import DateReader
from service.feeds.parse import parse_feed
from service.model import Alert, DateSource, Item
from service.notify.text import alert_lines, item_date_text

# (as the publisher wrote it, the feed's <language>, the moment in UTC)
WRITTEN = [
    ("Sat, 16 Dec 2023 02:02:33 PM +0000", None, datetime(2023, 12, 16, 14, 2, 33)),
    ("Sat, Dec 16 2023 02:02:33 PM", None, datetime(2023, 12, 16, 14, 2, 33)),
    ("Sat, 16 Dec 2023 09:15:00 AM -0500", None, datetime(2023, 12, 16, 14, 15)),
    ("mer, 16 nov 2022 00:38:15 +0100", "it-it", datetime(2022, 11, 15, 23, 38, 15)),
    ("mer, 16 nov 2022 00:38:15 +0100", None, datetime(2022, 11, 15, 23, 38, 15)),
    ("Di, 15 Nov 2022 10:00:00 +0100", "de-DE", datetime(2022, 11, 15, 9)),
    ("Seg, 24 Set 2018 19:42:40 -0300", "pt-br", datetime(2018, 9, 24, 22, 42, 40)),
    ("Seg, 24 Set 2018 19:42:40 -0300", "", datetime(2018, 9, 24, 22, 42, 40)),
    ("jeu., 17 nov. 2022 09:30:00 +0100", "fr", datetime(2022, 11, 17, 8, 30)),
    ("mié, 16 nov 2022 10:00:00 +0100", "es", datetime(2022, 11, 16, 9)),
    ("Tue, 02 Jan 2024 10:30:00 +0200", None, datetime(2024, 1, 2, 8, 30)),  # feedparser's own
]


@pytest.mark.parametrize(("written", "language", "moment"), WRITTEN)
def test_dates_as_publishers_write_them(written: str, language: str | None, moment: datetime) -> None:
    body = (
        f"<rss version='2.0'><channel><title>t</title><language>{language or ''}</language>"
        f"<item><guid>g</guid><title>x</title><pubDate>{written}</pubDate></item></channel></rss>"
    ).encode()
    (item,) = parse_feed("f", body).items
    assert item.published == moment.replace(tzinfo=UTC)
    assert item.date_source is DateSource.FEED


@pytest.mark.parametrize("written", ["", "soon", "yesterday", "Mon, 14 Nov 2022 25:00:00 GMT", "2 hours ago"])
def test_nothing_readable_is_none(written: str) -> None:
    assert DateReader().read(written) is None


def test_item_without_a_readable_date_is_dated_first_seen_and_says_so() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
    <item><guid>no-date</guid><title>No date at all</title></item>
    <item><title>Only a bad date</title><pubDate>someday</pubDate></item>
    </channel></rss>"""
    seen = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    first, second = parse_feed("f", body, seen_at=seen).items
    for item in (first, second):
        assert item.published == seen
        assert item.date_source is DateSource.FIRST_SEEN
    later = parse_feed("f", body, seen_at=datetime(2027, 1, 1, tzinfo=UTC)).items
    assert [i.id for i in later] == [first.id, second.id]  # the first-seen time is not in the id


def test_alert_text_says_first_seen_instead_of_no_date() -> None:
    seen = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    undated = Item("g", "wire", "T", "https://x.test/1", seen, "", "", date_source=DateSource.FIRST_SEEN)
    dated = Item("h", "wire", "T", "https://x.test/2", seen, "", "")
    assert item_date_text(undated) == "first seen 2026-11-27 10:00 UTC (no date in feed)"
    assert item_date_text(dated) == "2026-11-27 10:00 UTC"
    alert = Alert("k", "w", undated, {"keywords": ["T"]}, "")
    assert "feed: wire · first seen 2026-11-27 10:00 UTC (no date in feed)" in "\n".join(alert_lines(alert))


def test_stored_items_from_before_date_source_still_load() -> None:
    old = {
        "id": "a",
        "feed_id": "f",
        "title": "t",
        "link": "",
        "published": None,
        "summary": "",
        "content": "",
    }
    item = Item.from_dict(old)
    assert item.date_source is DateSource.FEED and item.published is None
    assert item_date_text(item) == "no date"
    dated = Item.from_dict({**old, "published": "2024-01-02T08:30:00+00:00"})
    assert dated.published == datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    first_seen = Item("a", "f", "t", "", datetime(2024, 1, 1, tzinfo=UTC), "", "", (), DateSource.FIRST_SEEN)
    assert Item.from_dict(first_seen.to_dict()) == first_seen


def test_slow_parser_budget_per_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "SLOW_FAILURES_MAX", 3)
    reader = DateReader("en")
    for n in range(5):
        assert reader.read(f"Mon, 14 Nov 2022 2{5 + n}:00:00 GMT") is None  # hours 25..29: unreadable
    assert reader.read("Seg, 24 Set 2018 19:42:40 -0300") is None  # budget spent: not even tried
    assert DateReader("pt").read("Seg, 24 Set 2018 19:42:40 -0300") is not None  # a new feed, a new budget


def test_a_feed_of_localised_dates_is_read_alike_after_learning_its_words() -> None:
    written = [
        *(f"Seg, {day:02d} Set 2018 19:42:40 -0300" for day in range(1, 29)),
        "Sáb, 01 Set 2018 00:00:40 +0300",  # the zone moves it into August
        "Dom, 30 Set 2018 23:59:59 -0500",  # ... and into October
        "Qua, 03 Out 2018 10:00:00 GMT",
    ]
    one_reader = DateReader(None)  # learns the language, then the month words, as it goes
    learned = [one_reader.read(text) for text in written]
    alone = [DateReader(None).read(text) for text in written]  # dateparser for every one
    assert learned == alone
    assert learned[28] == datetime(2018, 8, 31, 21, 0, 40, tzinfo=UTC)
    assert learned[29] == datetime(2018, 10, 1, 4, 59, 59, tzinfo=UTC)
    assert one_reader.slow_calls <= 3  # about one per month word (Set, Out), not one per date

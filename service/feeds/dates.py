"""An item's date as real publishers write it: feedparser first, dateparser when it fails.

feedparser reads RFC 822 and ISO 8601 dates quickly but gives nothing for day and month names
in other languages ("mer, 16 nov 2022", "Seg, 24 Set 2018") and drops a 12-hour clock's
PM ("02:02:33 PM" comes out as 02:02). dateparser (multilingual, maintained) reads those, but
is slow: ~100 ms to import, then each language it tries compiles its patterns once per
process (~60 ms each; all 200 of its locales take seconds), then 2-100 ms a call. So
``DateReader`` calls it only for a string feedparser could not read (or one with AM/PM), and
keeps the cost per feed bounded:

- a string needs a four-digit year to be tried at all (free text is refused for nothing);
- languages are tried in this order: the one that read this feed's previous date, the feed's
  own ``<language>``, then the ``FALLBACK_LANGUAGES`` together (never all 200);
- most localised dates are RFC 822 with other words ("Seg, 24 Set 2018 19:42:40 -0300"):
  once dateparser has read one, the month word it read is remembered (checked: the English
  rewrite must give the same moment), and the feed's next dates of that shape are rewritten
  and read by the standard library at feedparser's speed;
- per feed, dateparser gets at most ``SLOW_SECONDS_MAX`` seconds and
  ``SLOW_FAILURES_MAX`` strings that no language reads; past either, a date is "not found"
  (and the item is dated by when it was first seen).

A date without a zone is UTC (as feedparser takes it). Results are whole seconds, in UTC.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# languages in which news sites localise dates, tried when a feed does not say its own
FALLBACK_LANGUAGES = (
    "en",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "pl",
    "sv",
    "tr",
    "id",
    "ru",
    "uk",
    "ar",
    "fa",
)
SLOW_SECONDS_MAX = 5.0  # the first call of a process compiles the languages: ~1-2 s
SLOW_FAILURES_MAX = 20
DATE_KEYS = ("published", "updated", "created")
_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "REQUIRE_PARTS": ["day", "month", "year"],  # never fill a missing part with today's
    "PARSERS": ["custom-formats", "absolute-time"],  # not "2 hours ago", not bare timestamps
}
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2\d)\d\d(?!\d)")
_MERIDIEM = re.compile(r"\d\s*[ap]\.?\s?m\b", re.IGNORECASE)
# "[day name[.][,]] dd[.] month-word[.][,] yyyy[,] hh:mm[:ss] [zone]", words in any language
_RFC822_SHAPE = re.compile(
    r"^(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d_]{3,})\.?,?\s+(\d{4}),?\s+"
    r"(\d{1,2}:\d{2}(?::\d{2})?)\s*([+-]\d{2}:?\d{2}|GMT|UTC|UT|Z)?$",
    re.IGNORECASE,
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DateReader:
    """Reads the dates of one feed's entries; create one per parse (it learns the language)."""

    def __init__(self, language: str | None = None) -> None:
        self._hint = _language_code(language)
        self._learned: str | None = None
        self._parsers: dict[tuple[str, ...], Any] = {}
        self._cache: dict[str, datetime | None] = {}
        self._months: dict[str, str] = {}  # a month word of this feed -> its English name
        self._failures = 0
        self.slow_calls = 0  # dateparser calls made
        self.slow_seconds = 0.0

    def entry_date(self, entry: Any) -> tuple[datetime | None, str]:
        """The entry's date (published, else updated, else created) and the raw text it came from."""
        for key in DATE_KEYS:  # dict.get: FeedParserDict maps a missing "updated" to "published"
            raw = " ".join(str(dict.get(entry, key) or "").split())
            when = self.read(raw, dict.get(entry, f"{key}_parsed"))
            if when is not None:
                return when, raw
        return None, ""

    def read(self, raw: str, parsed: Any = None) -> datetime | None:
        """``raw`` as a UTC datetime; ``parsed`` is feedparser's struct_time for it, if any."""
        quick = _from_struct(parsed)
        if quick is not None and not _MERIDIEM.search(raw):
            return quick
        if raw and _YEAR.search(raw):
            if raw not in self._cache:
                self._cache[raw] = self._rewritten(raw) or self._slow(raw)
            slow = self._cache[raw]
            if slow is not None:
                return slow
        return quick

    def _slow(self, raw: str) -> datetime | None:
        if self._failures >= SLOW_FAILURES_MAX or self.slow_seconds >= SLOW_SECONDS_MAX:
            return None
        started = time.perf_counter()
        try:
            for languages in self._attempts():
                parser = self._parser(languages)
                if parser is None:
                    continue
                self.slow_calls += 1
                data = parser.get_date_data(raw)
                if data.date_obj is not None:
                    self._learned = _language_code(data.locale) or self._learned
                    when: datetime = data.date_obj.astimezone(UTC).replace(microsecond=0)
                    self._learn_month(raw, when)
                    return when
            self._failures += 1
            return None
        finally:
            self.slow_seconds += time.perf_counter() - started

    def _rewritten(self, raw: str) -> datetime | None:
        """``raw`` read fast when it has the RFC 822 shape and a month word this feed taught us."""
        shape = _RFC822_SHAPE.match(raw)
        if shape is None or _MERIDIEM.search(raw):
            return None
        english = self._months.get(shape.group(2).lower())
        return _rfc822(shape, english) if english else None

    def _learn_month(self, raw: str, when: datetime) -> None:
        """Remember ``raw``'s month word if an English month rewrite gives exactly ``when``."""
        shape = _RFC822_SHAPE.match(raw)
        if shape is None or _MERIDIEM.search(raw):
            return
        for month in (when.month, when.month % 12 + 1, (when.month - 2) % 12 + 1):  # a zone can cross
            if _rfc822(shape, _MONTHS[month - 1]) == when:
                self._months[shape.group(2).lower()] = _MONTHS[month - 1]
                return

    def _attempts(self) -> list[tuple[str, ...]]:
        learned = (self._learned,) if self._learned else ()
        hint = (self._hint,) if self._hint else ()
        return [codes for codes in dict.fromkeys((learned, hint, FALLBACK_LANGUAGES)) if codes]

    def _parser(self, languages: tuple[str, ...]) -> Any:
        if languages not in self._parsers:
            from dateparser.date import DateDataParser  # imported only when a feed needs it

            try:
                self._parsers[languages] = DateDataParser(languages=list(languages), settings=_SETTINGS)
            except ValueError:  # a language dateparser does not know
                self._parsers[languages] = None
        return self._parsers[languages]


def _rfc822(shape: re.Match[str], month: str) -> datetime | None:
    day, _, year, clock, zone = shape.groups()
    try:
        when = parsedate_to_datetime(f"{day} {month} {year} {clock} {zone or '+0000'}")
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(UTC).replace(microsecond=0)


def _from_struct(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _language_code(language: str | None) -> str | None:
    """``pt-BR`` / ``it_it`` / ``IT-it`` -> ``pt`` / ``it``; None for nothing usable."""
    code = re.split(r"[-_\s]", (language or "").strip().lower(), maxsplit=1)[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None

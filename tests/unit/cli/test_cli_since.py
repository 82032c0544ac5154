"""``--since`` of ``alerts`` and ``replay``: a duration back from now, or a moment (UTC unless said)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from service.cli.common import iso, since_arg, since_start, utc

NOW = datetime(2024, 12, 4, 12, 0, tzinfo=UTC).timestamp()
CASES = [
    ("24h", "2024-12-03T12:00:00+00:00"),
    ("90m", "2024-12-04T10:30:00+00:00"),
    ("7d", "2024-11-27T12:00:00+00:00"),
    ("2024-12-04T08:00", "2024-12-04T08:00:00+00:00"),
    ("2024-12-04", "2024-12-04T00:00:00+00:00"),
    ("2024-12-04T08:00+02:00", "2024-12-04T06:00:00+00:00"),
]


@pytest.mark.parametrize(("text", "start"), CASES)
def test_since_start(text: str, start: str) -> None:
    assert iso(since_start(since_arg(text), NOW)) == start


@pytest.mark.parametrize("text", ["yesterday", "", "-2h", "2024-13-01"])
def test_bad_since_is_a_usage_error(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="expected a duration like '30m'"):
        since_arg(text)


def test_times_for_people_and_scripts() -> None:
    assert (utc(NOW), utc(NOW, seconds=True), utc(None)) == ("2024-12-04 12:00", "2024-12-04 12:00:00", "-")
    assert iso(None) is None

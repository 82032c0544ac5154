"""``wirewatch alerts`` text: a follow-up (a copy of a story already alerted) says so."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.cli.alerts import text_lines
from service.model import ALSO_REPORTED
from service.state.records import AlertRecord
from tests.support import make_alert


@pytest.mark.parametrize(
    ("kind", "shown"), [("match", "[syria] Quake"), (ALSO_REPORTED, "[syria] also reported: Quake")]
)
def test_follow_up_is_marked(kind: str, shown: str) -> None:
    alert = replace(make_alert(title="Quake"), kind=kind)
    record = AlertRecord.of(alert, "desk", "sent", 1_714_564_800.0)
    lines = text_lines([record], 1_714_500_000.0)
    assert lines[1].endswith(shown), lines[1]

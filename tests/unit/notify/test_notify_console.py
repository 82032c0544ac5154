"""Console: a follow-up is one line saying who also reported it and which story it belongs to."""

from __future__ import annotations

import io

import pytest

from service.model import Alert
from service.notify.base import Batch
from service.notify.console import ConsoleConfig, ConsoleNotifier
from tests.support import make_followup, make_lead

LEAD = make_lead(title="Clashes near Homs", key="ww-lead", link="https://news.example.org/lead")


async def printed(batch: Batch) -> str:
    out = io.StringIO()
    result = await ConsoleNotifier("desk", ConsoleConfig(), out).send(batch)
    assert result.ok and result.ref is None
    return out.getvalue()


@pytest.mark.parametrize(
    ("copy", "line"),
    [
        pytest.param(
            make_followup(LEAD, "Levant Wire", title="Fighting in Homs", link="https://levant.example/7"),
            "[syria] also reported by Levant Wire: Fighting in Homs https://levant.example/7"
            " (story: Clashes near Homs)",
            id="follow-up",
        ),
        pytest.param(
            make_followup(LEAD, "Wire B", title="", link=""),
            "[syria] also reported by Wire B: (no title) (story: Clashes near Homs)",
            id="no-title-no-link",
        ),
    ],
)
async def test_follow_up_is_one_line(copy: Alert, line: str) -> None:
    assert await printed(Batch.of([copy])) == line + "\n\n"


async def test_group_prints_the_first_alert_as_a_block_and_copies_as_lines() -> None:
    copy = make_followup(LEAD, "Levant Wire", title="Fighting in Homs", link="https://levant.example/7")
    text = await printed(Batch.of([LEAD, copy]))
    assert text.startswith("=== 2 alerts (group) on #desk ===\n[syria] Clashes near Homs\n")
    assert "  feed: test-feed · 2024-05-01" in text
    assert text.endswith(
        "\n\n[syria] also reported by Levant Wire: Fighting in Homs https://levant.example/7"
        " (story: Clashes near Homs)\n\n"
    )

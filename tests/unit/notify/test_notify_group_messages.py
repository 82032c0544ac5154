"""A burst message (issue 14, item 6), on Slack, Matrix and email alike: alerts newest first by
published time whatever order the outbox gave them, each with the feed's title (not its id),
the matched terms, and its snippet cut to its share of the message."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from service.model import Alert
from service.notify.base import Batch
from service.notify.email_render import render_html, render_text
from service.notify.matrix import build_event
from service.notify.render import GROUP_SNIPPET_MAX, snippet_room
from service.notify.slack import build_payload
from tests.support.alerts import BASE_TIME, make_alert

ORDER = [3, 0, 4, 1, 2]  # hours after BASE_TIME, in the order the outbox hands the alerts over


def burst(snippet: str = "Shelling was reported near the city.") -> list[Alert]:
    return [
        make_alert(
            title=f"Story published at +{h}h",
            published=BASE_TIME + timedelta(hours=h),
            feed_id="wire-7",
            feed_title="Levant Wire",
            matched={"cities": ["Homs"], "keywords": [f"term{h}"]},
            snippet=snippet,
            key=f"ww-{h}",
        )
        for h in ORDER
    ]


def order_in(text: str) -> list[int]:
    """The +Nh of each story, in the order they appear in ``text``."""
    return sorted(range(5), key=lambda h: text.index(f"Story published at +{h}h"))


def slack_text(batch: Batch) -> str:
    return "\n".join(b["text"]["text"] for b in build_payload(batch)["blocks"] if b["type"] == "section")


def matrix_text(batch: Batch) -> str:
    event = build_event(batch)
    return str(event["body"]) + "\n" + str(event["formatted_body"])


RENDERERS = [
    pytest.param(slack_text, id="slack"),
    pytest.param(matrix_text, id="matrix"),
    pytest.param(lambda b: render_text(b), id="email-text"),
    pytest.param(lambda b: render_html(b), id="email-html"),
]


@pytest.mark.parametrize("render", RENDERERS)
def test_newest_first_with_feed_title_matched_terms_and_snippet(render) -> None:  # type: ignore[no-untyped-def]
    text = render(Batch.of(burst()))
    assert order_in(text) == [4, 3, 2, 1, 0]
    assert "Levant Wire" in text and "wire-7" not in text
    assert all(f"term{h}" in text for h in ORDER) and "Homs" in text
    assert text.count("Shelling was reported near the city.") >= len(ORDER)


@pytest.mark.parametrize(("render", "listed"), [(slack_text, 48), (matrix_text, 50)], ids=["slack", "matrix"])
@pytest.mark.parametrize("count", [5, 50])
def test_snippets_are_cut_to_their_share(render, listed: int, count: int) -> None:  # type: ignore[no-untyped-def]
    long = "word " * 400
    alerts = [make_alert(snippet=long, key=f"ww-{i}") for i in range(count)]
    cut = re.findall(r"(?:word ?)+…", render(Batch.of(alerts)))  # each snippet, as clipped
    room = snippet_room(min(count, listed))  # Slack lists 48 of 50 and says "…and 2 more"
    assert len(cut) >= min(count, listed) and room <= GROUP_SNIPPET_MAX
    assert all(len(c) <= room for c in cut) and max(map(len, cut)) > room - 10


def test_snippet_room_shrinks_with_the_group_within_bounds() -> None:
    assert snippet_room(1) == snippet_room(20) == GROUP_SNIPPET_MAX
    assert snippet_room(50) == 160 and snippet_room(10_000) == 60


def test_a_stored_entry_without_feed_title_shows_the_feed_id() -> None:
    raw = json.loads(make_alert(feed_id="old-feed").to_json())
    del raw["item"]["feed_title"]  # an outbox entry queued before feed titles were carried
    alert = Alert.from_json(json.dumps(raw))
    assert alert.item.feed_name == "old-feed"
    assert "old-feed" in slack_text(Batch.of([alert, make_alert()]))

"""A burst message (issue 14, item 6), on Slack, Matrix and email alike: alerts newest first by
published time whatever order the outbox gave them, each with the feed's title (not its id),
the matched terms, and its snippet cut to its share of the message."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from service.model import Alert
from service.notify.base import Batch, BatchKind
from service.notify.email_render import render_html, render_text
from service.notify.matrix import build_event
from service.notify.render import GROUP_SNIPPET_MAX, headline, snippet_room, stories
from service.notify.slack import build_payload
from tests.support.alerts import BASE_TIME, make_alert, make_followup, make_lead

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


# Stories (issue 10): a follow-up listed under its story's first alert, or under the story's
# title when the first alert is not in the message; counts tell stories and copies apart.


def story_batch() -> tuple[Alert, Alert, Alert, Alert, Alert]:
    """A lead with two copies, a copy of an older story whose lead was sent before, one new match."""
    lead = make_lead(title="Clashes near Homs", key="ww-lead", published=BASE_TIME)
    copy_a = make_followup(lead, "Wire A", key="ww-a", published=BASE_TIME + timedelta(minutes=5))
    copy_b = make_followup(lead, "Wire B", key="ww-b", published=BASE_TIME + timedelta(minutes=2))
    old = make_lead(title="Port reopens", key="ww-old", published=BASE_TIME - timedelta(hours=5))
    orphan = make_followup(old, "Wire C", key="ww-c", published=BASE_TIME + timedelta(minutes=1))
    fresh = make_alert(title="Fresh story", key="ww-fresh", published=BASE_TIME + timedelta(minutes=3))
    return lead, copy_a, copy_b, orphan, fresh


def test_stories_put_each_copy_under_its_story_newest_activity_first() -> None:
    lead, copy_a, copy_b, orphan, fresh = story_batch()
    found = stories([copy_a, fresh, orphan, lead, copy_b])  # the outbox's order does not matter
    assert [(s.title, s.lead, s.followups) for s in found] == [
        ("Clashes near Homs", lead, (copy_b, copy_a)),  # copies oldest first, as reported
        ("Fresh story", fresh, ()),
        ("Port reopens", None, (orphan,)),  # its first alert went out in an earlier message
    ]


def test_stories_keep_watchlists_apart_and_lose_no_alert() -> None:
    lead = make_lead(watchlist="a", key="ww-s")
    twin = make_lead(watchlist="a", key="ww-s")  # the same key twice: both still listed
    elsewhere = make_followup(make_lead(watchlist="b", key="ww-s"), "Wire", key="ww-x")
    found = stories([lead, twin, elsewhere])
    assert sorted(len(s.alerts) for s in found) == [1, 1, 1]
    assert {s.watchlist for s in found} == {"a", "b"}


@pytest.mark.parametrize(
    ("kinds", "batch_kind", "expected"),
    [
        ("mm", "group", "Wirewatch: 2 alerts (1 watchlist)"),
        ("mmmff", "group", "Wirewatch: 3 alerts, 2 follow-ups (1 watchlist)"),
        ("mf", "digest", "Wirewatch digest: 1 alert, 1 follow-up (1 watchlist)"),
        ("ff", "group", "Also reported: 2 follow-ups of 1 story (1 watchlist)"),
        ("fF", "group", "Also reported: 2 follow-ups of 2 stories (1 watchlist)"),
        ("ff", "digest", "Wirewatch digest: 2 follow-ups of 1 story (1 watchlist)"),
        ("f", "single", "[syria] Also reported by Wire A: Copy 0"),
        ("m", "single", "[syria] Match 0"),
    ],
)
def test_headlines_count_stories_and_copies(kinds: str, batch_kind: BatchKind, expected: str) -> None:
    lead, other = make_lead(title="Lead"), make_lead(title="Other")
    alerts = [
        make_alert(title=f"Match {i}")
        if k == "m"
        else make_followup(lead if k == "f" else other, "Wire A", title=f"Copy {i}")
        for i, k in enumerate(kinds)
    ]
    assert headline(Batch.of(alerts, kind=batch_kind)) == expected


HOSTILE_FEEDS = ["<script>alert(1)</script>", "@room", "<!channel>", "Tom & <b>Jerry</b>"]


def followup_texts(batch: Batch) -> list[str]:
    """What each rich channel shows for ``batch`` (escaped where the channel escapes)."""
    event = build_event(batch)
    return [slack_text(batch), str(event["formatted_body"]), render_html(batch)]


@pytest.mark.parametrize("feed", HOSTILE_FEEDS)
def test_hostile_feed_titles_in_follow_up_lines_are_inert(feed: str) -> None:
    lead = make_lead(title=feed)
    batch = Batch.of([lead, make_followup(lead, feed, title=feed)])
    for text in followup_texts(batch):
        assert "<script" not in text and "<!channel>" not in text and "<b>Jerry" not in text
    event = build_event(batch)
    assert f"also reported by {feed}: {feed}" in str(event["body"])  # plain text kept as written
    assert event["m.mentions"] == {}

"""Slack Block Kit payloads: within Slack's limits, and hostile feed text stays inert."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from service.model import Alert
from service.notify.base import Batch
from service.notify.slack import BLOCKS_MAX, build_payload, escape, escape_clip
from tests.support import make_alert, make_followup, make_lead
from tests.support.alerts import BASE_TIME

HOSTILE = [
    "<!channel> evacuate",
    "<!here|here> now",
    "<https://evil.example|click> me",
    "<@U123> and <#C123>",
    "Tom & Jerry <script>alert(1)</script>",
]
# a live Slack control sequence: '<' followed by anything up to '>' (escaped text has none)
_LIVE = re.compile(r"<([^>]*)>")


def check_limits(payload: dict[str, Any]) -> None:
    """Slack's documented limits for what we send."""
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        else:
            raise AssertionError(f"unexpected block {block['type']}")
    assert payload["text"] and len(payload["text"]) <= 40000


def live_sequences(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts.extend(e["text"] for e in block["elements"])
    return [m for t in texts for m in _LIVE.findall(t)]


def test_single_alert_shape() -> None:
    alert = make_alert(title="Clashes near Homs", link="https://news.example.org/a?x=1&y=2")
    payload = build_payload(Batch.of([alert]))
    check_limits(payload)
    assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
    first = payload["blocks"][0]["text"]["text"]
    assert first == "*<https://news.example.org/a?x=1&amp;y=2|Clashes near Homs>*"
    flat = json.dumps(payload)
    for needle in ("test-feed", "2024-05-01", "Cities: Homs", "Groups: HTS", "Shelling"):
        assert needle in flat
    assert "Clashes near Homs" in payload["text"]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_title_pings_nobody_and_hides_no_link(title: str) -> None:
    alert = make_alert(title=title, snippet=title, watchlist="wl", feed_id="<!everyone>")
    for batch in (Batch.of([alert]), Batch.of([alert, make_alert(title=title)])):
        payload = build_payload(batch)
        check_limits(payload)
        # the only live sequences are the links we built from item URLs
        for seq in live_sequences(payload):
            assert seq.startswith("https://news.example.org/story/"), seq
            assert "|" in seq and "<" not in seq.split("|", 1)[1]
        assert "<!" not in json.dumps(payload, ensure_ascii=False)


def test_hostile_link_is_not_linked() -> None:
    alert = make_alert(title="t", link="javascript:alert(1)")
    payload = build_payload(Batch.of([alert]))
    assert live_sequences(payload) == []
    alert = make_alert(title="t", link="https://x.example/a|b>c")
    (seq,) = {s for s in live_sequences(build_payload(Batch.of([alert])))}
    assert seq == "https://x.example/a%7Cb&gt;c|t"


def test_long_text_is_clipped_within_limits() -> None:
    alert = make_alert(title="&" * 5000, snippet="<" * 9000, watchlist="w" * 400)
    check_limits(build_payload(Batch.of([alert])))
    check_limits(build_payload(Batch.of([alert] * 3, kind="group")))


@pytest.mark.parametrize("n", [2, 48, 49, 50, 120])
def test_group_fits_in_50_blocks(n: int) -> None:
    alerts = [make_alert(title=f"Story {i} & <b>", watchlist=f"w{i % 3}") for i in range(n)]
    payload = build_payload(Batch.of(alerts))
    check_limits(payload)
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header" and f"{n} alerts" in blocks[0]["text"]["text"]
    listed = [b for b in blocks if b["type"] == "section"]
    if n <= BLOCKS_MAX - 1:
        assert len(listed) == n
    else:
        assert len(listed) == BLOCKS_MAX - 2
        assert blocks[-1]["elements"][0]["text"] == f"…and {n - len(listed)} more"
    assert all(b["text"]["text"].startswith("*<https://") for b in listed)


def test_digest_header() -> None:
    alerts = [make_alert(watchlist=w) for w in ("a", "b", "a")]
    payload = build_payload(Batch.of(alerts, kind="digest"))
    assert payload["blocks"][0]["text"]["text"] == "Wirewatch digest: 3 alerts (2 watchlists)"


def test_unfurl_configurable() -> None:
    payload = build_payload(Batch.of([make_alert()]), unfurl=True)
    assert payload["unfurl_links"] is True and payload["unfurl_media"] is True


def test_escape_helpers() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"
    clipped = escape_clip("&" * 10, 12)
    assert clipped == "&amp;&amp;…" and len(clipped) <= 12


# Follow-ups (issue 10): an incoming webhook cannot thread, so copies fold under their story.

LEAD = make_lead(title="Clashes near Homs", key="ww-lead", link="https://news.example.org/lead")
COPY = make_followup(LEAD, "Levant Wire", title="Fighting in Homs", link="https://levant.example/7")


def sections(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]


def test_follow_ups_fold_under_their_story() -> None:
    second = make_followup(LEAD, "Wire B", title="Homs: fighting", link="https://b.example/1")
    payload = build_payload(Batch.of([second, LEAD, COPY]))
    check_limits(payload)
    assert payload["blocks"][0]["text"]["text"] == "Wirewatch: 1 alert, 2 follow-ups (1 watchlist)"
    (story,) = sections(payload)
    assert story.startswith("*<https://news.example.org/lead|Clashes near Homs>*\n_syria_ · ")
    assert story.endswith(
        "\n↳ also reported by Levant Wire: <https://levant.example/7|Fighting in Homs>"
        "\n↳ also reported by Wire B: <https://b.example/1|Homs: fighting>"
    )


@pytest.mark.parametrize(
    ("alerts", "header"),
    [
        pytest.param([COPY], "Also reported: 1 follow-up of 1 story (1 watchlist)", id="lone"),
        pytest.param(
            [COPY, make_followup(LEAD, "Wire B", link="https://b.example/2")],
            "Also reported: 2 follow-ups of 1 story (1 watchlist)",
            id="two-copies",
        ),
    ],
)
def test_only_follow_ups_is_an_also_reported_message(alerts: list[Alert], header: str) -> None:
    payload = build_payload(Batch.of(alerts))
    check_limits(payload)
    assert payload["blocks"][0]["text"]["text"] == header
    (story,) = sections(payload)
    assert story.startswith(
        "*Also reported:* Clashes near Homs\n_syria_\n"
        "↳ also reported by Levant Wire: <https://levant.example/7|Fighting in Homs>"
    )
    if len(alerts) == 1:
        assert payload["text"] == "[syria] Also reported by Levant Wire: Fighting in Homs"


def test_stories_each_get_a_section_newest_first() -> None:
    older = make_lead(title="Port reopens", key="ww-old", watchlist="yemen")
    orphan = make_followup(older, "Wire C", title="Port open", link="https://c.example/1")
    fresh = make_alert(title="Fresh", published=BASE_TIME + timedelta(hours=1))
    got = sections(build_payload(Batch.of([orphan, fresh, COPY])))
    assert [s.split("\n")[0] for s in got] == [
        f"*<{fresh.item.link}|Fresh>*",
        "*Also reported:* Port reopens",
        "*Also reported:* Clashes near Homs",
    ]
    orphan_text = (
        "*Also reported:* Port reopens\n_yemen_\n↳ also reported by Wire C: <https://c.example/1|Port open>"
    )
    assert got[1] == orphan_text


def test_many_copies_stay_within_a_section() -> None:
    long_link = "https://wire.example/" + "x" * 1400
    copies = [make_followup(LEAD, f"Wire {i}", title="T" * 400, link=long_link) for i in range(12)]
    payload = build_payload(Batch.of([LEAD, *copies]))
    check_limits(payload)
    (story,) = sections(payload)
    lines = story.split("\n")
    folded = [line for line in lines if line.startswith("↳ also reported by")]
    assert 0 < len(folded) < 12 and lines[-1] == f"↳ …and {12 - len(folded)} more"
    assert all(line.endswith("…>") for line in folded)  # every link whole, titles clipped


def test_more_stories_than_blocks_counts_the_alerts_left_out() -> None:
    leads = [make_lead(title=f"Story {i}") for i in range(60)]
    alerts = leads + [make_followup(leads[0], "Wire"), make_followup(leads[0], "Wire 2")]
    payload = build_payload(Batch.of(alerts))
    check_limits(payload)
    assert len(sections(payload)) == BLOCKS_MAX - 2
    assert payload["blocks"][-1]["elements"][0]["text"] == f"…and {62 - (BLOCKS_MAX - 2) - 2} more"


@pytest.mark.parametrize("feed", HOSTILE)
def test_hostile_feed_title_in_follow_up_lines(feed: str) -> None:
    copy = make_followup(LEAD, feed, title=feed, link="https://news.example.org/story/x")
    for batch in (Batch.of([copy]), Batch.of([LEAD, copy]), Batch.of([copy, make_followup(LEAD, feed)])):
        payload = build_payload(batch)
        check_limits(payload)
        for seq in live_sequences(payload):
            assert seq.startswith("https://news.example.org/"), seq
        assert "<!" not in json.dumps(payload, ensure_ascii=False)
        assert f"↳ also reported by {escape(feed)}: " in "\n".join(sections(payload))

"""Prometheus metrics: one module-level registry; names are fixed so dashboards can rely on them.

Everything here is process-local and cheap to update; ``/metrics`` (``service/ops/http.py``)
renders ``REGISTRY``. Labels are bounded by configuration (feed ids, watchlists, channels) or by
small fixed sets (``result``, ``reason``, ``code``, ``state``), never by item data. No label or
value ever carries a URL or a secret.

Who updates what (the names are the contract):

- poller: ``POLLS{feed_id,result}`` (result: ok | not_modified | error), ``POLL_ERRORS{feed_id,
  reason}`` (a short fixed reason: timeout, connect, http_4xx, http_5xx, too_large, parse, ...),
  ``HTTP_RESPONSES{code}``, ``ITEMS_NEW{feed_id}``, ``FEED_HEALTHY{feed_id}`` (1 or 0).
- pipeline: ``MATCHES{watchlist}``, ``ALERTS_QUEUED{channel}``; stories: ``STORIES{watchlist}``
  (a story started: its first alert), ``STORY_COPIES{watchlist}`` (a near-duplicate of a story
  already alerted), ``FOLLOWUPS_QUEUED{channel}`` (follow-ups queued, each sent at most once),
  ``FOLLOWUPS_SUPPRESSED{channel}`` (copies recorded but not sent: ``followups: off``).
- delivery: ``ALERTS_DELIVERED`` / ``ALERTS_RETRIED`` / ``ALERTS_DEAD`` / ``ALERTS_SILENCED`` /
  ``CHANNEL_PAUSES{channel}``,
  ``observe_delivery`` for ``DELIVERY_LATENCY``, ``set_outbox_depth`` for ``OUTBOX_DEPTH``.
- rules reload: ``RULES_RELOADS{result}`` (ok | failed).
- recovery: ``STATE_WIPES`` (the store's marker was gone; see ``service/recovery.py``).

``wirewatch_http_not_modified_ratio`` is derived from ``HTTP_RESPONSES`` at scrape time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# ``*_created`` series double the output and nobody graphs them.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter("wirewatch_polls", "Feed polls by outcome", ["feed_id", "result"], registry=REGISTRY)
POLL_ERRORS = Counter(
    "wirewatch_poll_errors", "Failed feed polls by reason", ["feed_id", "reason"], registry=REGISTRY
)
HTTP_RESPONSES = Counter(
    "wirewatch_http_responses",
    "HTTP responses from feeds by status code",
    ["code"],
    registry=REGISTRY,
)
ITEMS_NEW = Counter("wirewatch_items_new", "Items seen for the first time", ["feed_id"], registry=REGISTRY)
MATCHES = Counter("wirewatch_matches", "Items matched, by watchlist", ["watchlist"], registry=REGISTRY)
ALERTS_QUEUED = Counter("wirewatch_alerts_queued", "Alerts put in the outbox", ["channel"], registry=REGISTRY)
ALERTS_DELIVERED = Counter(
    "wirewatch_alerts_delivered", "Alerts the channel accepted", ["channel"], registry=REGISTRY
)
ALERTS_RETRIED = Counter(
    "wirewatch_alerts_retried",
    "Alert sends that failed and will be retried",
    ["channel"],
    registry=REGISTRY,
)
ALERTS_DEAD = Counter(
    "wirewatch_alerts_dead_lettered",
    "Alerts given up on (dead letters)",
    ["channel"],
    registry=REGISTRY,
)
ALERTS_SILENCED = Counter(
    "wirewatch_alerts_silenced",
    "Alerts held back by a silence (recorded, never sent)",
    ["channel"],
    registry=REGISTRY,
)
STORIES = Counter(
    "wirewatch_stories",
    "Stories started (an item no recent item is a copy of)",
    ["watchlist"],
    registry=REGISTRY,
)
STORY_COPIES = Counter(
    "wirewatch_story_copies",
    "Items that were near-duplicates of a story already alerted on the watchlist",
    ["watchlist"],
    registry=REGISTRY,
)
FOLLOWUPS_QUEUED = Counter(
    "wirewatch_followups_queued",
    "Follow-ups (also reported) put in the outbox",
    ["channel"],
    registry=REGISTRY,
)
FOLLOWUPS_SUPPRESSED = Counter(
    "wirewatch_followups_suppressed",
    "Copies of a story not sent to a channel (followups: off)",
    ["channel"],
    registry=REGISTRY,
)
STATE_WIPES = Counter(
    "wirewatch_state_wipes",
    "Times the state store was found wiped (marker gone) and repaired from memory",
    registry=REGISTRY,
)
CHANNEL_PAUSES = Counter(
    "wirewatch_channel_pauses",
    "Times a channel's sends were paused because its receiver asked (429, Retry-After) or timed out",
    ["channel"],
    registry=REGISTRY,
)

# 0.1 s .. 1 day: a console send is sub-second, a channel down overnight is hours.
LATENCY_BUCKETS = (
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
    1800.0, 3600.0, 7200.0, 21600.0, 43200.0, 86400.0,
)  # fmt: skip
DELIVERY_LATENCY = Histogram(
    "wirewatch_delivery_latency_seconds",
    "From the item being seen to the channel accepting its alert",
    ["channel"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "wirewatch_outbox_depth",
    "Outbox entries per channel (state: pending | dead)",
    ["channel", "state"],
    registry=REGISTRY,
)
RULES_RELOADS = Counter(
    "wirewatch_rules_reloads", "Rules reloads (result: ok | failed)", ["result"], registry=REGISTRY
)
FEED_HEALTHY = Gauge(
    "wirewatch_feed_healthy",
    "1 while a feed is healthy, 0 while failing or quiet",
    ["feed_id"],
    registry=REGISTRY,
)


class _NotModifiedRatio(Collector):
    """``wirewatch_http_not_modified_ratio``: 304s over all feed responses since start (or 0)."""

    def collect(self) -> Iterable[Metric]:
        total = not_modified = 0.0
        for metric in HTTP_RESPONSES.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    total += sample.value
                    if sample.labels.get("code") == "304":
                        not_modified += sample.value
        yield GaugeMetricFamily(
            "wirewatch_http_not_modified_ratio",
            "Share of feed responses that were 304 Not Modified",
            value=not_modified / total if total else 0.0,
        )


REGISTRY.register(_NotModifiedRatio())


def observe_delivery(channel: str, seen_at: float, accepted_at: float) -> None:
    """Record one delivery's latency (UNIX seconds in, never negative out)."""
    DELIVERY_LATENCY.labels(channel=channel).observe(max(0.0, accepted_at - seen_at))


def set_outbox_depth(depth: Mapping[str, tuple[int, int]]) -> None:
    """Mirror ``StateStore.depth()``; channels that vanished from it are reset to 0."""
    known = {labels[0] for labels in _label_sets(OUTBOX_DEPTH)}
    for channel in known - set(depth):
        OUTBOX_DEPTH.labels(channel=channel, state="pending").set(0)
        OUTBOX_DEPTH.labels(channel=channel, state="dead").set(0)
    for channel, (pending, dead) in depth.items():
        OUTBOX_DEPTH.labels(channel=channel, state="pending").set(pending)
        OUTBOX_DEPTH.labels(channel=channel, state="dead").set(dead)


def _label_sets(metric: Gauge) -> list[tuple[str, ...]]:
    return [
        tuple(sample.labels[name] for name in ("channel", "state"))
        for family in metric.collect()
        for sample in family.samples
    ]


def render() -> bytes:
    """The Prometheus text exposition of everything in ``REGISTRY``."""
    return generate_latest(REGISTRY)

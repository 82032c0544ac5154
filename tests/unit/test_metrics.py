"""The metric names are a contract: dashboards and the lead's code rely on them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from service import metrics

Labels = tuple[tuple[str, str], ...]


def sample(name: str, **labels: str) -> float | None:
    return metrics.REGISTRY.get_sample_value(name, labels)


def test_every_contract_metric_is_exposed() -> None:
    text = metrics.render().decode()
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "wirewatch_polls", "wirewatch_poll_errors", "wirewatch_http_responses",
        "wirewatch_http_not_modified_ratio", "wirewatch_items_new", "wirewatch_matches",
        "wirewatch_alerts_queued", "wirewatch_alerts_delivered", "wirewatch_alerts_retried",
        "wirewatch_alerts_dead_lettered", "wirewatch_delivery_latency_seconds",
        "wirewatch_outbox_depth", "wirewatch_rules_reloads", "wirewatch_feed_healthy",
    } <= names  # fmt: skip
    assert "_created" not in text


def test_counters_carry_the_contract_labels() -> None:
    expected: dict[tuple[str, Labels], int] = {
        ("wirewatch_polls_total", (("feed_id", "m-feed"), ("result", "ok"))): 1,
        ("wirewatch_poll_errors_total", (("feed_id", "m-feed"), ("reason", "timeout"))): 1,
        ("wirewatch_items_new_total", (("feed_id", "m-feed"),)): 3,
        ("wirewatch_matches_total", (("watchlist", "m-wl"),)): 1,
        ("wirewatch_rules_reloads_total", (("result", "failed"),)): 1,
        **{(f"wirewatch_alerts_{n}_total", (("channel", "m-chan"),)): 1
           for n in ("queued", "delivered", "retried", "dead_lettered")},
    }  # fmt: skip
    before = {key: sample(key[0], **dict(key[1])) or 0.0 for key in expected}
    metrics.POLLS.labels(feed_id="m-feed", result="ok").inc()
    metrics.POLL_ERRORS.labels(feed_id="m-feed", reason="timeout").inc()
    metrics.ITEMS_NEW.labels(feed_id="m-feed").inc(3)
    metrics.MATCHES.labels(watchlist="m-wl").inc()
    for counter in (metrics.ALERTS_QUEUED, metrics.ALERTS_DELIVERED, metrics.ALERTS_RETRIED,
                    metrics.ALERTS_DEAD):  # fmt: skip
        counter.labels(channel="m-chan").inc()
    metrics.RULES_RELOADS.labels(result="failed").inc()
    metrics.FEED_HEALTHY.labels(feed_id="m-feed").set(0)
    for key, delta in expected.items():
        assert sample(key[0], **dict(key[1])) == before[key] + delta, key
    assert sample("wirewatch_feed_healthy", feed_id="m-feed") == 0


def test_not_modified_ratio_follows_http_responses() -> None:
    before_304 = sample("wirewatch_http_responses_total", code="304") or 0.0
    total_before = sum(
        s.value
        for family in metrics.HTTP_RESPONSES.collect()
        for s in family.samples
        if s.name.endswith("_total")
    )
    metrics.HTTP_RESPONSES.labels(code="304").inc(3)
    metrics.HTTP_RESPONSES.labels(code="200").inc(1)
    expected = (before_304 + 3) / (total_before + 4)
    assert sample("wirewatch_http_not_modified_ratio") == expected


def test_delivery_latency_buckets_span_a_tenth_of_a_second_to_a_day() -> None:
    assert metrics.LATENCY_BUCKETS[0] == 0.1 and metrics.LATENCY_BUCKETS[-1] == 86400.0
    metrics.observe_delivery("lat-chan", seen_at=1000.0, accepted_at=1000.05)
    metrics.observe_delivery("lat-chan", seen_at=1000.0, accepted_at=1000.0 + 7200)
    metrics.observe_delivery("lat-chan", seen_at=1000.0, accepted_at=900.0)  # clock skew -> 0
    name = "wirewatch_delivery_latency_seconds_bucket"
    assert sample(name, channel="lat-chan", le="0.1") == 2
    assert sample(name, channel="lat-chan", le="3600.0") == 2
    assert sample(name, channel="lat-chan", le="7200.0") == 3
    assert sample("wirewatch_delivery_latency_seconds_count", channel="lat-chan") == 3


def test_outbox_depth_mirrors_the_store_and_zeroes_vanished_channels() -> None:
    metrics.set_outbox_depth({"d-slack": (4, 1), "d-mail": (0, 2)})
    assert sample("wirewatch_outbox_depth", channel="d-slack", state="pending") == 4
    assert sample("wirewatch_outbox_depth", channel="d-mail", state="dead") == 2
    metrics.set_outbox_depth({"d-mail": (1, 0)})
    assert sample("wirewatch_outbox_depth", channel="d-slack", state="pending") == 0
    assert sample("wirewatch_outbox_depth", channel="d-slack", state="dead") == 0
    assert sample("wirewatch_outbox_depth", channel="d-mail", state="pending") == 1

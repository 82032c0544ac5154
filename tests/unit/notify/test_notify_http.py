"""Shared HTTP classification: the status table and Retry-After parsing, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from service.notify.http import (
    classify_status,
    parse_retry_after,
    scrub,
    short_token,
    transport_failure,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Wed, 01 May 2024 12:00:30 GMT", 30.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize(
    ("status", "detail", "ok", "retryable", "reason"),
    [
        (200, "", True, False, ""),
        (204, "", True, False, ""),
        (408, "", False, True, "x: 408 Request Timeout"),
        (429, "", False, True, "x: 429 Too Many Requests"),
        (500, "rollup_error", False, True, "x: 500 rollup_error"),
        (503, "", False, True, "x: 503 Service Unavailable"),
        (301, "", False, False, "x: 301 Moved Permanently"),
        (400, "invalid_payload", False, False, "x: 400 invalid_payload"),
        (401, "", False, False, "x: 401 Unauthorized"),
        (404, "no_service", False, False, "x: 404 no_service"),
        (410, "channel_is_archived", False, False, "x: 410 channel_is_archived"),
        (499, "", False, False, "x: 499"),
    ],
)
def test_classify_status(status: int, detail: str, ok: bool, retryable: bool, reason: str) -> None:
    result = classify_status("x", status, detail, retry_after=4.0)
    assert (result.ok, result.retryable, result.reason) == (ok, retryable, reason)
    assert result.retry_after == (4.0 if retryable else None)


def test_transport_failure_names_the_class_only() -> None:
    exc = httpx.ConnectError("cannot reach https://hooks.example/T/B/SECRETPART")
    result = transport_failure("slack", exc)
    assert result.retryable and result.reason == "slack: network error (ConnectError)"
    timeout = transport_failure("slack", httpx.ReadTimeout("https://x/SECRETPART"))
    assert timeout.retryable and "timeout" in timeout.reason
    assert "SECRETPART" not in result.reason + timeout.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("invalid_payload", "invalid_payload"),
        (" no_service\n", "no_service"),
        ("M_UNKNOWN_TOKEN", "M_UNKNOWN_TOKEN"),
        ("not found: /services/T0/B0/abc", ""),
        ("x" * 65, ""),
        ("", ""),
        (None, ""),
    ],
)
def test_short_token(text: str | None, expected: str) -> None:
    assert short_token(text) == expected


def test_scrub() -> None:
    assert scrub("auth failed for pa55 and pa55word", ["pa55word", None, ""]) == (
        "auth failed for pa55 and ***"
    )

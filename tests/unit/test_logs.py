"""Logs: stderr only, JSON or text, secrets redacted, stdlib loggers through the same renderer."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from service.logs import REDACTED, configure, get_logger, scrub_text

SECRET = "s3cr3t-value-xyz"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Leave structlog and the root logger as other tests found them."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_go_to_stderr_with_fixed_keys(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "INFO")
    get_logger("service.pipeline").info(
        "alert_queued", feed_id="f1", watchlist="w", channel="c", alert_key="k"
    )
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = json_lines(err)
    assert line["event"] == "alert_queued" and line["level"] == "info"
    assert line["logger"] == "service.pipeline" and "timestamp" in line
    assert {k: line[k] for k in ("feed_id", "watchlist", "channel", "alert_key")} == {
        "feed_id": "f1", "watchlist": "w", "channel": "c", "alert_key": "k"
    }  # fmt: skip


def test_text_is_the_default_and_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure()
    get_logger("x").warning("poll_failed", feed_id="f1", error="timeout")
    out, err = capsys.readouterr()
    assert out == ""
    assert "poll_failed" in err and "feed_id=f1" in err and not err.lstrip().startswith("{")


def test_level_filters_service_events(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "WARNING")
    log = get_logger("x")
    log.info("quiet_event")
    log.warning("loud_event")
    assert [line["event"] for line in json_lines(capsys.readouterr().err)] == ["loud_event"]


@pytest.mark.parametrize(
    "key", ["token", "matrix_token", "password", "smtp_password", "webhook_secret", "secret",
            "webhook_url", "authorization", "Authorization", "api_key"],
)  # fmt: skip
def test_secret_looking_keys_are_redacted(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure("json")
    get_logger("x").info("sending", channel="c", **{key: SECRET})
    (line,) = json_lines(capsys.readouterr().err)
    assert line[key] == REDACTED and SECRET not in json.dumps(line)


def test_nested_and_embedded_secrets_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json")
    get_logger("x").warning(
        "send_failed",
        channel="slack",
        headers={"Authorization": f"Bearer {SECRET}", "Accept": "*/*"},
        error=f"POST https://hooks.slack.com/services/T0/B0/{SECRET} -> 500",
        path=f"redis://:{SECRET}@redis:6379/0",
        url=f"https://api.example/feed?token={SECRET}&page=2",
    )
    err = capsys.readouterr().err
    assert SECRET not in err
    (line,) = json_lines(err)
    assert line["headers"] == {"Authorization": REDACTED, "Accept": "*/*"}
    assert line["url"] == f"https://api.example/feed?token={REDACTED}&page=2"


def test_stdlib_loggers_share_renderer_at_warning(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "DEBUG")
    logging.getLogger("httpx").info("HTTP Request: GET ... 200")
    logging.getLogger("apscheduler.scheduler").warning("job %s missed by %s", "poll", "2s")
    logging.getLogger("aiohttp.server").error("bad hook https://hooks.slack.com/services/%s", SECRET)
    out, err = capsys.readouterr()
    assert out == "" and SECRET not in err
    lines = json_lines(err)
    assert [(x["logger"], x["level"]) for x in lines] == [
        ("apscheduler.scheduler", "warning"),
        ("aiohttp.server", "error"),
    ]
    assert lines[0]["event"] == "job poll missed by 2s"


def test_exceptions_render_in_json_without_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json")
    try:
        raise RuntimeError(f"connect to https://u:{SECRET}@mail.example failed")
    except RuntimeError:
        get_logger("x").exception("smtp_failed", channel="mail")
    err = capsys.readouterr().err
    (line,) = json_lines(err)
    assert "RuntimeError" in str(line["exception"]) and SECRET not in err


def test_configure_twice_does_not_duplicate_stdlib_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure("json")
    configure("json")
    logging.getLogger("httpx").warning("once")
    assert len(json_lines(capsys.readouterr().err)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pw@host/x", f"https://{REDACTED}@host/x"),
        ("no secrets here: https://host/feed.xml", "no secrets here: https://host/feed.xml"),
        ("Authorization: Bearer abc.def-ghi", f"Authorization: Bearer {REDACTED}"),
        ("/_matrix/client?access_token=syt_x&y=1", f"/_matrix/client?access_token={REDACTED}&y=1"),
    ],
)
def test_scrub_text(text: str, expected: str) -> None:
    assert scrub_text(text) == expected

"""channels.yaml for the four types: the documented example loads; mistakes read well."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.config.yamlfile import ConfigError
from service.notify.channels import load_channels
from service.notify.email import EmailConfig
from service.notify.matrix import MatrixConfig
from service.notify.slack import SlackConfig
from service.notify.webhook import WebhookConfig
from tests.support.examples import CHANNELS_EXAMPLE as EXAMPLE

DIGEST = "channels:\n  d: {{type: email, to: [a@example.org], mode: digest, schedule: {schedule}}}\n"
SLACK_URL = "https://hooks.slack.example/services/T0/B0/SLACKSECRET-QX7"
TOKEN = "syt_MATRIXSECRET-QX7"
WH_SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", SLACK_URL)
    monkeypatch.setenv("MATRIX_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", WH_SECRET)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_channels(write(tmp_path, text))
    return str(info.value)


def test_example_loads(tmp_path: Path, env: None) -> None:
    channels = load_channels(write(tmp_path, EXAMPLE))
    slack = channels["syria-slack"]
    assert isinstance(slack, SlackConfig) and slack.default_rate_limit() == 1.0
    assert slack.unfurl is False and slack.webhook_url.get_secret_value() == SLACK_URL
    assert isinstance(channels["syria-matrix"], MatrixConfig)
    assert isinstance(channels["newsroom-hook"], WebhookConfig)
    digest = channels["editors-digest"]
    assert isinstance(digest, EmailConfig) and digest.mode == "digest"
    immediate = channels["breaking-email"]
    assert isinstance(immediate, EmailConfig) and immediate.next_digest(datetime.now(UTC)) is None
    shown = repr(channels) + str(channels)
    for secret in (SLACK_URL, TOKEN, WH_SECRET):
        assert secret not in shown


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            DIGEST.format(schedule="'0 7 * *'"),
            "channel 'd': channels.d.schedule: invalid cron expression '0 7 * *'",
        ),
        (
            DIGEST.format(schedule="'0 25 * * *'"),
            "invalid cron expression '0 25 * * *'",
        ),
        (
            "channels:\n  d: {type: email, to: [a@example.org], mode: digest}\n",
            "mode: digest needs a schedule",
        ),
        (
            "channels:\n  d: {type: email, to: [a@example.org], schedule: '0 7 * * *'}\n",
            "schedule is only used with mode: digest",
        ),
        (
            "channels:\n  d: {type: email, to: [a@example.org], mode: digest,\n"
            "      schedule: '0 7 * * *', timezone: Mars/Olympus}\n",
            "channels.yaml:3: channel 'd': channels.d.timezone: unknown time zone 'Mars/Olympus'",
        ),
        ("channels:\n  d: {type: email, to: [not-an-address]}\n", "invalid email address"),
        ("channels:\n  d: {type: email, to: []}\n", "channels.d.to"),
        ("channels:\n  s: {type: slack, webhook_url: 'ftp://SECRETX'}\n", "http:// or https://"),
        ("channels:\n  s: {type: slack, webhok_url: x}\n", "did you mean 'webhook_url'"),
        (
            "channels:\n  m: {type: matrix, homeserver: 'https://m.example', room_id: '#a:b',\n"
            "      access_token: SECRETX}\n",
            "room id",
        ),
        ("channels:\n  w: {type: webhook, url: 'https://x.example', secret: SECRETX}\n", "whsec_"),
    ],
)
def test_mistakes_read_well(tmp_path: Path, yaml_text: str, expected: str) -> None:
    message = errors(tmp_path, yaml_text)
    assert expected in message
    assert "SECRETX" not in message
    assert "Traceback" not in message
    assert all(":" in line and "channels.yaml:" in line for line in message.splitlines())


def digest(schedule: str = "0 7 * * *", tz: str = "Europe/London") -> EmailConfig:
    return EmailConfig.model_validate(
        {"to": ["desk@example.org"], "mode": "digest", "schedule": schedule, "timezone": tz}
    )


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # BST (UTC+1): 07:00 London is 06:00 UTC
        (datetime(2024, 5, 1, 5, 0, tzinfo=UTC), datetime(2024, 5, 1, 6, 0, tzinfo=UTC)),
        (datetime(2024, 5, 1, 6, 0, tzinfo=UTC), datetime(2024, 5, 2, 6, 0, tzinfo=UTC)),
        (datetime(2024, 5, 1, 6, 0, 1, tzinfo=UTC), datetime(2024, 5, 2, 6, 0, tzinfo=UTC)),
        # GMT in winter: 07:00 London is 07:00 UTC
        (datetime(2024, 1, 10, 8, 0, tzinfo=UTC), datetime(2024, 1, 11, 7, 0, tzinfo=UTC)),
        # naive means UTC
        (datetime(2024, 1, 10, 6, 59), datetime(2024, 1, 10, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_digest(after: datetime, expected: datetime) -> None:
    got = digest().next_digest(after)
    assert got == expected and got.tzinfo is not None
    assert got.astimezone(ZoneInfo("Europe/London")).hour == 7


def test_next_digest_weekdays() -> None:
    monday = digest("30 16 * * mon-fri", "UTC")
    friday_evening = datetime(2024, 5, 3, 17, 0, tzinfo=UTC)
    assert monday.next_digest(friday_evening) == datetime(2024, 5, 6, 16, 30, tzinfo=UTC)

"""feeds.yaml: defaults, backfill forms, ${VAR} in urls and headers, and path:line problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config.yamlfile import ConfigError
from service.feeds.config import load_feeds


def write(tmp: Path, text: str) -> Path:
    path = tmp / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    return [p.message + f" @{p.line}" for p in err.value.problems]


def test_defaults_backfill_and_relative_path(tmp_path: Path) -> None:
    feeds = load_feeds(
        write(
            tmp_path,
            """
defaults: {interval: 10m, backfill: 24h}
feeds:
  - {id: a, url: local/a.xml}
  - {id: b, url: "https://x.test/feed", interval: 30s, backfill: all}
  - {id: c, url: "https://x.test/c", enabled: false}
""",
        )
    )
    assert [f.id for f in feeds] == ["a", "b"]
    assert feeds[0].interval == 600 and feeds[0].backfill == 86400
    assert feeds[0].url == (tmp_path / "local" / "a.xml").resolve().as_uri()
    assert feeds[1].interval == 30 and feeds[1].backfill == "all"


def test_env_vars_in_url_and_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEED_TOKEN", "tok-123")
    feeds = load_feeds(
        write(
            tmp_path,
            """
feeds:
  - id: a
    url: "https://x.test/${FEED_PATH:-feed}"
    headers: {Authorization: "Bearer ${FEED_TOKEN}"}
""",
        )
    )
    assert feeds[0].url == "https://x.test/feed"
    assert feeds[0].headers == {"Authorization": "Bearer tok-123"}


def test_missing_env_var_names_the_feed_not_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    path = write(tmp_path, "feeds:\n  - id: a\n    url: https://x.test/\n    headers: {X: '${NOPE_TOKEN}'}\n")
    assert problems(path) == ["feed 'a': environment variable NOPE_TOKEN is not set @4"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "feeds:\n  - {id: a, url: x.xml, intervall: 5m}\n",
            "unknown field 'intervall' (did you mean 'interval'?) @2",
        ),
        (
            "feeds:\n  - {id: a, url: x.xml, interval: soon}\n",
            "feeds.0.interval: expected a duration like '30s', '5m', '1h30m' or '2d', got 'soon' @2",
        ),
        (
            "feeds:\n  - {id: a, url: x.xml, backfill: some}\n",
            "feeds.0.backfill: backfill must be 'none', 'all' or a duration like '24h', got 'some' @2",
        ),
        (
            "feeds:\n  - {id: a, url: x.xml}\n  - {id: a, url: y.xml}\n",
            "duplicate feed id 'a' (first at line 2) @3",
        ),
        ("feeds:\n  - {url: x.xml}\n", "'feeds.0.id' is required @2"),
        ("feeds: [\n", None),
    ],
)
def test_problems_have_lines(tmp_path: Path, text: str, expected: str | None) -> None:
    got = problems(write(tmp_path, text))
    if expected is None:
        assert got and got[0].startswith("invalid YAML")
    else:
        assert got == [expected]


def test_missing_channel_variable_is_one_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.notify.channels import load_channels

    monkeypatch.delenv("HOOK_URL", raising=False)
    path = tmp_path / "channels.yaml"
    path.write_text('channels:\n  hook: {type: webhook, url: "${HOOK_URL}"}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_channels(path)
    assert [str(p).split(":", 1)[1] for p in err.value.problems] == [
        "2: channel 'hook': environment variable HOOK_URL is not set"
    ]

"""``rules/feeds.yaml``: which feeds to poll, how often, and what to alert on at first sight."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from service.config.durations import Duration, parse_duration
from service.config.env import interpolate
from service.config.yamlfile import ConfigError, Problem, YamlDoc, load_yaml, validate

FEED_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _backfill(value: object) -> object:
    """``none`` | ``all`` | a duration (alert on items newer than that at first poll)."""
    if value is None or value is False:
        return "none"
    if value is True:
        return "all"
    if isinstance(value, str) and value.strip().lower() in ("none", "all"):
        return value.strip().lower()
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"backfill must be 'none', 'all' or a duration like '24h', got {value!r}") from None


Backfill = Annotated[Literal["none", "all"] | float, BeforeValidator(_backfill)]


class FeedDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval: Duration = 300.0
    backfill: Backfill = "none"
    jitter: Duration | None = None


class FeedConfig(BaseModel):
    """One feed. ``url`` is http(s), ``file://`` or a path (relative to the rules folder)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=FEED_ID)
    url: str
    title: str | None = None
    interval: Duration | None = None
    backfill: Backfill | None = None
    enabled: bool = True
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("url must not be empty")
        return value.strip()


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: FeedDefaults = Field(default_factory=FeedDefaults)
    feeds: list[FeedConfig] = Field(default_factory=list)


class Feed(BaseModel):
    """A feed with its defaults applied: what the poller works from."""

    id: str
    url: str
    title: str
    interval: float
    backfill: Literal["none", "all"] | float
    jitter: float
    headers: dict[str, str]


def resolve_url(url: str, base: Path) -> str:
    """http(s) and file URLs pass through; a bare path is made absolute against ``base``."""
    if "://" in url:
        return url
    path = Path(url).expanduser()
    if not path.is_absolute():
        path = base / path
    return path.resolve().as_uri()


def load_feeds(path: Path) -> list[Feed]:
    """Parse ``feeds.yaml``; raises ConfigError with every problem found."""
    doc = load_yaml(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError([doc.problem((), "expected a mapping with 'feeds:' (and 'defaults:')")])
    problems: list[Problem] = []
    for index, raw in enumerate(data.get("feeds") or []):
        if isinstance(raw, dict):
            owner = f"feed '{raw.get('id', index + 1)}'"
            for key in ("url", "headers"):
                if key in raw:
                    raw[key] = interpolate(raw[key], doc, ("feeds", index, key), owner, problems)
    if problems:
        raise ConfigError(problems)
    parsed: FeedsFile = validate(doc, FeedsFile, data)
    problems = _duplicates(doc, parsed)
    if problems:
        raise ConfigError(problems)
    d = parsed.defaults
    return [
        Feed(
            id=f.id,
            url=resolve_url(f.url, path.parent),
            title=f.title or f.id,
            interval=f.interval or d.interval,
            backfill=f.backfill if f.backfill is not None else d.backfill,
            jitter=d.jitter if d.jitter is not None else min(30.0, (f.interval or d.interval) / 10),
            headers=f.headers,
        )
        for f in parsed.feeds
        if f.enabled
    ]


def _duplicates(doc: YamlDoc, parsed: FeedsFile) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, feed in enumerate(parsed.feeds):
        if feed.id in seen:
            first = doc.line(("feeds", seen[feed.id]))
            problems.append(
                doc.problem(("feeds", index, "id"), f"duplicate feed id '{feed.id}' (first at line {first})")
            )
        seen.setdefault(feed.id, index)
    return problems

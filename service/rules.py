"""The whole of ``rules/``: feeds, channels and watchlists, validated together.

``load_rules`` either returns a usable Rules (matcher compiled) or raises ConfigError listing
every problem in every file, so ``wirewatch check`` shows them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.config.yamlfile import ConfigError, Problem, display_path
from service.feeds.config import Feed, load_feeds
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher
from service.matching.schema import Watchlist
from service.notify.channels import load_channels
from service.notify.config import ChannelBase


@dataclass(frozen=True, slots=True)
class Rules:
    feeds: list[Feed]
    channels: dict[str, ChannelBase]
    watchlists: list[Watchlist]
    matcher: Matcher
    routes: dict[str, list[str]]  # watchlist id -> its channels, for the pipeline's hot path
    story_windows: dict[str, float]  # watchlist id -> its story_window, for the same


def load_rules(folder: Path) -> Rules:
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ConfigError([Problem(display_path(folder), None, "rules folder not found")])
    feeds: list[Feed] = []
    channels: dict[str, ChannelBase] = {}
    feeds_path, channels_path = folder / "feeds.yaml", folder / "channels.yaml"
    if feeds_path.exists():
        try:
            feeds = load_feeds(feeds_path)
        except ConfigError as exc:
            problems.extend(exc.problems)
    else:
        problems.append(Problem(display_path(feeds_path), None, "file not found"))
    if channels_path.exists():
        try:
            channels = load_channels(channels_path)
        except ConfigError as exc:
            problems.extend(exc.problems)
    else:
        problems.append(Problem(display_path(channels_path), None, "file not found"))
    watchlists, wl_problems = load_watchlists(
        folder / "watchlists",
        feed_ids={f.id for f in feeds} if not _failed(problems, feeds_path) else None,
        channel_names=set(channels) if not _failed(problems, channels_path) else None,
    )
    problems.extend(wl_problems)
    if problems:
        raise ConfigError(problems)
    routes = {w.id: list(w.channels) for w in watchlists}
    windows = {w.id: w.story_window for w in watchlists}
    return Rules(feeds, channels, watchlists, Matcher(watchlists), routes, windows)


def _failed(problems: list[Problem], path: Path) -> bool:
    shown = display_path(path)
    return any(p.path == shown for p in problems)

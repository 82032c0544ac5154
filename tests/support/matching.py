"""Build watchlists from dicts as an editor would write them (no files needed)."""

from __future__ import annotations

from typing import Any

from service.config.yamlfile import YamlDoc
from service.matching.load import parse_watchlist
from service.matching.matcher import Matcher
from service.matching.schema import Watchlist


def watchlist(wid: str = "t", **data: Any) -> Watchlist:
    data.setdefault("channels", ["console"])
    built, problems = parse_watchlist(YamlDoc(f"{wid}.yaml", data, {}), wid)
    assert built is not None, [str(p) for p in problems]
    return built


def names(text: str, **data: Any) -> dict[str, list[str]] | None:
    """What one watchlist reports for ``text``: matched names per category, or None."""
    found = Matcher([watchlist(**data)]).match_text(text)
    return found[0].matched if found else None

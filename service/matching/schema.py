"""Watchlists: the YAML file format (pydantic, for validation) and the typed result the matcher compiles.

A file ``rules/watchlists/<id>.yaml`` holds one watchlist. Each of ``cities``, ``groups``,
``keywords`` and ``exclude`` is a list of entries, and an entry is one of:

- a plain term: ``Aleppo`` (``airstrike*``: a ``*`` ending a word matches any continuation of it)
- a canonical name with aliases: ``{name: Hama, aliases: [Hamah, حماة], case_sensitive: false}``;
  ``inflect: false`` matches its spellings only as written (no Cyrillic forms, no Arabic clitics)
- a regular expression: ``{regex: 'shell(ing|ed) of \\w+', name: shelling}``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from service.config.durations import Duration

CATEGORIES = ("cities", "groups", "keywords")
"""The categories a watchlist can have, in the order matches report them."""

SECTIONS = (*CATEGORIES, "exclude")
"""Every list of terms in a watchlist: the categories, then the vetoes."""

WATCHLIST_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

STORY_WINDOW = 48 * 3600.0
"""A copy joins a story seen this recently (``story_window:``), by default."""

STORY_WINDOW_MAX = 7 * 86400.0
"""The longest ``story_window`` (story records are kept a little longer: ``STORY_TTL``)."""


class TermSpec(BaseModel):
    """``{name: ..., aliases: [...]}``: aliases belong to this entry and report its name."""

    model_config = ConfigDict(extra="forbid")

    name: str
    aliases: list[str] = Field(default_factory=list)
    case_sensitive: bool | None = None
    inflect: bool = True


class RegexSpec(BaseModel):
    """``{regex: ...}``: searched in the folded text, whole words, with a time limit."""

    model_config = ConfigDict(extra="forbid")

    regex: str
    name: str | None = None


def _entry_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "RegexSpec" if "regex" in value else "TermSpec"
    return "str"


Entry = Annotated[
    Annotated[str, Tag("str")]
    | Annotated[TermSpec, Tag("TermSpec")]
    | Annotated[RegexSpec, Tag("RegexSpec")],
    Discriminator(_entry_kind),
]


class WatchlistFile(BaseModel):
    """The schema of one watchlist file, exactly as an editor writes it."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, pattern=WATCHLIST_ID)
    description: str = ""
    match: Literal["all", "any"] = "all"
    feeds: Literal["all"] | list[str] = "all"
    cities: list[Entry] = Field(default_factory=list)
    groups: list[Entry] = Field(default_factory=list)
    keywords: list[Entry] = Field(default_factory=list)
    exclude: list[Entry] = Field(default_factory=list)
    channels: list[str] = Field(min_length=1)
    story_window: Duration = STORY_WINDOW

    @field_validator("story_window")
    @classmethod
    def _story_window(cls, value: float) -> float:
        if value > STORY_WINDOW_MAX:
            raise ValueError(f"at most 7d (story records are kept 8 days), got {value / 86400:g}d")
        return value

    @field_validator("cities", "groups", "keywords", "exclude", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        """``cities:`` with every line commented out is an empty list, not an error."""
        return [] if value is None else value


@dataclass(frozen=True, slots=True)
class Term:
    """One entry: the name a match reports, and the spellings that find it.

    ``variants`` are the name and its aliases as written (``*`` kept);
    ``case_sensitive`` None means automatic (2 to 5 capital letters are case-sensitive);
    ``inflect`` False matches the spellings only as written (terms.py). A regex entry has
    ``regex`` set and no variants. ``line``: the entry's line in its file, for messages.
    """

    name: str
    variants: tuple[str, ...] = ()
    case_sensitive: bool | None = None
    regex: str | None = None
    inflect: bool = True
    line: int | None = field(default=None, compare=False)

    @classmethod
    def plain(
        cls, text: str, *aliases: str, case_sensitive: bool | None = None, inflect: bool = True
    ) -> Term:
        return cls(text, (text, *aliases), case_sensitive, inflect=inflect)


class Watchlist(BaseModel):
    """A validated watchlist, ready to compile; ``id`` is the file name unless ``id:`` says otherwise.

    Immutable (pydantic, frozen): ``model_copy(update=...)`` makes a variant, e.g. for a dry run.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    channels: list[str]
    feeds: Literal["all"] | list[str] = "all"
    description: str = ""
    match: Literal["all", "any"] = "all"
    cities: tuple[Term, ...] = ()
    groups: tuple[Term, ...] = ()
    keywords: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    path: str = ""
    story_window: float = STORY_WINDOW

    def categories(self) -> dict[str, tuple[Term, ...]]:
        """The non-empty categories, in report order."""
        return {c: getattr(self, c) for c in CATEGORIES if getattr(self, c)}

    def applies_to(self, feed_id: str | None) -> bool:
        return self.feeds == "all" or feed_id is None or feed_id in self.feeds

"""Story clustering settings: one model, with the defaults measured on the labelled story set.

The lead exposes ``window`` per watchlist (``story_window:``) and the rest globally; every field
has a default, so ``StoryConfig()`` is the tuned configuration. ``tests/unit/stories`` asserts
the precision and recall of these defaults on ``story_set.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.config.durations import Duration

DEFAULT_WINDOW = 48 * 3600.0
DEFAULT_STOPWORD_LANGUAGES = (
    "english",
    "arabic",
    "russian",
    "ukrainian",
    "french",
    "german",
    "spanish",
    "turkish",
)


class StoryConfig(BaseModel):
    """How near two items must be to be one story, and how candidates are found.

    Confirmation (precision rests here, not on a hash):

    - ``threshold``: the weighted share of the shorter item's distinct words found in the other
      (the overlap coefficient), at or above which the two are one story. 0.86 is the middle
      of the range (0.85-0.87) that clusters the story set exactly in 62 arrival orders: the
      closest hard negatives score 0.84 and 0.83, the copies 0.92 and up (a trimmed copy
      against a rewrite 0.875; each of them joins through the agency copy).
    - ``number_weight``: a number counts as this many words, since numbers (tolls, magnitudes,
      rates, truck counts) are what tell two events in one place apart.
    - ``min_words``: the denominator never drops below this, so a four-word headline contained
      in a long story is not a copy of it.
    - ``max_words``: only the first words of title + summary are read (cost and storage bound).

    Candidate retrieval (recall rests here): MinHash (rensa) of the item's content words
    (stop words of ``stopword_languages`` left out), cut into LSH bands; an item is a candidate
    when it shares a band. ``text_bands`` x ``text_rows`` sketch the whole text (rewrites,
    syndicated copies), ``title_bands`` x ``title_rows`` the headline alone (trimmed copies keep
    it, though their text has only a third of the words). A band of r rows finds a pair whose
    content-word Jaccard is s with probability 1-(1-s^r)^bands.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    window: Duration = Field(DEFAULT_WINDOW, description="an item joins stories seen this recently")
    threshold: float = Field(0.86, gt=0.0, le=1.0)
    number_weight: float = Field(6.0, ge=1.0)
    min_words: int = Field(8, ge=1)
    max_words: int = Field(100, ge=8, le=1000)
    text_bands: int = Field(12, ge=1, le=64)
    text_rows: int = Field(3, ge=1, le=8)
    title_bands: int = Field(4, ge=0, le=64)
    title_rows: int = Field(2, ge=1, le=8)
    min_title_words: int = Field(3, ge=1, description="content words a headline needs for title bands")
    max_candidates: int = Field(8, ge=1, description="candidates confirmed per item, most shared bands first")
    stopword_languages: tuple[str, ...] = DEFAULT_STOPWORD_LANGUAGES
    seed: int = Field(20241127, ge=0, description="MinHash seed; changing it orphans stored signatures")

    @model_validator(mode="after")
    def _some_bands(self) -> StoryConfig:
        if self.text_bands * self.text_rows > 256:
            raise ValueError("text_bands x text_rows must be at most 256 permutations")
        return self

    @property
    def text_perm(self) -> int:
        return self.text_bands * self.text_rows

    @property
    def title_perm(self) -> int:
        return self.title_bands * self.title_rows

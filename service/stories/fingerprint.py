"""An item's story fingerprint: its folded words (for the exact check) and LSH band keys.

From title + summary (the content when there is no summary), boilerplate stripped
(``boilerplate.py``), folded with the matching fold (``fold_key``: case, diacritics, harakat,
dashes), split into words (letters and digits of every script; digits of other scripts read as
ASCII digits), the first ``max_words`` kept.

- ``words``: 64-bit hashes of the distinct words, numbers included; ``numbers``: of the distinct
  numbers. The exact similarity (``similarity.py``) runs on these sets (two different words
  share a hash with odds of 2^-64: the check is exact for every practical purpose).
- ``bands``: LSH band keys (63-bit, stable) of two MinHash sketches (rensa ``RMinHash``) of the
  *content* words (stop words of the configured languages left out, so "the", "في", "на" do not
  make every item a candidate of every other): one of the whole text, one of the headline.

Every hash is stable across processes, runs and machines: rensa's token hash and sketch (its
``ALGORITHM_VERSION`` is part of every band key, so an upgrade that changes them orphans old
keys instead of mixing them; ``test_stories_fingerprint`` pins the values); never ``hash()``
of a str. Why rensa's hashing and not a Python loop: one call hashes all of an item's words in
Rust (~3 µs for 80 words, against ~11 µs for ``xxhash``/``zlib.crc32`` called per word).
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, filterfalse

import rensa
from stop_words import get_stop_words

from service.matching.normalize import fold_key
from service.model import Item
from service.stories.boilerplate import strip_boilerplate
from service.stories.config import StoryConfig

SCHEME = 2
"""Bumped when tokens, hashes or the stored layout change; part of band keys and stored bytes."""
_SPLIT = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))
_WORD = re.compile(r"[^\W_]+")
_HEADER = struct.Struct("<BHH")
_SUMMARY_CHARS = 1200
"""Content stands in for a missing summary up to this many characters."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the clusterer keeps of an item; ``bands`` are not part of the stored bytes."""

    words: frozenset[int]
    numbers: frozenset[int]
    bands: tuple[int, ...] = ()

    def to_bytes(self) -> bytes:
        """Compact, stable form: scheme, counts, then sorted little-endian uint32 hashes."""
        words, numbers = sorted(self.words), sorted(self.numbers)
        return _HEADER.pack(SCHEME, len(words), len(numbers)) + struct.pack(
            f"<{len(words) + len(numbers)}I", *words, *numbers
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The inverse of ``to_bytes``; raises ValueError on another scheme or a short buffer."""
        words, numbers = unpack(data)
        return cls(frozenset(words), frozenset(numbers))


def unpack(data: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The word and number hashes of a stored fingerprint, as tuples (no sets built: the
    clusterer intersects them with the new item's sets, which is all it needs); raises
    ValueError on another scheme or a short buffer."""
    scheme, n_words, n_numbers = _HEADER.unpack_from(data)
    if scheme != SCHEME or len(data) != _HEADER.size + 4 * (n_words + n_numbers):
        raise ValueError(f"not a story fingerprint of scheme {SCHEME}")
    values = struct.unpack_from(f"<{n_words + n_numbers}I", data, _HEADER.size)
    return values[:n_words], values[n_words:]


def tokens(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits, digits read as ASCII."""
    folded = fold_key(text)
    if folded.isascii():
        return folded.encode("ascii").translate(_SPLIT).decode("ascii").split()
    words = _WORD.findall(folded)
    return [str(int(w)) if w.isdecimal() and not w.isascii() else w for w in words]


@lru_cache(maxsize=8)
def stopwords(languages: tuple[str, ...]) -> frozenset[str]:
    """The folded stop words of ``languages`` (names as the stop-words package spells them)."""
    return frozenset(w for lang in languages for word in get_stop_words(lang) for w in tokens(word))


class Fingerprinter:
    """Turns items into fingerprints for one configuration; cheap to call, safe to share."""

    def __init__(self, config: StoryConfig | None = None) -> None:
        self.config = config or StoryConfig()
        self._stop = stopwords(self.config.stopword_languages)
        c = self.config
        self._text_ns = _namespaces("text", c.text_bands, c.text_rows, c.seed)
        self._title_ns = _namespaces("title", c.title_bands, c.title_rows, c.seed)

    def item(self, item: Item) -> Fingerprint:
        """The fingerprint of an item's title and summary (content if there is no summary)."""
        title, summary = strip_boilerplate(item.title, item.summary or item.content[:_SUMMARY_CHARS])
        return self.text(title, summary, stripped=True)

    def text(self, title: str, summary: str, *, stripped: bool = False) -> Fingerprint:
        """The fingerprint of a title and summary (boilerplate stripped unless ``stripped``)."""
        if not stripped:
            title, summary = strip_boilerplate(title, summary)
        head = tokens(title)[: self.config.max_words]
        words = head + tokens(summary)[: self.config.max_words - len(head)]
        if not words:
            return Fingerprint(frozenset(), frozenset())
        hashes = _low_halves(rensa.RMinHash.hash_token_sets([words])[0])
        numbers = frozenset(compress(hashes, map(str.isdigit, words)))
        return Fingerprint(frozenset(hashes), numbers, self._bands(words, len(head)))

    def _bands(self, words: list[str], title_words: int) -> tuple[int, ...]:
        c, stop = self.config, self._stop
        content = list(filterfalse(stop.__contains__, words))
        if not content:
            return ()
        keys = _band_keys(self._text_ns, c.text_rows, _sketch(content, c.text_perm, c.seed))
        title = list(filterfalse(stop.__contains__, words[:title_words]))
        if c.title_bands and len(set(title)) >= c.min_title_words:
            keys += _band_keys(self._title_ns, c.title_rows, _sketch(title, c.title_perm, c.seed + 1))
        return tuple(keys)


def _low_halves(hashes: list[int]) -> tuple[int, ...]:
    """Word hashes kept to their low 32 bits (two C calls, not a loop): two items share ~100
    words at most, so a chance collision (about 1 in 400,000 per pair of items) moves an
    overlap by one word at worst, for half the stored bytes."""
    n = len(hashes)
    return struct.unpack(f"<{2 * n}I", struct.pack(f"<{n}Q", *hashes))[::2]


def _sketch(words: list[str], perm: int, seed: int) -> list[int]:
    sketch = rensa.RMinHash(num_perm=perm, seed=seed)
    sketch.update(words)
    return list(sketch.digest())


def _namespaces(kind: str, bands: int, rows: int, seed: int) -> tuple[bytes, ...]:
    """One stable 8-byte prefix per band: scheme, library algorithm and layout included."""
    version = f"wirewatch-story/{SCHEME}/rensa-{rensa.RMinHash.ALGORITHM_VERSION}/{kind}/{seed}/{rows}"
    return tuple(hashlib.blake2b(f"{version}/{i}".encode(), digest_size=8).digest() for i in range(bands))


def _band_keys(namespaces: tuple[bytes, ...], rows: int, digest: list[int]) -> list[int]:
    """Each band's prefix + rows (little-endian uint32) hashed in one rensa call; 63 bits, so
    SQLite's INTEGER holds a key."""
    raw = struct.pack(f"<{len(digest)}I", *digest)
    width = 4 * rows
    parts = [prefix + raw[i * width : (i + 1) * width] for i, prefix in enumerate(namespaces)]
    return [h >> 1 for h in rensa.RMinHash.hash_token_sets([parts])[0]]

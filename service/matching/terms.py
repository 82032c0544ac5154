"""How one spelling in a watchlist becomes something to look for: shared by matcher and reference.

A spelling folds to a ``key`` (see normalize). A trailing ``*`` makes it a prefix (any
continuation of the word). A spelling of 2 to 5 capital letters (``HTS``, ``IS``) is
case-sensitive unless the entry says ``case_sensitive``; a case-sensitive variant also keeps
its ``shape`` (folded but with case) to compare against the original text of a hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from service.matching.normalize import fold_key

_NO_WORD_BEFORE = r"(?<![\p{L}\p{N}])"
_NO_WORD_AFTER = r"(?![\p{L}\p{N}])"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Variant:
    key: str
    prefix: bool
    shape: str | None


def auto_case_sensitive(text: str) -> bool:
    """``HTS``, ``SDF``, ``IS``: 2 to 5 letters, all capitals (any script)."""
    return 2 <= len(text) <= 5 and text.isalpha() and text.isupper()


def variant(text: str, case_sensitive: bool | None) -> Variant:
    """The compiled spelling; call only for spellings ``analyse`` accepts."""
    found = analyse(text, case_sensitive)
    return found if isinstance(found, Variant) else Variant("", False, None)


@lru_cache(maxsize=1 << 17)
def analyse(text: str, case_sensitive: bool | None) -> Variant | str:
    """A spelling compiled, or why it cannot be one. Cached: loading checks what compiling reuses."""
    body = text.strip()
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1].rstrip()
    if "*" in body:
        return f"term {text!r}: '*' is only allowed at the end of a term"
    if _CONTROL.search(body):
        return f"term {text!r} contains a control character"
    key = fold_key(body)
    if not key:
        return f"term {text!r} has no letters or digits to match"
    sensitive = auto_case_sensitive(body) if case_sensitive is None else case_sensitive
    return Variant(key, prefix, fold_key(body, casefold=False) if sensitive else None)


def compile_regex(pattern: str) -> regex.Pattern[str]:
    """The entry's pattern, whole words only, case-insensitive (the text is folded anyway).

    Raises ``regex.error`` when it does not compile (positions in the editor's pattern).
    """
    regex.compile(pattern)
    return regex.compile(f"{_NO_WORD_BEFORE}(?:{pattern}){_NO_WORD_AFTER}", regex.IGNORECASE)

"""Agency boilerplate, removed by its shape (never by a list of agency names).

What goes, in an item's raw text (before folding, since capitals tell a dateline apart):

- A leading dateline, at the start of the summary, ending in a dash (``-``, ``--``, ``–``,
  ``—``) within the first 80 characters:
  - with a parenthesized (or ``/slashed/``) part: ``BEIRUT (Reuters) -``, ``KYIV, Nov 27 (AP) —``,
    ``Gaza City (Palestinian Territories) (AFP) -``, ``بيروت (رويترز) -``,
    ``ХАРКІВ, 27 листопада (Укрінформ) –``, ``(AFP) -``;
  - or a place in capitals with an optional ``, <date or region>``: ``BEIRUT -``,
    ``МОСКВА, 25 окт —``, followed optionally by an agency name whose first word is in capitals
    and that ends in a full stop (``РИА Новости.``).
- Trailing credits: a parenthesized group that ends the text (``(Reporting by …; Editing by …)``,
  ``(تغطية صحفية … - تحرير …)``), up to three of them; the sentence that holds a ``©``
  (``© 2024 The Associated Press. All rights reserved.``) and what follows it.
- An aggregator's cut: a last word that ends in ``…``, ``...`` or ``[…]`` (it may be cut
  mid-word), ellipsis included.
- Links (``http://``, ``https://``) anywhere.
- In a title, a trailing `` - Outlet`` / `` | Outlet`` of at most four words.

Each rule is anchored at the start or end of the text, so the cost does not grow with the
text; a rule that would remove everything is not applied.
"""

from __future__ import annotations

import regex

_DASH = regex.compile(r"\s*(?:--|[-–—])\s+")
_PAREN_PREFIX = regex.compile(r"[^()\n]{0,60}?(?:(?:\([^()\n]{1,40}\)|/[^/\n]{1,20}/)\s*){1,2}")
_CAPS_PREFIX = regex.compile(r"\p{Lu}[\p{Lu}'’.]+(?:\s+\p{Lu}[\p{Lu}'’.]+){0,3}(?:,[^\n()]{1,30})?")
_AGENCY = regex.compile(r"\p{Lu}{2,}(?:\s+\w+)?\.\s+(?=\p{Lu})")
_ELLIPSES = ("[…]", "[...]", "…", "...")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ")
_LINK = regex.compile(r"https?://\S+")
_HEAD = 120
"""A dateline ends within the first _HEAD characters."""
_CREDIT = 300
"""A trailing parenthesized credit is at most _CREDIT characters long."""


def strip_dateline(text: str) -> str:
    """``text`` without a leading agency dateline (see the module docstring)."""
    head = text.lstrip()
    dash = _DASH.search(head, 0, _HEAD)
    if dash is None or dash.start() == 0 or dash.end() >= len(head):
        return head
    prefix = head[: dash.start()]
    if _PAREN_PREFIX.fullmatch(prefix):
        return head[dash.end() :]
    if _CAPS_PREFIX.fullmatch(prefix):
        rest = head[dash.end() :]
        agency = _AGENCY.match(rest)
        return rest[agency.end() :] if agency else rest
    return head


def strip_credits(text: str) -> str:
    """``text`` without trailing credit lines, a copyright sentence or an aggregator's cut."""
    text = text.rstrip()
    for _ in range(3):
        cut = _trailing_cut(text)
        if cut is None or cut <= 0:
            break
        text = text[:cut].rstrip()
    return text


def _trailing_cut(text: str) -> int | None:
    """Where the first trailing rule that applies would cut ``text``, or None."""
    if text.endswith(")"):
        start = text.rfind("(", max(0, len(text) - _CREDIT))
        if start >= 0 and ")" not in text[start:-1]:
            return start
    for ellipsis in _ELLIPSES:
        if text.endswith(ellipsis):
            return text.rfind(" ", 0, len(text) - len(ellipsis))
    mark = text.rfind("©", max(0, len(text) - _CREDIT))
    if mark < 0:
        return None
    ends = [i + 1 for i in range(max(0, mark - 80), mark) if text[i] in ".!?" and text[i + 1].isspace()]
    return ends[-1] if ends else mark


def strip_title(title: str) -> str:
    """``title`` without a trailing `` - Outlet`` or `` | Outlet`` of at most four words."""
    cut = max(title.rfind(separator) for separator in _TITLE_SEPARATORS)
    if cut > 0 and len(title) - cut <= 43 and len(title[cut + 3 :].split()) <= 4:
        return title[:cut]
    return title


def strip_boilerplate(title: str, summary: str) -> tuple[str, str]:
    """Title and summary with every rule of the module docstring applied."""
    if "http" in summary:
        summary = _LINK.sub(" ", summary)
    return strip_title(title.strip()), strip_credits(strip_dateline(summary))

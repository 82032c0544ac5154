"""Every key of every watchlist in one Aho-Corasick automaton, and the whole-word hits it finds.

The automaton runs over scan bytes (scancode.py: one byte per folded character, every
character that is not a letter or digit a space, and a space on each side of the text). A key
goes in as its *pattern*: its scan code with a space before it (unless a hit may start inside
a word: Arabic proclitics) and after it (unless it may continue: ``*``). So the automaton
reports a key only where the checks 1 and 2 of scan.py hold at its ends, and a text's hits
are its real candidates instead of every occurrence inside longer words.

The scan code writes every non-word character as a space, so a key with one (``al sham``,
``idlib's``) is confirmed against the folded text (``al.sham`` is not ``al sham``). A key with
a letter the alphabet has no code for (more than a hundred non-ASCII letters besides those of
the code pages) goes to a second automaton over the folded str, whose hits are checked in
Python as before; it runs only on text with such a letter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

from service.matching.normalize import Folded
from service.matching.scan import Check, Ref
from service.matching.scancode import SPACE, UNKNOWN, Alphabet

CLITICS, OPEN, CHECKED = 1, 2, 4
"""Key flags (set by the matcher): a hit may start inside a word (Arabic proclitics), may end
inside one (``*``); some reference has a check beyond whole words (scan.judge)."""
_VERIFY = 8
"""Pattern flag: the key has a non-word character, compare it with the folded text."""

Hit = tuple[tuple[Ref, ...], int, int, int]
"""(references of the key, nonzero when scan.judge must check them, folded start, end)."""


def plain(check: Check) -> bool:
    """A check that a whole-word hit always passes: no ``*``, no case, no tail, no clitics."""
    return not (check.prefix or check.shape is not None or check.tail or check.clitics)


class KeyAutomaton:
    """The keys compiled; ``hits`` is safe to call concurrently (nothing in it changes)."""

    def __init__(self, keys: Sequence[str], refs: Sequence[tuple[Ref, ...]], flags: Sequence[int]) -> None:
        """``refs`` and ``flags``: per key. A warm start spends much of its time here for a large
        watchlist, so the work common to all keys is done at once (joins and splits in C)."""
        self.alphabet = Alphabet(keys)
        codes = self.alphabet.keys(keys)
        rest = [i for i, code in enumerate(codes) if code is None]
        self._rest_refs = [refs[i] for i in rest]
        self._rest_flags = bytearray(flags[i] for i in rest)
        kind = Implementation.ContiguousNFA  # measured: as fast as a DFA here, a tenth of its memory
        rest_keys = [keys[i] for i in rest]
        self._rest = AhoCorasick(rest_keys, implementation=kind, store_patterns=False) if rest else None
        if rest:  # rare: keys with letters the alphabet has no code for
            main = [i for i, code in enumerate(codes) if code is not None]
            keys, refs, flags = [keys[i] for i in main], [refs[i] for i in main], [flags[i] for i in main]
        ready = [code for code in codes if code is not None]
        patterns = (b" " + b" \x00 ".join(ready) + b" ").split(b"\x00") if ready else []
        for i in [i for i, key_flags in enumerate(flags) if key_flags & (CLITICS | OPEN)]:
            head = b"" if flags[i] & CLITICS else b" "
            patterns[i] = head + ready[i] + (b"" if flags[i] & OPEN else b" ")
        self._verify = {i: keys[i] for i, code in enumerate(ready) if SPACE in code}
        self._flags = bytearray(flags)
        for i in self._verify:
            self._flags[i] |= _VERIFY
        self._refs = refs if isinstance(refs, list) else list(refs)
        del codes, ready, keys  # the build's peak memory is the patterns and the automaton
        self._automaton = BytesAhoCorasick(patterns, implementation=kind) if patterns else None

    def __len__(self) -> int:
        return len(self._refs) + len(self._rest_refs)

    def hits(self, folded: Folded) -> Iterator[Hit]:
        """Every whole-word hit of every key (and every hit of a key with clitics or ``*``
        that the scan code cannot decide, for scan.judge to check)."""
        scan = folded.scan if folded.scan is not None else self.alphabet.encode(folded.text)
        if self._automaton is not None:
            flags, refs, verify = self._flags, self._refs, self._verify
            for index, a, b in self._automaton.find_matches_as_indexes(scan, overlapping=True):
                key_flags = flags[index]
                start = a - 1 if key_flags & CLITICS else a  # scan offsets are one ahead
                end = b - 1 if key_flags & OPEN else b - 2
                if key_flags & _VERIFY and folded.text[start:end] != verify[index]:
                    continue
                yield refs[index], key_flags & CHECKED, start, end
        if self._rest is not None and UNKNOWN in scan:
            yield from self._rest_hits(folded.text)

    def _rest_hits(self, text: str) -> Iterator[Hit]:
        assert self._rest is not None
        size = len(text)
        for index, start, end in self._rest.find_matches_as_indexes(text, overlapping=True):
            key_flags = self._rest_flags[index]
            if start and text[start - 1].isalnum() and not key_flags & CLITICS:
                continue  # inside a word
            if end < size and text[end].isalnum() and not key_flags & OPEN:
                continue  # the start of a longer word
            yield self._rest_refs[index], key_flags & CHECKED, start, end

"""A file of term expansions, so a restart does not redo the morphology (and need not load it).

Expanding 10,000 Cyrillic terms with pymorphy3 takes seconds; reading them back takes a fraction
of one. The cache is one JSON file per combination of library, dictionary and policy versions
(``expansions-<hash>.json``), in ``WIREWATCH_CACHE_DIR`` (default ``$XDG_CACHE_HOME/wirewatch``,
else ``~/.cache/wirewatch``; an empty value turns the cache off). A folder that cannot be
created or written is logged once and otherwise ignored: the service works, compiles slower.
Writes go to a temporary file renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.logs import get_logger

log = get_logger(__name__)

ENV = "WIREWATCH_CACHE_DIR"
Entry = list[Any]
"""What is cached for one spelling or acronym: JSON-friendly lists (terms.py, expand.py)."""


def cache_dir() -> Path | None:
    """Where expansions are cached, from the environment; None when turned off. (Asked once per
    compiled term: XDG_CACHE_HOME is read only when it matters.)"""
    value = os.environ.get(ENV)
    return _cache_dir(value, None if value is not None else os.environ.get("XDG_CACHE_HOME"))


@lru_cache(maxsize=16)
def _cache_dir(value: str | None, xdg: str | None) -> Path | None:
    if value is not None:
        return Path(value).expanduser() if value.strip() else None
    return Path(xdg or Path.home() / ".cache") / "wirewatch"


class ExpansionCache:
    """Entries by key, read from one file on first use and written back when new ones appear."""

    def __init__(self, folder: Path | None, version: str) -> None:
        self.folder = folder
        self.version = version
        digest = hashlib.sha256(version.encode()).hexdigest()[:16]
        self.path = folder / f"expansions-{digest}.json" if folder else None
        self._entries: dict[str, Entry] | None = None
        self._dirty = False
        self._warned = False

    def get(self, key: str) -> Entry | None:
        return self._load().get(key)

    def put(self, key: str, entry: Entry) -> None:
        self._load()[key] = entry
        self._dirty = True

    def _load(self) -> dict[str, Entry]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None and self.path.exists():
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    self._entries = data if isinstance(data, dict) else {}
                except (OSError, ValueError) as exc:
                    log.warning("expansion_cache_unreadable", path=str(self.path), error=str(exc))
        return self._entries

    def save(self) -> None:
        """Write the file if entries were added; failures are logged once, never raised."""
        if not self._dirty or self.path is None or self._entries is None:
            return
        self._dirty = False
        tmp: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".expansions-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                # dumps, not dump: only the one-shot encoder is the C one (a large file takes seconds)
                out.write(json.dumps(self._entries, ensure_ascii=False, separators=(",", ":")))
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a CLI run as another user
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if not self._warned:
                self._warned = True
                log.warning(
                    "expansion_cache_unwritable",
                    path=str(self.path),
                    error=f"{exc}; term expansions are not cached (compiling is slower, matching is not)",
                )

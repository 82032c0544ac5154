"""Durations as editors write them: ``30s``, ``5m``, ``1h30m``, ``2d``, or a number of seconds."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(value: Any) -> float:
    """Seconds in ``value``; raises ValueError with a message an editor can act on."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like '5m' or '24h', got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        parts = _PART.findall(text)
        if not text or "".join(n + u for n, u in parts).lower() != text.lower():
            raise ValueError(f"expected a duration like '30s', '5m', '1h30m' or '2d', got {value!r}")
        seconds = sum(float(n) * _UNITS[u.lower()] for n, u in parts)
    else:
        raise ValueError(f"expected a duration like '5m' or '24h', got {value!r}")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]

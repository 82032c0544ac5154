"""Logging: structlog with fixed snake_case keys, to stderr; text for people, JSON for machines.

Use ``log = get_logger(__name__)`` and events like
``log.warning("poll_failed", feed_id=..., error=...)``.
Keys are fixed: ``feed_id``, ``watchlist``, ``channel``, ``alert_key``, ``error``, ``path``.
Never pass a secret (webhook URL, token, password) as a value.

Promises ``configure`` keeps:

- Every line goes to the *current* ``sys.stderr``; stdout stays for console alerts and command
  output, so ``wirewatch run | tee alerts.txt`` never mixes the two.
- ``fmt="json"`` writes one JSON object per line (``event``, ``level``, ``timestamp``,
  ``logger`` and the event's keys); ``"text"`` is a plain, uncoloured line for people.
- Defense in depth against leaks: a value whose key looks secret (token, password, secret,
  webhook_url, authorization, ...) is replaced by ``[redacted]``, and credentials inside any
  string (``user:pass@`` in URLs, Slack hook paths, ``Bearer`` tokens, ``token=`` query
  parameters) are masked before rendering.
- Standard-library loggers (apscheduler, httpx, aiohttp, asyncio) go through the same renderer
  and the same redaction, at WARNING and above only.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import structlog

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"token|password|passwd|secret|webhook_url|authorization|api_key|apikey|credential|cookie",
    re.IGNORECASE,
)
_SECRET_TEXT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@"), r"\1" + REDACTED + "@"),
    (re.compile(r"(?i)(hooks\.slack\.com/services/)[^\s\"'<>]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    (
        re.compile(r"(?i)([?&](?:access_token|token|api_key|apikey|key|secret|sig|signature)=)[^&\s\"'#]+"),
        r"\1" + REDACTED,
    ),
)
_THIRD_PARTY_LEVEL = logging.WARNING


def redact_url(url: str) -> str:
    """``url`` without userinfo, query or fragment (they may hold tokens): the one form of a URL
    that logs, errors, alerts and status output show."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<invalid url>"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def scrub_text(text: str) -> str:
    """``text`` with credentials masked (URL userinfo, Slack hooks, bearer and query tokens)."""
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _scrub(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key) and value is not None:
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {str(k): _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(key, v) for v in value]
    return value


def redact_secrets(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: mask secret-looking keys and credentials inside strings."""
    for key in list(event_dict):
        if key.startswith("_"):  # structlog internals (_record, _from_structlog)
            continue
        event_dict[key] = _scrub(key, event_dict[key])
    return event_dict


def _add_logger_name(logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    record = event_dict.get("_record")
    name = record.name if record is not None else getattr(logger, "name", None)
    if name:
        event_dict.setdefault("logger", name)
    return event_dict


class _StderrLogger:
    """Writes each rendered line to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def msg(self, message: str) -> None:
        stream = sys.stderr
        stream.write(message + "\n")
        stream.flush()

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _stderr_factory(*args: Any) -> _StderrLogger:
    return _StderrLogger(str(args[0]) if args else None)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler bound to the current ``sys.stderr`` rather than the one at setup."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _renderer(fmt: str) -> Any:
    if fmt == "json":
        return structlog.processors.JSONRenderer(sort_keys=False)
    return structlog.dev.ConsoleRenderer(colors=False)


def configure(fmt: str = "text", level: str = "INFO") -> None:
    """Set up structlog and the stdlib root logger; safe to call again (e.g. in tests)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        _add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    tail: list[Any] = [structlog.processors.format_exc_info] if fmt == "json" else []
    structlog.configure(
        processors=[*shared, *tail, redact_secrets, _renderer(fmt)],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=_stderr_factory,
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *tail,
                redact_secrets,
                _renderer(fmt),
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_THIRD_PARTY_LEVEL)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)

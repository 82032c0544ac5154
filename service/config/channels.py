"""``rules/channels.yaml``: where alerts go. Each channel has a ``type`` from the notifier registry.

``${VAR}`` anywhere in a value reads the environment; a missing variable is a config error
naming the channel (never its value). Settings shared by every type (rate limit, bursts,
retries) are in ChannelBase.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.config.durations import Duration
from service.config.yamlfile import ConfigError, Loc, Problem, YamlDoc, load_yaml, validate

CHANNEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ChannelBase(BaseModel):
    """Fields every channel type accepts."""

    model_config = ConfigDict(extra="forbid")

    type: str
    rate_limit: float | None = Field(
        None, gt=0, description="messages per second at most (default depends on the type)"
    )
    burst_threshold: int = Field(
        5, ge=1, description="more alerts than this due at once become one grouped message"
    )
    max_group: int = Field(20, ge=2, le=50, description="alerts listed in one grouped message")
    max_attempts: int | None = Field(None, ge=1, description="attempts before dead-lettering")
    max_age: Duration | None = Field(None, description="age after which an alert is dead-lettered")

    def default_rate_limit(self) -> float | None:
        return self.rate_limit

    @property
    def is_digest(self) -> bool:
        """A digest channel collects alerts and sends them together at ``next_digest``."""
        return False

    def next_digest(self, after: datetime) -> datetime | None:
        """The next scheduled send after ``after``; None for channels that send each alert now."""
        return None


def interpolate(value: Any, doc: YamlDoc, loc: Loc, owner: str, problems: list[Problem]) -> Any:
    """Replace ``${VAR}`` (or ``${VAR:-default}``) from the environment, recursively.

    A missing variable is a problem naming ``owner`` (e.g. "channel 'x'") and the variable,
    never its value.
    """
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            got = os.environ.get(name)
            if got is None or got == "":
                if default is not None:
                    return default
                problems.append(doc.problem(loc, f"{owner}: environment variable {name} is not set"))
                return ""
            return got

        return _VAR.sub(repl, value)
    if isinstance(value, dict):
        return {k: interpolate(v, doc, (*loc, k), owner, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, doc, (*loc, i), owner, problems) for i, v in enumerate(value)]
    return value


def load_channels(path: Path) -> dict[str, ChannelBase]:
    """Parse ``channels.yaml`` into typed channel configs; ConfigError lists every problem."""
    from service.notify.registry import config_model, known_types

    doc = load_yaml(path)
    data = doc.data if doc.data is not None else {}
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("channels", {}), dict):
        raise ConfigError([doc.problem((), "expected a mapping 'channels:' of name -> settings")])
    extra = [k for k in data if k != "channels"]
    for key in extra:
        problems.append(doc.problem((key,), f"unknown field '{key}' (expected 'channels')"))
    channels: dict[str, ChannelBase] = {}
    for name, raw in (data.get("channels") or {}).items():
        loc: Loc = ("channels", name)
        if not isinstance(name, str) or not CHANNEL_NAME.match(name):
            problems.append(doc.problem(loc, f"invalid channel name {name!r}"))
            continue
        if not isinstance(raw, dict) or "type" not in raw:
            types_ = ", ".join(known_types())
            problems.append(doc.problem(loc, f"channel '{name}' needs a 'type' ({types_})"))
            continue
        model = config_model(str(raw["type"]))
        if model is None:
            types_ = ", ".join(known_types())
            problems.append(
                doc.problem((*loc, "type"), f"channel '{name}': unknown type {raw['type']!r} ({types_})")
            )
            continue
        before = len(problems)
        resolved = interpolate(raw, doc, loc, f"channel '{name}'", problems)
        if len(problems) > before:
            continue  # a missing variable: validating the empty value would only add noise
        try:
            channels[name] = validate(doc, model, resolved, loc)
        except ConfigError as exc:
            problems.extend(Problem(p.path, p.line, f"channel '{name}': {p.message}") for p in exc.problems)
    if problems:
        raise ConfigError(problems)
    return channels

"""``rules/channels.yaml``: where alerts go. Each channel has a ``type`` from the notifier registry.

``${VAR}`` anywhere in a value reads the environment; a missing variable is a config error
naming the channel (never its value).
"""

from __future__ import annotations

import re
from pathlib import Path

from service.config.env import interpolate
from service.config.yamlfile import ConfigError, Loc, Problem, load_yaml, validate
from service.notify.config import ChannelBase
from service.notify.registry import config_model, known_types

CHANNEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def load_channels(path: Path) -> dict[str, ChannelBase]:
    """Parse ``channels.yaml`` into typed channel configs; ConfigError lists every problem."""
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

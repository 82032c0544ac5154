"""``${VAR}`` and ``${VAR:-default}`` in config values, read from the environment.

A missing variable is a Problem that names its owner (``channel 'x'``, ``feed 'y'``) and the
variable, never the value of anything: secrets travel this way.
"""

from __future__ import annotations

import os
import re
from typing import Any

from service.config.yamlfile import Loc, Problem, YamlDoc

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(value: Any, doc: YamlDoc, loc: Loc, owner: str, problems: list[Problem]) -> Any:
    """``value`` with every ``${VAR}`` replaced, recursively through mappings and lists."""
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

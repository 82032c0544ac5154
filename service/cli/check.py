"""``wirewatch check``: validate every file in ``rules/``; one ``path:line: message`` per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from service.matching.load import expansion_warnings
from service.rules import load_rules
from service.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="validate every config file")
    p.add_argument("--rules", type=Path, help="rules folder (default: WIREWATCH_RULES_DIR or ./rules)")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    rules = load_rules(settings.rules_dir)  # ConfigError: main prints the problems, exit 1
    for warning in expansion_warnings(rules.watchlists):  # reported, but the rules are usable
        print(warning, file=sys.stderr)
    print(
        f"ok: {len(rules.feeds)} feeds, {len(rules.channels)} channels, "
        f"{len(rules.watchlists)} watchlists in {settings.rules_dir}"
    )
    return 0

"""``wirewatch`` (also ``python -m service``): one module per command, listed in ``COMMANDS``.

Exit codes: 0 success; 1 a problem the user must fix (config, unreachable or unknown state
store; ``send-test``: the channel did not accept the message); 2 bad usage; ``run --once`` adds
3 (an alert was dead-lettered) and 4 (alerts still pending at the drain timeout), see run.py.
A user's mistake is printed as one line (``path:line: message`` for config files), never a
traceback: ``main`` turns the errors every command can meet into those
lines, so the commands themselves only do their work.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv
from pydantic import ValidationError

from service import __version__
from service.cli import alerts, check, deliveries, match, replay, run, send_test, silence, status
from service.config.yamlfile import ConfigError
from service.logs import configure
from service.settings import Settings
from service.state.base import BadStateUrl, StateDamaged, StateInUse, StateUnavailable

COMMANDS = (run, check, match, deliveries, status, alerts, silence, send_test, replay)
"""Each module has ``register(subparsers)``, which sets ``handler(settings, args) -> int``."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirewatch", description="Watch news feeds and alert editors.")
    p.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return p


def _settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = "WIREWATCH_" + "_".join(str(p) for p in err["loc"]).upper()
            print(f"{name}: {err['msg']}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = _settings()
    if settings is None:
        return 1
    load_dotenv(".env", override=False)  # so ${VAR} in channels.yaml can read .env too
    if getattr(args, "rules", None) and args.command != "match":
        settings.rules_dir = args.rules
    configure(settings.log_format, settings.log_level)
    name = f"wirewatch {args.command}"
    try:
        code: int = args.handler(settings, args)
        return code
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{name}: the configuration has problems (see above)", file=sys.stderr)
    except (BadStateUrl, StateInUse, StateDamaged) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
    except StateUnavailable as exc:
        print(f"{name}: state store unreachable: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # ``wirewatch alerts | head``: the reader left, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is quiet
    return 1

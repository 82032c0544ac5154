"""YAML with line numbers, and pydantic errors turned into ``path:line: message``.

Editors read these messages, so each one names the file, the line and the field, and an
unknown field comes with a did-you-mean.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one config file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that records the line of every mapping key and sequence item."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: dict[Loc, int] = {}

    def record(self, node: yaml.Node, loc: Loc) -> None:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
                self.record(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self.record(child, (*loc, index))


@dataclass(slots=True)
class YamlDoc:
    """A parsed file: its data and the line of every location in it."""

    path: str
    data: Any
    lines: dict[Loc, int]

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.path, self.line(loc), message)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> YamlDoc:
    """Read one YAML file; a syntax error becomes a ConfigError with its line."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(shown, None, f"cannot read file: {exc}")]) from None
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(shown, None, {})
        loader.record(node, ())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(shown, exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(shown, None, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return YamlDoc(shown, data, loader.lines)


def _syntax_problem(shown: str, exc: yaml.MarkedYAMLError) -> Problem:
    """Point at where the broken construct starts (an unclosed ``[`` or quote), not only where
    the parser gave up, which is often the next line."""
    problem, context = exc.problem or "invalid YAML", exc.context
    at = exc.problem_mark.line + 1 if exc.problem_mark else None
    start = exc.context_mark.line + 1 if exc.context_mark else None
    if context and start and at and start != at:
        return Problem(shown, start, f"invalid YAML: {context} here: {problem} (line {at})")
    return Problem(shown, at or start, f"invalid YAML: {problem}")


def validate(doc: YamlDoc, model: type[BaseModel], data: Any, base: Loc = ()) -> Any:
    """Validate ``data`` (found at ``base`` in ``doc``) against ``model``.

    Returns the model instance, or raises ConfigError listing every problem with its line.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_problems(doc, model, exc, base)) from None


def validation_problems(
    doc: YamlDoc, model: type[BaseModel], exc: ValidationError, base: Loc = ()
) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(part for part in err["loc"] if not _is_union_tag(part))
        full = (*base, *loc)
        field = ".".join(str(p) for p in full) or "(top level)"
        if err["type"] == "extra_forbidden":
            known = sorted(_fields_at(model, loc[:-1]))
            name = str(loc[-1]) if loc else ""
            hint = difflib.get_close_matches(name, known, n=1)
            msg = f"unknown field '{name}'"
            if hint:
                msg += f" (did you mean '{hint[0]}'?)"
            elif known:
                msg += f" (expected one of: {', '.join(known)})"
        elif err["type"] == "missing":
            msg = f"'{field}' is required"
        else:
            msg = f"{field}: {_clean(err['msg'])}"
        problems.append(doc.problem(full, msg))
    return problems


def _is_union_tag(part: str | int) -> bool:
    # pydantic inserts the union member (e.g. 'str', 'TermEntry', "function-after[...]") into loc
    return isinstance(part, str) and (
        part[:1].isupper() or "[" in part or part in {"str", "int", "float", "bool", "list"}
    )


def _clean(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def _fields_at(model: type[BaseModel], loc: Loc) -> set[str]:
    """Field names of the model found by following ``loc`` down from ``model``."""
    candidates: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for tp in candidates:
            for inner in _unwrap(tp):
                if isinstance(part, str) and _is_model(inner) and part in inner.model_fields:
                    nxt.append(inner.model_fields[part].annotation)
                elif isinstance(part, int | str):
                    origin = typing.get_origin(inner)
                    args = typing.get_args(inner)
                    if origin in (list, tuple, set, frozenset) and args:
                        nxt.append(args[0])
                    elif origin is dict and len(args) == 2:
                        nxt.append(args[1])
        candidates = nxt
    names: set[str] = set()
    for tp in candidates:
        for inner in _unwrap(tp):
            if _is_model(inner):
                names.update(inner.model_fields)
    return names


def _unwrap(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin is typing.Union or isinstance(tp, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)

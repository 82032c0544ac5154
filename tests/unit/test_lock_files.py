"""The lock files agree with pyproject.toml: every dependency pinned, within its bounds.

``requirements/dev.txt`` (runtime + dev tools: make, CI) and ``requirements/runtime.txt`` (the image)
are written by ``make lock``. A dependency added to pyproject.toml without re-locking fails here
with the command to run, before an image or a fresh venv finds out.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.paths import ROOT

LOCKS = {"runtime": ROOT / "requirements" / "runtime.txt", "dev": ROOT / "requirements" / "dev.txt"}
RELOCK = "run `make lock` and commit requirements/"


def pins(lock: Path) -> dict[str, list[Requirement]]:
    """``name -> [Requirement]`` from ``name==version [; marker]  # via ...`` lines (a universal
    lock may pin one package twice, for different Python versions)."""
    found: dict[str, list[Requirement]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            req = Requirement(text)
            found.setdefault(str(canonicalize_name(req.name)), []).append(req)
    return found


def declared(group: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    if group == "runtime":
        return runtime
    return runtime + [Requirement(r) for r in project["optional-dependencies"]["dev"]]


@pytest.mark.parametrize("group", ["runtime", "dev"])
def test_every_pin_is_one_exact_version(group: str) -> None:
    every = [r for reqs in pins(LOCKS[group]).values() for r in reqs]
    loose = [str(r) for r in every if len(r.specifier) != 1 or "==" not in str(r.specifier)]
    assert every and not loose, f"{LOCKS[group].name}: not pinned exactly: {loose}"


@pytest.mark.parametrize("group", ["runtime", "dev"])
def test_lock_pins_every_declared_dependency_within_its_bounds(group: str) -> None:
    locked = pins(LOCKS[group])
    problems = []
    for req in declared(group):
        found = locked.get(str(canonicalize_name(req.name)), [])
        if not found:
            problems.append(f"{req.name} is not in the lock")
        for pin in found:
            version = next(iter(pin.specifier)).version
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req.name}=={version} is outside {req.specifier}")
    assert not problems, f"{LOCKS[group].name}: {'; '.join(problems)}: {RELOCK}"


def test_runtime_lock_is_the_dev_lock_without_dev_tools() -> None:
    """The image runs the versions CI tested, and none of the test or lint tools."""
    runtime, dev = pins(LOCKS["runtime"]), pins(LOCKS["dev"])
    # pin by pin, markers included (uv writes a package's pins in the same order in both files)
    differ = [
        f"{name}: {runtime[name]} vs {dev.get(name)}" for name in runtime if runtime[name] != dev.get(name)
    ]
    assert not differ, f"runtime and dev locks disagree: {differ}: {RELOCK}"
    runtime_names = {str(canonicalize_name(r.name)) for r in declared("runtime")}
    dev_only = {str(canonicalize_name(r.name)) for r in declared("dev")} - runtime_names
    assert dev_only, "pyproject.toml lists dev tools"
    assert not dev_only & set(runtime), f"dev tools in the runtime lock: {sorted(dev_only & set(runtime))}"


def test_lint_and_type_tools_are_pinned_exactly_in_pyproject() -> None:
    """A new ruff or mypy release can reformat or flag code; moving to one is a deliberate commit."""
    dev = {str(canonicalize_name(r.name)): r for r in declared("dev")}
    for tool in ("ruff", "mypy"):
        assert str(dev[tool].specifier).startswith("=="), f"pyproject.toml: pin {tool} exactly"

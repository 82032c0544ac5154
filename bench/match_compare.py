"""The matcher beside a baseline checkout, alternating runs: before/after numbers on a shared machine.

``python -m bench.match_compare --baseline /work/main [--rounds 4] [--quick]`` loads the
baseline's ``service/matching`` as a second package (copied to a temporary folder as
``baseline_matching``, its imports and codec error handler names rewritten) and compares it with
this checkout's on the match bench's workloads: the 50,000-term Latin lists with their English
articles and with Arabic-script articles, and the 10,000-term Cyrillic list with its dense and
sparse articles (bench/cyrillic.py). Matching runs in this process, baseline and candidate in
turn, in CPU time (other jobs' turns do not count); each prints its range over the rounds and
whether both gave the same matches. Builds (YAML load and compile) run in fresh processes, in
turn: Latin, and Cyrillic cold (an empty expansion cache) then warm, with each run's CPU time,
wall time and peak RSS. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import cyrillic
from bench.match_bench import arabic_aliases, make_arabic_articles, make_articles, write_watchlists
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher, item_text

CHILD = r"""
import json, sys, time
from pathlib import Path
if sys.argv[1] == "baseline":
    sys.path.insert(0, sys.argv[3])
    from baseline_matching.load import load_watchlists
    from baseline_matching.matcher import Matcher
else:
    from service.matching.load import load_watchlists
    from service.matching.matcher import Matcher
started, cpu = time.perf_counter(), time.process_time()
watchlists, problems = load_watchlists(Path(sys.argv[2]), None, {"console"})
Matcher(watchlists)
cpu, wall = time.process_time() - cpu, time.perf_counter() - started
peak = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"cpu": cpu, "wall": wall, "peak": peak}))
"""


def copy_baseline(checkout: Path, into: Path) -> None:
    """``checkout``'s service/matching as the package ``baseline_matching`` under ``into``."""
    target = into / "baseline_matching"
    shutil.copytree(checkout / "service" / "matching", target)
    for path in target.glob("*.py"):
        text = path.read_text(encoding="utf-8").replace("service.matching", "baseline_matching")
        path.write_text(re.sub(r'"wirewatch\.', '"baseline.', text), encoding="utf-8")


def load_baseline(into: Path) -> tuple[Any, Any]:
    sys.path.insert(0, str(into))
    from baseline_matching.load import load_watchlists as base_load  # type: ignore[import-not-found]
    from baseline_matching.matcher import Matcher as BaseMatcher  # type: ignore[import-not-found]

    return base_load, BaseMatcher


def spread(values: list[float]) -> str:
    return f"{min(values):,.0f}-{max(values):,.0f}"


def compare_matching(label: str, rules: Path, texts: list[str], rounds: int, base: tuple[Any, Any]) -> None:
    """Both matchers on the same texts, in turn; items/s in CPU time."""
    base_load, base_matcher = base
    matchers: dict[str, Callable[[str], Any]] = {
        "baseline": base_matcher(base_load(rules, None, {"console"})[0]).match_text,
        "candidate": Matcher(load_watchlists(rules, None, {"console"})[0]).match_text,
    }
    same = all(matchers["baseline"](t) == matchers["candidate"](t) for t in texts)
    matches = sum(len(matchers["candidate"](t)) for t in texts) / len(texts)
    rates: dict[str, list[float]] = {"baseline": [], "candidate": []}
    for _ in range(rounds):
        for name, match in matchers.items():
            cpu = time.process_time()
            for text in texts:
                match(text)
            rates[name].append(len(texts) / (time.process_time() - cpu))
    print(
        f"{label:<34} {spread(rates['baseline']):>13} {spread(rates['candidate']):>13} "
        f"{matches:>7.2f}  {'yes' if same else 'NO'}"
    )


def build(which: str, rules: Path, cache: Path, baseline_dir: Path) -> dict[str, float]:
    env = {**os.environ, "WIREWATCH_CACHE_DIR": str(cache)}
    command = [sys.executable, "-c", CHILD, which, str(rules), str(baseline_dir)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare_builds(label: str, rules: Path, rounds: int, root: Path, cold: bool) -> None:
    """Fresh-process builds in turn; ``cold``: each run with an empty cache, then a warm one."""
    runs: dict[str, dict[str, list[dict[str, float]]]] = {}
    for n in range(rounds):
        for which in ("baseline", "candidate"):
            cache = root / f"cache-{which}-{n}"
            kinds = runs.setdefault(which, {})
            kinds.setdefault("cold" if cold else "build", []).append(build(which, rules, cache, root))
            if cold:
                kinds.setdefault("warm", []).append(build(which, rules, cache, root))
    for kind in runs["candidate"]:
        cells = []
        for which in ("baseline", "candidate"):
            found = runs[which][kind]
            cpu = spread([r["cpu"] * 1000 for r in found])
            wall = spread([r["wall"] * 1000 for r in found])
            cells.append(f"{cpu} / {wall} ms, {max(r['peak'] for r in found):.0f} MB")
        print(f"{label + ' ' + kind:<22} {cells[0]:>34} {cells[1]:>34}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline (its root)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="small lists and few articles (a smoke run)")
    args = parser.parse_args(argv)
    latin_terms, cyrillic_terms, count = (1_000, 500, 20) if args.quick else (50_000, 10_000, 200)
    rng = random.Random(20241127)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["WIREWATCH_CACHE_DIR"] = str(root / "cache-here")  # never the user's ~/.cache
        copy_baseline(args.baseline, root)
        base = load_baseline(root)
        latin = root / "latin"
        latin.mkdir()
        names = write_watchlists(latin, latin_terms, rng)
        english = [item_text(i) for i in make_articles(count, names, rng)]
        arabic = make_arabic_articles(
            count, arabic_aliases(load_watchlists(latin, None, {"console"})[0]), rng
        )
        pools, common = cyrillic.vocabulary(rng, cyrillic.QUICK_RANKS if args.quick else cyrillic.RANKS)
        terms = cyrillic.make_terms(cyrillic_terms, pools, rng)
        rules = root / "cyrillic"
        rules.mkdir()
        cyrillic.write_watchlists(rules, terms, inflect=True)
        dense = cyrillic.make_articles(count, terms, common, rng)
        sparse = cyrillic.make_articles(count, terms, cyrillic.sparse_words(common, terms), rng)
        print(
            f"\n{'matching, items/s in CPU time':<34} {'baseline':>13} {'candidate':>13} {'matches':>7}  same"
        )
        compare_matching(f"Latin {latin_terms:,}, English", latin, english, args.rounds, base)
        compare_matching(f"Latin {latin_terms:,}, Arabic script", latin, arabic, args.rounds, base)
        compare_matching(f"Cyrillic {cyrillic_terms:,}, dense", rules, dense, args.rounds, base)
        compare_matching(f"Cyrillic {cyrillic_terms:,}, sparse", rules, sparse, args.rounds, base)
        print(f"\n{'builds, fresh processes':<22} {'baseline: CPU / wall, peak':>34} {'candidate':>34}")
        compare_builds(f"Latin {latin_terms:,}", latin, args.rounds, root, cold=False)
        compare_builds(f"Cyrillic {cyrillic_terms:,}", rules, args.rounds, root, cold=True)
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

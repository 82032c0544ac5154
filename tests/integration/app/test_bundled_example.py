"""The bundled example (``make run``): the rules in ``rules/`` as shipped, run once.

Every sample item a watchlist matches alerts once, and the one story both sample outlets carry
alerts once, with the other outlet's copy as one follow-up.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.rundir import RunDir

STORY = "Airstrikes reported near Idlib's southern countryside"


def test_bundled_example_alerts_once_per_story(tmp_path: Path) -> None:
    rd = RunDir(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    shutil.copytree(ROOT / "rules", rd.rules)
    out = rd.wirewatch("run", "--once")
    assert out.returncode == 0, out.stderr[-3000:]
    heads = [line for line in out.stdout.splitlines() if line.startswith("[")]
    followups = [h for h in heads if "] also reported by " in h]
    assert len(followups) == 1 and STORY in followups[0], heads
    firsts = [h for h in heads if h not in followups and STORY in h]
    assert len(firsts) == 1 and firsts[0].startswith("[frontline-cities] "), heads
    assert len(heads) == 5, heads  # four alerts (three stories, two watchlists on one), one follow-up

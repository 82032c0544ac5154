"""A throwaway rules folder and a way to run the real ``wirewatch`` command against it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ITEM = """
  <item>
    <title>{title}</title>
    <link>{link}</link>
    <guid isPermaLink="false">{guid}</guid>
    <pubDate>{date}</pubDate>
    <description><![CDATA[{body}]]></description>
  </item>"""


def rss(items: list[dict[str, str]], title: str = "Test wire") -> str:
    body = "".join(ITEM.format(**{"date": "Wed, 04 Dec 2024 08:00:00 +0000", **i}) for i in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://wire.test/</link><description>t</description>"
        f"{body}\n</channel></rss>\n"
    )


WATCHLIST = """
description: Frontline cities
match: any
cities:
  - Aleppo
  - name: Hama
    aliases: [Hamah]
  - Homs
groups:
  - name: Hayat Tahrir al-Sham
    aliases: [HTS]
exclude: [football]
channels: [console]
"""


@dataclass
class RunDir:
    root: Path
    state_url: str

    @property
    def rules(self) -> Path:
        return self.root / "rules"

    def write_feed(self, name: str, items: list[dict[str, str]]) -> Path:
        path = self.rules / name
        path.write_text(rss(items), encoding="utf-8")
        return path

    def write(self, relative: str, text: str) -> Path:
        path = self.rules / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")}
        env.update(
            WIREWATCH_RULES_DIR=str(self.rules),
            WIREWATCH_STATE_URL=self.state_url,
            WIREWATCH_CACHE_DIR=str(self.root / "cache"),  # term expansions: never ~/.cache
            WIREWATCH_LOG_LEVEL="INFO",
            WIREWATCH_RETRY_BASE="0.05",
            WIREWATCH_DRAIN_TIMEOUT="20",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def wirewatch(self, *args: str, timeout: float = 60, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", *args],
            cwd=self.root,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def make_rundir(tmp: Path, state_url: str | None = None, feeds: str | None = None) -> RunDir:
    rd = RunDir(tmp, state_url or f"sqlite:///{tmp / 'state.db'}")
    rd.rules.mkdir(parents=True)
    rd.write("channels.yaml", "channels:\n  console: {type: console}\n")
    rd.write(
        "feeds.yaml",
        feeds or "feeds:\n  - {id: wire, url: wire.xml, backfill: all}\n",
    )
    rd.write("watchlists/frontline.yaml", WATCHLIST)
    return rd

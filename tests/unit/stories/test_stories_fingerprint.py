"""Fingerprints: what folds together, what stays apart, and that the hashes never move."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.model import Item
from service.stories import Fingerprint, Fingerprinter, StoryConfig
from service.stories.fingerprint import tokens

ROOT = Path(__file__).resolve().parents[3]
FP = Fingerprinter()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Idlib's toll — 47.5% of 60,000", ["idlib", "s", "toll", "47", "5", "of", "60", "000"]),
        ("Médecins Sans Frontières", ["medecins", "sans", "frontieres"]),
        ("دخول ٣٠ شاحنة", ["دخول", "30", "شاحنة"]),
        ("قُتلوا يوم الاثنين", ["قتلوا", "يوم", "الاثنين"]),
        ("об’єкт обʼєкт об'єкт", ["об", "єкт", "об", "єкт", "об", "єкт"]),
        ("МОСКВА, 25 окт.", ["москва", "25", "окт"]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


SAME = [
    (
        "curly apostrophe",
        ("Kyiv’s power grid hit", "Drones hit Kyiv’s grid."),
        ("Kyiv's power grid hit", "Drones hit Kyiv's grid."),
    ),
    (
        "diacritics",
        ("MSF says", "Médecins Sans Frontières said."),
        ("MSF says", "Medecins Sans Frontieres said."),
    ),
    ("harakat, digits", ("مقتل ٧ مدنيين", "قُتلوا يوم الاثنين"), ("مقتل 7 مدنيين", "قتلوا يوم الاثنين")),
    (
        "dateline",
        ("Quake hits Malatya", "ANKARA (Reuters) - A quake hit Malatya."),
        ("Quake hits Malatya", "A quake hit Malatya."),
    ),
    (
        "credits",
        ("Quake hits Malatya", "A quake hit Malatya. (Reporting by D; Editing by R)"),
        ("Quake hits Malatya", "A quake hit Malatya."),
    ),
    (
        "title suffix",
        ("Quake hits Malatya - Reuters", "A quake hit Malatya."),
        ("Quake hits Malatya", "A quake hit Malatya."),
    ),
    (
        "case, dashes",
        ("QUAKE HITS MALATYA", "A quake hit Malatya — again."),
        ("Quake hits Malatya", "A quake hit Malatya - again."),
    ),
]


@pytest.mark.parametrize(("a", "b"), [(a, b) for _, a, b in SAME], ids=[name for name, _, _ in SAME])
def test_what_folds_together(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert FP.text(*a) == FP.text(*b)


def test_numbers_are_kept_apart_and_counted() -> None:
    a = FP.text("Strike kills 12 in Idlib", "Air strikes killed 12 people and wounded 30 in Idlib on Monday.")
    b = FP.text("Strike kills 5 in Idlib", "Air strikes killed 5 people and wounded 30 in Idlib on Monday.")
    assert len(a.numbers) == 2 and len(a.numbers & b.numbers) == 1
    assert a.words != b.words and a.bands != b.bands


@pytest.mark.parametrize(
    ("title", "summary", "bands"),
    [
        ("Air strikes hit Idlib market", "Air strikes hit a crowded market in Idlib on Monday.", 12 + 4),
        ("Idlib", "Air strikes hit a crowded market in Idlib on Monday.", 12),  # short headline
        ("", "Air strikes hit a crowded market in Idlib on Monday.", 12),
        ("The", "and of the in on", 0),  # only stop words: no candidates, always a new story
        ("", "", 0),
    ],
)
def test_band_count(title: str, summary: str, bands: int) -> None:
    assert len(FP.text(title, summary).bands) == bands


def test_band_layout_follows_the_config() -> None:
    config = StoryConfig(text_bands=8, text_rows=4, title_bands=0)
    fp = Fingerprinter(config).text(
        "Air strikes hit Idlib market", "Air strikes hit a crowded market in Idlib."
    )
    assert len(fp.bands) == 8 and all(0 <= b < 2**63 for b in fp.bands)


def test_item_uses_title_and_summary_or_content() -> None:
    item = Item("1", "f", "Quake hits Malatya", "", None, "", "A quake hit Malatya. " * 200)
    assert FP.item(item) == FP.text("Quake hits Malatya", "A quake hit Malatya. " * 200)
    assert len(FP.item(item).words) <= StoryConfig().max_words


def test_bytes_round_trip_and_size() -> None:
    fp = FP.text(
        "Air strikes hit Idlib market, killing 12", "Air strikes hit a market in Idlib, killing 12 people."
    )
    data = fp.to_bytes()
    assert Fingerprint.from_bytes(data) == Fingerprint(fp.words, fp.numbers)
    assert len(data) == 5 + 4 * (len(fp.words) + len(fp.numbers))
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(b"\x09" + data[1:])
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(data[:-1])


GOLDEN = "24796d62e99c1be5c38e24c02b88f3239ee9fe1345129d384ccb59180fea544e"  # scheme 2: 32-bit word hashes
PROBE = (
    "from service.stories import Fingerprinter\n"
    "import hashlib\n"
    "fp = Fingerprinter().text('Air strikes hit Idlib market, killing 12',"
    " 'Air strikes hit a crowded market in Idlib on Monday, killing 12 people.')\n"
    "print(hashlib.sha256(fp.to_bytes() + repr(fp.bands).encode()).hexdigest())\n"
)


def test_hashes_are_stable_here() -> None:
    """A change here orphans every stored signature: bump fingerprint.SCHEME and say so."""
    fp = FP.text(
        "Air strikes hit Idlib market, killing 12",
        "Air strikes hit a crowded market in Idlib on Monday, killing 12 people.",
    )
    assert hashlib.sha256(fp.to_bytes() + repr(fp.bands).encode()).hexdigest() == GOLDEN


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_hashes_are_stable_across_processes(seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == GOLDEN

"""Agency boilerplate goes by its shape; the text around it stays."""

from __future__ import annotations

import pytest

from service.stories.boilerplate import strip_boilerplate, strip_credits, strip_dateline, strip_title

BODY = "Air strikes hit a market on Monday."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"BEIRUT - {BODY}", BODY),
        (f"BEIRUT (Reuters) - {BODY}", BODY),
        (f"KYIV, Nov 27 (Reuters) - {BODY}", BODY),
        (f"KYIV, Ukraine (AP) — {BODY}", BODY),
        (f"KYIV, Ukraine, Nov. 28 (AP) -- {BODY}", BODY),
        (f"Gaza City (Palestinian Territories) (AFP) - {BODY}", BODY),
        (f"(AFP) - {BODY}", BODY),
        (f"GAZA CITY – {BODY}", BODY),
        ("بيروت (رويترز) - قال الدفاع المدني", "قال الدفاع المدني"),
        ("ХАРКІВ, 27 листопада (Укрінформ) – Уночі дрони атакували", "Уночі дрони атакували"),
        ("МОСКВА, 25 окт — РИА Новости. Банк России повысил ставку", "Банк России повысил ставку"),
        ("МОСКВА, 25 октября. /ТАСС/ - Банк России повысил ставку", "Банк России повысил ставку"),
        # not datelines: a hyphenated word, a sentence with a dash, a dash far into the text
        (
            "Opposition-held areas - including Idlib - were hit.",
            "Opposition-held areas - including Idlib - were hit.",
        ),
        ("Russian-backed forces advanced on Monday.", "Russian-backed forces advanced on Monday."),
        ("The U.N. said that the convoy of trucks that left in the morning (local time) - " + BODY,) * 2,
        ("BEIRUT (Reuters) -", "BEIRUT (Reuters) -"),  # nothing after it: keep the text
    ],
)
def test_datelines(raw: str, expected: str) -> None:
    assert strip_dateline(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"{BODY} (Reporting by Lina Haddad; Editing by Tom Baker)", BODY),
        (f"{BODY} (Writing by A; Editing by B) (Additional reporting by C)", BODY),
        (
            "قال الدفاع المدني. (تغطية صحفية خالد يوسف - إعداد سامر حداد للنشرة العربية - تحرير منى عادل)",
            "قال الدفاع المدني.",
        ),
        (f"{BODY} © 2024 The Associated Press. All rights reserved.", BODY),
        (f"{BODY} Copyright © 2024 The Associated Press", BODY),
        (
            "Strikes hit a market, killing at least 12 people and wounding more than 30, rescue wor…",
            "Strikes hit a market, killing at least 12 people and wounding more than 30, rescue",
        ),
        ("the U.N. humanitarian office said...", "the U.N. humanitarian office"),
        ("the U.N. humanitarian office said [...]", "the U.N. humanitarian office said"),  # whole word
        # kept: parentheses inside the text, a closing bracket that does not end a credit
        ("The ministry (in Damascus) said so.", "The ministry (in Damascus) said so."),
        ("It rose to 5 (from 3)", "It rose to 5"),
        ("(Reporting by A)", "(Reporting by A)"),  # nothing else: keep the text
    ],
)
def test_credits(raw: str, expected: str) -> None:
    assert strip_credits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Air strikes hit Idlib market - Reuters", "Air strikes hit Idlib market"),
        ("U.N. convoy crosses into Syria | Daily Levant", "U.N. convoy crosses into Syria"),
        ("Extension vetoed — AP News", "Extension vetoed"),
        (
            "Syria - the latest from a long day in the north",
            "Syria - the latest from a long day in the north",
        ),
        ("Air strikes hit Idlib", "Air strikes hit Idlib"),
        ("- Reuters", "- Reuters"),
    ],
)
def test_titles(raw: str, expected: str) -> None:
    assert strip_title(raw) == expected


def test_links_go_and_both_fields_are_stripped() -> None:
    title, summary = strip_boilerplate(
        " Quake hits Malatya - Reuters ",
        "ANKARA (Reuters) - A quake hit Malatya, https://example.org/a?b=1 says AFAD. (Reporting by D)",
    )
    assert (title, summary) == ("Quake hits Malatya", "A quake hit Malatya,   says AFAD.")

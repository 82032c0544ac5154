"""Expansions: what ``wirewatch check`` warns about, and the cache that makes a warm start fast."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from service.matching import expand
from service.matching.expand import MAX_FORMS
from service.matching.load import expansion_warnings, load_watchlists
from service.matching.matcher import Matcher
from service.matching.schema import Watchlist
from service.matching.terms import compile_spelling
from tests.support.matching import watchlist

# a pasted list of verbs: each inflects on its own, so the forms add up past the limit
SENTENCE = " ".join(
    "обстріляти атакувати знищити захопити звільнити оточити відступити наступати бомбити штурмувати".split()
    + ["обороняти", "евакуювати"]
)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and nothing remembered in memory: a cold start."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", str(folder))
    forget()
    yield folder
    forget()


def forget() -> None:
    expand.forget()
    compile_spelling.cache_clear()


def write(folder: Path, text: str) -> Path:
    (folder / "watchlists").mkdir(parents=True, exist_ok=True)
    (folder / "watchlists" / "w.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder / "watchlists"


def test_check_warns_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = write(
        Path("rules"),
        f"""
        cities:
          - Харків
          - Харкова
          - name: Kharkiv
            aliases: [Ґзвбрхт]
          - {{name: Харкова, inflect: false}}
          - Aleppo
        keywords:
          - "{SENTENCE}"
        channels: [console]
        """,
    )
    watchlists, problems = load_watchlists(folder, None, None)
    assert problems == []  # warnings, not mistakes: the watchlist loads
    assert [str(w) for w in expansion_warnings(watchlists)] == [
        "rules/watchlists/w.yaml:3: warning: term 'Харкова' is not a dictionary form "
        "(it is a form of 'харків'): write that, or set 'inflect: false'",
        "rules/watchlists/w.yaml:4: warning: term 'Ґзвбрхт' has no inflected forms ('Ґзвбрхт': not in "
        "the uk dictionary as written): it matches only as written; check the spelling, or set "
        "'inflect: false'",
        f"rules/watchlists/w.yaml:9: warning: term '{SENTENCE}' has "
        f"{len(compile_spelling(SENTENCE, None).all_variants())} forms (more than {MAX_FORMS}): "  # type: ignore[union-attr]
        "shorten it, or set 'inflect: false'",
    ]


def test_warm_start_reads_the_cache(fresh: Path) -> None:
    Matcher([watchlist(cities=["Aleppo"])])  # nothing to expand: no file
    assert not fresh.exists()
    cold = compile_spelling("Харків", None)
    Matcher([])  # a compile writes what it added
    (path,) = fresh.glob("expansions-*.json")
    entries = json.loads(path.read_text(encoding="utf-8"))
    entry = entries["spelling:None:Харків"]  # the compiled spelling: its key, then its other forms
    assert entry[0] == "харків" and entry[7][0] == "харкова"
    # the file is what a warm start uses: doctor it and see the doctored form come back
    entry[7].append("харкiвськ")
    path.write_text(json.dumps(entries), encoding="utf-8")
    forget()
    warm = compile_spelling("Харків", None)
    assert [v.key for v in warm.all_variants()] == [v.key for v in cold.all_variants()] + ["харкiвськ"]  # type: ignore[union-attr]


def test_cache_key_names_the_library_versions(fresh: Path) -> None:
    cache = expand.shared_cache()
    for package in ("pymorphy3", "pymorphy3-dicts-uk", "pymorphy3-dicts-ru", "wordfreq"):
        assert package in cache.version
    assert f"policy={expand.POLICY}" in cache.version
    assert f"rules={expand.rules_digest()}" in cache.version  # the source of the rules, too


def test_unwritable_cache_is_logged_once_and_matching_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", str(blocker / "cache"))
    forget()
    with capture_logs() as logs:
        first = Matcher([_watchlist("Харків")])
        second = Matcher([_watchlist("Київ")])
    assert [e["event"] for e in logs] == ["expansion_cache_unwritable"]
    assert logs[0]["path"].startswith(str(blocker))
    assert [m.matched for m in first.match_text("у Харкові")] == [{"cities": ["Харків"]}]
    assert [m.matched for m in second.match_text("у Києві")] == [{"cities": ["Київ"]}]
    forget()


def test_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    forget()
    Matcher([_watchlist("Харків")])
    assert expand.shared_cache().path is None
    assert list(tmp_path.iterdir()) == []
    forget()


def test_broken_cache_file_is_ignored(fresh: Path) -> None:
    fresh.mkdir()
    path = expand.shared_cache().path
    assert path is not None
    path.write_text("{not json", encoding="utf-8")
    forget()
    with capture_logs() as logs:
        matcher = Matcher([_watchlist("Харків")])
    assert [e["event"] for e in logs] == ["expansion_cache_unreadable"]
    assert [m.matched for m in matcher.match_text("у Харкові")] == [{"cities": ["Харків"]}]
    assert "spelling:None:Харків" in json.loads(path.read_text(encoding="utf-8"))  # rewritten whole


def _watchlist(city: str) -> Watchlist:
    return watchlist(cities=[city])


@pytest.mark.parametrize(
    "word", ["Харків", "Ірпінь", "Вагнер", "Курск", "обстріляти", "Сирський", "Ґзвбрхт", "Харкова"]
)
def test_one_word_combines_as_any_phrase(word: str) -> None:
    """combine's shortcut for one word gives the phrases, in order, that the general rule gives."""
    from service.matching.morph import WordForms, languages, plain, word_forms

    written = (plain(word),)
    analyses: list[WordForms | None] = [word_forms(word, languages([word]))]
    assert expand.combine(written, analyses) == expand.phrases(written, analyses)
    assert expand.combine(written, [None]) == expand.phrases(written, [None]) == [written]

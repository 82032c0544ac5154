"""The Cyrillic part of the match bench: a 10,000-term Ukrainian and Russian watchlist.

Terms are real dictionary forms: the lemmas (pymorphy3) of words ranked 3,000 to 60,000 in
wordfreq's Ukrainian and Russian lists (1,000 to 8,000 with ``--quick``): 60% single nouns,
30% adjective + noun phrases ("Донецька область"), 10% noun + noun in the genitive
("міністр оборони"). Articles (~4 KB) are words of the 3,000 most frequent (1,000), with an
inflected form of a term (a random case and number, as wire copy has them) about every 250
words. As in the Latin bench, where names never
occur by chance, a term with a form among the article words is left out: a desk's list of
names and places does not hit every article.

That filter works on lemmas, one language at a time, and the article words are both
languages': a Russian word the Ukrainian list carries ("Война", "Пример") becomes a term, and
forms of terms are common words of the other language, so the articles as written ("dense")
hit about six of the ten watchlists by chance (6.1 matches per item with no term planted;
measured). Wire copy does not: a desk's list of names matches an item where a name is. So
every run also matches "sparse" articles, written the same way from the article words that are
no form of a one-word term (pymorphy3 forms, folded): their hits are the planted terms only.

Each run is a fresh child process, so "cold" means what it means for the service: dictionaries
not loaded, nothing in memory. Its peak RSS is read from /proc/self/status (VmHWM): Linux's
ru_maxrss would report at least the parent's, which holds the wordfreq lists. Items/s are in
CPU time (the machine is shared). Three runs on the same files:

- ``inflect: false``: the same terms matched only as written (the baseline: no morphology);
- cold: inflection on, an empty expansion cache folder;
- warm: inflection on, the cache the cold run wrote.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import yaml

RANKS = (3_000, 60_000)
QUICK_RANKS = (1_000, 8_000)


def vocabulary(rng: random.Random, ranks: tuple[int, int] = RANKS) -> tuple[dict[str, list[str]], list[str]]:
    """Candidate terms by kind (``single``, ``adjective``: adjective + noun agreeing in gender,
    ``genitive``: noun + noun in the genitive), each language on its own, and the article words."""
    import pymorphy3
    from wordfreq import top_n_list

    kinds: dict[str, list[str]] = {"single": [], "adjective": [], "genitive": []}
    common: list[str] = []
    for lang in ("uk", "ru"):
        morph = pymorphy3.MorphAnalyzer(lang=lang)
        words = top_n_list(lang, ranks[1])
        common += words[: ranks[0]]
        # lemmas of the article words: a term with one of them would hit every article
        seen = {p.normal_form for word in words[: ranks[0]] for p in morph.parse(word)}
        nouns: list[Any] = []
        adjectives: list[str] = []
        for word in words[ranks[0] :]:
            parse = morph.parse(word)[0]
            lemma = parse.normal_form
            if parse.tag.POS not in ("NOUN", "ADJF") or lemma in seen or len(lemma) < 4:
                continue
            seen.add(parse.normal_form)
            lemma = parse.normal_form if parse.tag.POS == "ADJF" else morph.parse(parse.normal_form)[0]
            (adjectives if parse.tag.POS == "ADJF" else nouns).append(lemma)
        for noun in nouns:
            kinds["single"].append(noun.word.capitalize())
            adjective = morph.parse(rng.choice(adjectives))[0].inflect({noun.tag.gender or "masc", "nomn"})
            if adjective is not None and "plur" not in noun.tag:
                kinds["adjective"].append(f"{adjective.word.capitalize()} {noun.word}")
            dependent = morph.parse(rng.choice(nouns).word)[0].inflect({"gent"})
            if dependent is not None:
                kinds["genitive"].append(f"{noun.word} {dependent.word}")
    for pool in kinds.values():
        rng.shuffle(pool)
    return kinds, common


def make_terms(count: int, kinds: dict[str, list[str]], rng: random.Random) -> list[str]:
    """60% single nouns, 30% adjective + noun, 10% noun + genitive."""
    pools = {kind: iter(pool) for kind, pool in kinds.items()}
    terms: dict[str, None] = {}
    while len(terms) < count:
        roll = rng.random()
        kind = "single" if roll < 0.6 else "adjective" if roll < 0.9 else "genitive"
        terms[next(pools[kind])] = None
    return list(terms)


def write_watchlists(folder: Path, terms: list[str], inflect: bool) -> None:
    """Ten files of ``match: any`` cities, as the Latin bench writes them."""
    per_file = max(1, len(terms) // 10)
    for n in range(10):
        chunk = terms[n * per_file : (n + 1) * per_file]
        cities: list[Any] = chunk if inflect else [{"name": t, "inflect": False} for t in chunk]
        data = {"match": "any", "cities": cities, "exclude": ["футбол"], "channels": ["console"]}
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"cyrillic-{n}.yaml").write_text(text, encoding="utf-8")


def make_articles(count: int, terms: list[str], common: list[str], rng: random.Random) -> list[str]:
    """Articles with inflected forms of terms in them (forms from pymorphy3: real text, not keys)."""
    from service.matching.morph import languages, word_forms

    articles = []
    for _ in range(count):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < 4000:
            if rng.random() < 0.004:
                term = rng.choice(terms).split()
                found = word_forms(term[-1], languages(term))
                words += [*term[:-1], rng.choice(found.forms)]
            else:
                words.append(rng.choice(common))
        articles.append(" ".join(words).capitalize())
    return articles


def sparse_words(common: list[str], terms: list[str]) -> list[str]:
    """The article words that are no form of a one-word term (folded as the matcher folds)."""
    from service.matching.morph import languages, word_forms
    from service.matching.normalize import fold_key

    forms = {fold_key(f) for t in terms if " " not in t for f in word_forms(t, languages([t])).forms}
    forms |= {fold_key(t) for t in terms}
    return [w for w in common if fold_key(w) not in forms]


HEADER = (
    f"{'terms':>7} {'run':<15} {'keys':>8} {'build s':>8} {'cpu s':>6} "
    f"{'dense items/s':>13} {'matches':>7} {'sparse items/s':>14} {'matches':>7} {'peak MB':>8}"
)


def run_child(rules: Path, articles: Path, cache: Path, seconds: float) -> dict[str, Any]:
    """One measured run in a fresh interpreter (``python -m bench.cyrillic RULES ARTICLES S``)."""
    command = [sys.executable, "-m", "bench.cyrillic", str(rules), str(articles), str(seconds)]
    env = {**os.environ, "WIREWATCH_CACHE_DIR": str(cache)}
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(
    terms_count: int, articles_count: int, seconds: float, rng: random.Random, quick: bool
) -> list[str]:
    """Rows for the bench's table: baseline, cold and warm (each in its own process)."""
    pools, common = vocabulary(rng, QUICK_RANKS if quick else RANKS)
    terms = make_terms(terms_count, pools, rng)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = root / "articles.json"
        dense = make_articles(articles_count, terms, common, rng)
        sparse = make_articles(articles_count, terms, sparse_words(common, terms), rng)
        articles.write_text(json.dumps({"dense": dense, "sparse": sparse}), encoding="utf-8")
        for label, inflect, cache in (
            ("inflect: false", False, root / "cache-off"),
            ("cold", True, root / "cache"),
            ("warm", True, root / "cache"),
        ):
            rules = root / f"rules-{inflect}"
            if not rules.exists():
                rules.mkdir()
                write_watchlists(rules, terms, inflect)
            r = run_child(rules, articles, cache, seconds)
            rows.append(
                f"{terms_count:>7} {label:<15} {r['keys']:>8} {r['build']:>8.2f} {r['cpu']:>6.2f} "
                f"{r['dense'][0]:>13.0f} {r['dense'][1]:>7.2f} "
                f"{r['sparse'][0]:>14.0f} {r['sparse'][1]:>7.2f} {r['peak']:>8.0f}"
            )
    return rows


def child(rules: Path, articles_path: Path, seconds: float) -> dict[str, Any]:
    from bench.match_bench import apply_all, rate
    from service.matching.load import load_watchlists
    from service.matching.matcher import Matcher

    sets = json.loads(articles_path.read_text(encoding="utf-8"))
    started, cpu = time.perf_counter(), time.process_time()
    watchlists, problems = load_watchlists(rules, None, {"console"})
    matcher = Matcher(watchlists)
    build, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not problems, problems
    result: dict[str, Any] = {"build": build, "cpu": cpu, "keys": matcher.key_count}
    for name, articles in sets.items():
        matches = sum(len(matcher.match_text(a)) for a in articles) / len(articles)
        speed, _ = rate(partial(apply_all, matcher.match_text, articles), len(articles), seconds)
        result[name] = (speed, matches)
    result["peak"] = own_peak_mb()
    return result


def own_peak_mb() -> float:
    """This process's peak RSS in MB (VmHWM: reset by exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    from bench.match_bench import peak_mb

    return peak_mb()


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))))

"""Why pymorphy3: the measurement that chose the morphology library (issue: "measure both").

``python -m bench.morph_choice`` needs ``simplemma`` installed by hand (``pip install simplemma``;
it is not a project dependency). Each library runs in its own process, so memory is its own.

- quality: for each name in dictionary form, do its inflected forms in wire copy match (pymorphy3:
  the form is among the term's expansion; simplemma: lemmatizing the form gives the name back),
  and do derived words stay apart (Херсонщина is not Херсон);
- speed: pymorphy3 expands a term once, at compile time (terms/s); simplemma can only
  lemmatize, so every word of every item would be lemmatized at match time (tokens/s);
- memory: peak RSS (VmHWM) of the process after loading and using the library.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

FORMS = {
    "Харків": ["Харкові", "Харкова", "Харковом"],
    "Запоріжжя": ["Запоріжжі", "Запоріжжям"],
    "Бахмут": ["Бахмутом", "Бахмуті", "Бахмута"],
    "Ірпінь": ["Ірпені", "Ірпеня", "Ірпенем"],
    "Київ": ["Києві", "Києва", "Києвом"],
    "Львів": ["Львові", "Львова"],
    "Маріуполь": ["Маріуполі", "Маріуполя"],
    "Одеса": ["Одесі", "Одеси"],
    "Суми": ["Сумах", "Сумами"],
    "Авдіївка": ["Авдіївці", "Авдіївку"],
    "Покровськ": ["Покровську", "Покровська"],
    "Гостомель": ["Гостомелі", "Гостомеля"],
    "Курск": ["Курске", "Курска"],
    "Москва": ["Москве", "Москвы", "Москвой"],
    "Белгород": ["Белгороде", "Белгорода"],
    "Вагнер": ["Вагнера", "Вагнером"],
    "Ростов": ["Ростове"],
    "Орёл": ["Орле", "Орла"],
    "Пригожин": ["Пригожина", "Пригожиным"],
    "Кремль": ["Кремле", "Кремля"],
    "Севастополь": ["Севастополе"],
    "Мариуполь": ["Мариуполе"],
    "Харьков": ["Харькове"],
}
DERIVED = [
    ("Херсон", "Херсонщина"),
    ("Херсон", "Херсонщині"),
    ("Харків", "Харківська"),
    ("Київ", "Київщина"),
    ("Донецьк", "Донеччина"),
    ("Курск", "Курская"),
    ("Москва", "московский"),
    ("Белгород", "Белгородская"),
    ("Суми", "Сумщина"),
    ("Москва", "москвич"),
]


def vm_hwm() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_pymorphy3() -> dict[str, object]:
    from service.matching import expand, morph
    from service.matching.normalize import fold_key
    from service.matching.terms import compile_spelling

    def keys(name: str) -> set[str]:
        spelling = compile_spelling(name, None)
        return set() if isinstance(spelling, str) else {v.key for v in spelling.all_variants()}

    started = time.perf_counter()
    expansions = {name: keys(name) for name in FORMS}
    load = time.perf_counter() - started
    found = sum(fold_key(f) in expansions[name] for name, forms in FORMS.items() for f in forms)
    confused = [d for name, d in DERIVED if fold_key(d) in keys(name)]
    terms = [*FORMS, *(d for _, d in DERIVED)]
    started, rounds = time.perf_counter(), 20
    for _ in range(rounds):
        compile_spelling.cache_clear()  # every round expands afresh (dictionaries stay loaded)
        expand._expand_cached.cache_clear()
        morph.word_forms.cache_clear()
        for term in terms:
            keys(term)
    rate = rounds * len(terms) / (time.perf_counter() - started)
    return {"found": found, "confused": confused, "first_use_s": load, "rate": rate, "unit": "terms/s"}


def run_simplemma() -> dict[str, object]:
    import simplemma

    started = time.perf_counter()
    simplemma.lemmatize("тест", lang=("uk", "ru"))
    load = time.perf_counter() - started

    def same(form: str, name: str) -> bool:
        return bool(simplemma.lemmatize(form, lang=("uk", "ru")).lower() == name.lower())

    found = sum(same(f, name) for name, forms in FORMS.items() for f in forms)
    confused = [d for name, d in DERIVED if same(d, name)]
    tokens = [w for forms in FORMS.values() for w in forms] * 2000
    started = time.perf_counter()
    for token in tokens:
        simplemma.lemmatize(token, lang=("uk", "ru"))
    rate = len(tokens) / (time.perf_counter() - started)
    return {"found": found, "confused": confused, "first_use_s": load, "rate": rate, "unit": "tokens/s"}


def main() -> int:
    total = sum(len(forms) for forms in FORMS.values())
    print(f"{total} inflected forms of {len(FORMS)} names, {len(DERIVED)} derived words")
    for name in ("pymorphy3", "simplemma"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.morph_choice", name], capture_output=True, text=True, check=False
        )
        if out.returncode:
            print(f"{name}: not measured ({out.stderr.strip().splitlines()[-1]})")
            continue
        r = json.loads(out.stdout)
        print(
            f"{name:<10} forms found {r['found']}/{total}, derived words taken for the name "
            f"{len(r['confused'])} {r['confused']}, first use {r['first_use_s']:.2f} s, "
            f"{r['rate']:,.0f} {r['unit']}, peak {r['peak']:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2:
        result = run_pymorphy3() if sys.argv[1] == "pymorphy3" else run_simplemma()
        print(json.dumps({**result, "peak": vm_hwm()}, ensure_ascii=False))
        raise SystemExit(0)
    raise SystemExit(main())

"""Pay grades: the quick test (flags.json salary.pay_grade_start) lets through every line the
grade pattern matches in, so skipping the others changes no answer."""

from __future__ import annotations

import re

import pytest

from jobscope.resources import load_json
from jobscope.salary import _grade_in, find_pay_grade
from tests.conftest import case_ads, corpus_ad_texts

RULES = load_json("flags.json")["salary"]
GRADE = re.compile(RULES["pay_grade"])
START = re.compile(RULES["pay_grade_start"])

# One line for each way the pattern begins, and near misses.
GRADES = {
    "Vergütung nach TVöD E11": "TVöD E11",
    "TVöD-VKA E 9b": "TVöD-VKA E 9b",
    "TVöD Bund EG 12": "TVöD Bund EG 12",
    "Eingruppierung TV-L EG 13": "TV-L EG 13",
    "nach TVL 10": "TVL 10",
    "TV-H E 9": "TV-H E 9",
    "TVH: 8": "TVH: 8",
    "TV-V Entgeltgruppe 5": "TV-V Entgeltgruppe 5",
    "TV-N 7": "TV-N 7",
    "TV-AöD S 6": "TV-AöD S 6",
    "TV Ärzte 2": "TV Ärzte 2",
    "TVÄrzte P 3": "TVÄrzte P 3",
    "AVR 8": "AVR 8",
    "KAVO 9": "KAVO 9",
    "BAT IVa": None,
    "BAT 4": "BAT 4",
    "Besoldungsgruppe A 13": "Besoldungsgruppe A 13",
    "Entgeltgruppe 9b": "Entgeltgruppe 9b",
    "Vergütungsgruppe 5 Ü": "Vergütungsgruppe 5 Ü",
    "EG\u00a011": "EG 11",
    "Tarifgruppe 3": "Tarifgruppe 3",
    "A13 nach LBesO": "A13",
    "A\t14, verbeamtet": "A 14",
    "A 12 (besoldung nach BBesO)": "A 12",
    "A 12 ohne Hinweis": None,
    "XTVöD E11 und ATV-L 13": None,
    "tvöd e11": None,
    "Teamgröße 11": None,
}


def _corpus_lines() -> list[str]:
    """The lines of the shipped corpus ads, the examples and the fixture ads."""
    texts = corpus_ad_texts()
    for ad in case_ads():
        texts += [ad.title, ad.description]
    return [line for text in texts for line in text.splitlines()]


@pytest.mark.parametrize(("line", "grade"), GRADES.items())
def test_grades_are_found_past_the_quick_test(line: str, grade: str | None) -> None:
    m = GRADE.search(line)
    assert (re.sub(r"\s+", " ", m.group(0)).strip() if m else None) == grade  # the plain pattern
    assert _grade_in(line) == grade
    assert find_pay_grade(line) == grade
    if m:
        assert START.search(line), "the quick test would skip a line with a grade"


def test_the_quick_test_skips_no_grade_of_the_corpus() -> None:
    lines = _corpus_lines()
    with_grade = [line for line in lines if GRADE.search(line)]
    assert with_grade  # the corpus has public-sector ads
    for line in with_grade:
        assert START.search(line), line
    for line in lines:
        m = GRADE.search(line)
        assert _grade_in(line) == (re.sub(r"\s+", " ", m.group(0)).strip() if m else None)

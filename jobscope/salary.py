"""Salaries as ads write them: "45.000 - 55.000 EUR brutto/Jahr", "3.500 EUR/Monat", "60-70k",
"ab 18 EUR pro Stunde", "$70,000 – $85,000 per year", "£28k", pay grades ("TVöD E11").

The result has the shape of the JSON-LD salary (extract.salary_from_jsonld): ``min``, ``max``,
``currency`` (ISO 4217 where the ad is unambiguous, else the symbol as written, e.g. "$"),
``unit`` (schema.org unitText: HOUR, DAY, WEEK, MONTH, YEAR, or None), plus ``pay_grade``,
``text`` (the quoted span) and ``source`` ("text").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jobscope.prefilter import word_list
from jobscope.resources import load_json

_CURRENCIES: dict[str, str] = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "teur": "EUR", "t€": "EUR",
    "£": "GBP", "gbp": "GBP", "pfund": "GBP", "pounds": "GBP",
    "usd": "USD", "us$": "USD", "dollar": "$", "dollars": "$", "$": "$",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "c$": "CAD", "ca$": "CAD", "cad": "CAD",
    "chf": "CHF", "fr.": "CHF", "franken": "CHF",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "kr": "kr", "pln": "PLN", "zł": "PLN",
}  # fmt: skip
_CUR = r"(?:US\$|AU\$|A\$|CA\$|C\$|€|\$|£|EUR|USD|GBP|CHF|AUD|CAD|SEK|NOK|DKK|PLN|zł|T€|TEUR)"
_CUR_WORD = r"(?:Euros?|Dollars?|Pfund|pounds|Franken|Fr\.|kr)\b"
_NUM = r"\d{1,3}(?:[.,'’\u202f\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_THOUSANDS = r"(?:k|K|Tsd\.?|tsd\.?|TEUR|T€)(?![a-zA-Z])"
_AMOUNT = (
    rf"(?P<@cur1>{_CUR})?\s?(?P<@num>{_NUM})(?P<@k>\s?{_THOUSANDS})?"
    rf"(?:\s?(?P<@cur2>{_CUR}|{_CUR_WORD}))?"
)
_RANGE = re.compile(
    r"(?P<lead>\b(?i:ab|from|bis zu|up to|starting at|mindestens|at least|ca\.|circa|rund|"
    r"around|approx\.?)\s+)?"
    + _AMOUNT.replace("@", "a")
    + r"(?:\s*(?:-|–|—|bis|to|and|und)\s*"
    + _AMOUNT.replace("@", "b")
    + r")?",
)
_PERIODS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (unit, re.compile(pattern, re.IGNORECASE))
    for unit, pattern in (
        ("HOUR", r"stunde|\bstd\b|\bhours?\b|\bhr\b|/\s?h\b|hourly|stundenlohn|stundensatz"),
        ("DAY", r"\btag\b|tages|\bday\b|daily|/\s?d\b"),
        ("WEEK", r"woche|\bweek\b|weekly"),
        ("MONTH", r"monat|month|\bmtl\b|/\s?mo\b|\bpcm\b|\bp\.?\s?m\.?(?=\W|$)"),
        ("YEAR", r"jahr|jährlich|\byear|annum|annual|\byr\b|\bp\.?\s?a\.?(?=\W|$)|/\s?a\b"),
    )
)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    data = load_json("flags.json")["salary"]
    return {
        "cues": word_list(data["cues"]),
        "benefits": word_list(data["benefit_words"]),
        "pay_grade": re.compile(data["pay_grade"]),
        "pay_grade_start": re.compile(data["pay_grade_start"]),
        "plausible": {unit: tuple(bounds) for unit, bounds in data["plausible"].items()},
    }


_GROUPING = re.compile(r"[\s'’\u202f\u00a0]")
"""Thousands separators that parse_number drops (spaces, apostrophes)."""


def parse_number(text: str) -> float | None:
    """A number as ads write it: "45.000" and "45,000" -> 45000, "18,50" -> 18.5,
    "3.500,00" -> 3500, "45 000" -> 45000."""
    s = _GROUPING.sub("", text)
    if not s:
        return None
    if "." in s and "," in s:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        s = s.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    else:
        for sep in ".,":
            if sep in s:
                head, *rest = s.split(sep)
                if len(head) <= 3 and rest and all(len(p) == 3 for p in rest):
                    s = s.replace(sep, "")
                else:
                    s = s.replace(sep, ".")
    try:
        return float(s)
    except ValueError:
        return None


def _currency(*symbols: str | None) -> str | None:
    for symbol in symbols:
        if symbol:
            return _CURRENCIES.get(symbol.strip().lower(), symbol.strip())
    return None


def _period(after: str, before: str) -> str | None:
    """The pay period named right after the amount (the nearest word), else right before it
    (the last word): "3.500 EUR/Monat", "Stundenlohn 18 €"."""
    found = [(m.start(), unit) for unit, rx in _PERIODS if (m := rx.search(after))]
    if found:
        return min(found)[1]
    found = [(m.end(), unit) for unit, rx in _PERIODS for m in rx.finditer(before)]
    return max(found)[1] if found else None


def _amounts(m: re.Match[str]) -> tuple[float | None, float | None, str | None, bool]:
    """(low, high, currency, has_money_marker) of one range match."""
    low = parse_number(m.group("anum"))
    high = parse_number(m.group("bnum")) if m.group("bnum") else None
    k_low, k_high = bool(m.group("ak")), bool(m.group("bk"))
    if k_high and not k_low and low is not None and high is not None and low < high:
        k_low = True  # "60-70k"
    if k_low and low is not None:
        low *= 1000
    if k_high and high is not None:
        high *= 1000
    currency = _currency(m.group("acur1"), m.group("acur2"), m.group("bcur1"), m.group("bcur2"))
    for key in ("ak", "bk"):
        if m.group(key) and m.group(key).strip().upper() in {"TEUR", "T€"}:
            currency = "EUR"
    marker = currency is not None or k_low or k_high
    return low, high, currency, marker


_DIGIT = re.compile(r"\d")
"""Every amount has a digit (see _NUM), and so has every pay grade: a line without one has
neither."""
_MONEY: tuple[re.Pattern[str], ...] = (
    re.compile(_CUR),
    re.compile(_CUR_WORD),
    re.compile(rf"\d\s?{_THOUSANDS}"),
)
"""An amount counts only with a currency or a thousands mark (see _amounts): a line without
one of them anywhere has no salary. Three patterns tried one after the other (a line has
money when one of them matches, as with their alternation): each starts with a literal or a
digit, which lets `re` skip ahead to the places where it can start, while their alternation
is tried in full at every position of the line (three times as slow)."""


def _has_money(line: str) -> bool:
    return any(pattern.search(line) for pattern in _MONEY)


def _first_candidate(line: str) -> dict[str, Any] | None:
    """The first amount of a line (one with a digit) that counts as a salary, or None: the
    salary parse_salary takes from the line (all its amounts share the line's pay word, so the
    first with a pay word is the first)."""
    if not _has_money(line):
        return None
    rules = _rules()
    cue: bool | None = None

    def names_pay() -> bool:
        """Does the line name pay? Read only when an amount's answer depends on it: the list of
        pay words is slow to run, and most amounts name their period and are plausible."""
        nonlocal cue
        if cue is None:
            cue = bool(rules["cues"].search(line))
        return cue

    for m in _RANGE.finditer(line):
        low, high, currency, marker = _amounts(m)
        if not marker or low is None:
            continue
        before, after = line[max(0, m.start() - 45) : m.start()], line[m.end() : m.end() + 30]
        if rules["benefits"].search(line[max(0, m.start() - 25) : m.end() + 20]):
            continue  # "Pflanzenbudget von 300 €", "a €120 allowance"
        unit = _period(after, before)
        if unit is None and max(low, high or 0) >= 10000 and (currency or names_pay()):
            unit = "YEAR"  # "£28,000 - £32,000", "Gehalt: 60-70k"
        if unit is None and not names_pay():
            continue  # "20k views", "a $1,500 stipend": no pay word and no period
        lead = (m.group("lead") or "").strip().lower()
        if high is None and lead in {"bis zu", "up to"}:
            low, high = None, low
        elif high is None and lead not in {"ab", "from", "starting at", "mindestens", "at least"}:
            high = low
        value = max(v for v in (low, high) if v is not None)
        bounds = rules["plausible"].get(unit or "", None)
        plausible = bounds is not None and bounds[0] <= value <= bounds[1]
        if not (plausible or (value >= 1 and names_pay())):
            continue  # an implausible amount without a pay word: "Team-Events ab 20 € im Monat"
        return {
            "min": low,
            "max": high,
            "currency": currency,
            "unit": unit,
            "text": m.group(0).strip(),
        }
    return None


def _grade_in(line: str) -> str | None:
    """The first pay grade of a line. The grade pattern begins with a word boundary, which
    leaves `re` nothing to skip ahead to: it is tried at every position of the line. So it
    runs only on a line with a piece of text that every grade has (pay_grade_start, which
    begins with letters `re` can skip ahead to); most lines with a digit have none."""
    rules = _rules()
    if not rules["pay_grade_start"].search(line):
        return None
    m = rules["pay_grade"].search(line)
    return re.sub(r"\s+", " ", m.group(0)).strip() if m else None


def find_pay_grade(text: str) -> str | None:
    """A public-sector pay grade ("TVöD E11", "TV-L EG 13", "Entgeltgruppe 9b")."""
    if not _DIGIT.search(text):
        return None  # a pay grade ends in its number
    return _grade_in(text)


def parse_salary(lines: list[str]) -> dict[str, Any] | None:
    """The first salary an ad states in its lines, or None.

    An amount counts when its line names pay ("Gehalt", "salary", "brutto", "we pay") or
    names a period that makes the amount plausible pay; amounts next to benefit words
    ("Budget", "allowance", "Zuschuss") do not. A pay grade counts on its own."""
    numbered = [line for line in lines if _DIGIT.search(line)]  # amounts and grades have digits
    grade_line, grade = next(
        ((line, named) for line in numbered if (named := _grade_in(line))), (None, None)
    )
    best: dict[str, Any] | None = None
    for line in numbered:
        best = _first_candidate(line)
        if best is not None:
            best["text"] = _quote(line, best["text"])
            break
    if best is None and grade is None:
        return None
    result: dict[str, Any] = best or {"min": None, "max": None, "currency": "EUR", "unit": None}
    result["pay_grade"] = grade
    if best is None and grade_line is not None:
        result["text"] = _quote(grade_line, grade or "")
    result["source"] = "text"
    return result


def _quote(line: str, span: str, width: int = 100) -> str:
    """The line as evidence, cut around the span when it is long."""
    line = line.strip()
    if len(line) <= width:
        return line
    at = max(0, line.find(span))
    start = max(0, at - 40)
    return ("…" if start else "") + line[start : start + width].strip() + "…"

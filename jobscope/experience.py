"""Years of experience an ad demands with a platform or tool, in German and English.

"mind. 3 Jahre Erfahrung mit TikTok", "5+ years of Threads experience", "drei Jahre",
"Du bespielst Threads schon seit mindestens drei Jahren", "3-5 years" (the lower bound counts).
A company's own age ("wir sind seit über 50 Jahren am Markt") is not a demand: a sentence counts
only when it has an experience cue, or addresses the candidate without speaking of the company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from jobscope.normalize import contains_any
from jobscope.platforms import _table_date, _whole_words, find_platforms, platforms
from jobscope.prefilter import Prefiltered, needles_in, word_list
from jobscope.resources import load_json
from jobscope.segment import split_sentences

NUMBER_WORDS: dict[str, float] = {
    "ein": 1, "einem": 1, "einen": 1, "eine": 1, "einer": 1, "anderthalb": 1.5, "eineinhalb": 1.5,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8,
    "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwoelf": 12, "fünfzehn": 15, "zwanzig": 20,
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
_NUM = r"\d{1,2}(?:[.,]5)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_UNITS: dict[str, str] = {"jahr": r"jahre?n?", "j.": r"j\.", "year": r"years?", "yr": r"yrs?"}
"""The units of YEARS, each by the text every match of it begins with (in lower case)."""
YEARS = re.compile(
    rf"(?<![\w.,])(?P<n>{_NUM})\s*\+?\s*(?:(?:-|–|bis|to|or|oder)\s*(?:{_NUM})\s*\+?\s*)?"
    rf"(?:{'|'.join(_UNITS.values())})(?:['’]s?)?(?!\w)",
    re.IGNORECASE,
)


def has_unit(text: str) -> bool:
    """Can YEARS match in `text`? Only where it has a unit's first letters: "jahr", "j.",
    "year" or "yr" in any case. str.lower() keeps them: every character that re.IGNORECASE
    equates with one of their letters lowers to that very letter (a test checks all of them).

    YEARS tries a lookbehind and fifty number words at every position of a text (slow), and
    the word lists' needles cannot sort the texts out for it: its only needle is the "j" of
    "j.", which most German sentences have. A few substring tests can."""
    return contains_any(text.lower(), _UNITS)


@dataclass(frozen=True)
class Subject:
    """A platform or tool with the earliest day it can have been used."""

    id: str
    name: str
    launched: date


@dataclass(frozen=True)
class ExperienceDemand:
    years: float
    subject: Subject
    evidence: str

    def age_on(self, day: date) -> float:
        return (day - self.subject.launched).days / 365.25

    def impossible_on(self, day: date) -> bool:
        """More years demanded than the platform or tool had existed on `day`."""
        return self.years > self.age_on(day)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Prefiltered]:
    data = load_json("flags.json")["experience"]
    keys = ("cues", "second_person", "company", "demand_verbs")
    return {key: word_list(data[key]) for key in keys}


@lru_cache(maxsize=1)
def _tools() -> tuple[tuple[Prefiltered, Subject], ...]:
    """Each tool's aliases, prefiltered: a sentence names few tools or none, and the needle
    test rules out the others without running their patterns on it."""
    out = []
    for tool in load_json("tools.json")["tools"]:
        launched = _table_date(tool.get("launched"), latest=False)
        if tool.get("aliases") and launched:
            subject = Subject(tool["id"], tool["name"], launched)
            out.append((Prefiltered(_whole_words(tool["aliases"], re.IGNORECASE)), subject))
    return tuple(out)


def years_of(text: str) -> float | None:
    """The smallest number of years `text` demands ("3-5 Jahre" -> 3), or None."""
    if not has_unit(text):
        return None
    values = [_value(m.group("n")) for m in YEARS.finditer(text)]
    found = [v for v in values if v is not None and 0 < v <= 40]
    return min(found) if found else None


def _value(word: str) -> float | None:
    word = word.lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    try:
        return float(word.replace(",", "."))
    except ValueError:
        return None


def is_demand(sentence: str) -> bool:
    """Does a sentence with a number of years ask the candidate for experience (and not tell
    the company's age)?"""
    rules = _rules()

    def says(key: str) -> bool:  # each list is read only when the answer still depends on it
        return bool(rules[key].search(sentence))

    if says("company"):
        # "Wir erwarten 5 Jahre Erfahrung" is a demand; "Mit über 50 Jahren Erfahrung sind wir
        # Ihr Partner" and "der Kanal unseres Betriebs, der seit 25 Jahren ..." are not.
        return says("demand_verbs") or (says("second_person") and says("cues"))
    return says("second_person") or says("demand_verbs") or says("cues")


def subjects_in(sentence: str) -> list[Subject]:
    """Platforms and tools with a launch date named in a sentence; a tool or format name
    ("Instagram Reels") wins over the platform it belongs to."""
    found: list[Subject] = []
    spans: list[tuple[int, int]] = []
    present = needles_in(sentence)  # looked up once for all the tools
    for pattern, subject in _tools():
        for m in pattern.finditer_with(sentence, present):
            spans.append(m.span())
            if subject not in found:
                found.append(subject)
    table = platforms()
    for pid, _alias, position, link in find_platforms(sentence):
        if link or any(start <= position < end for start, end in spans):
            continue
        platform = table[pid]
        if platform.launched is not None:
            subject = Subject(pid, platform.name, platform.launched)
            if subject not in found:
                found.append(subject)
    return found


def sentences(text: str) -> list[str]:
    """The sentences of each line (segment's splitter: "z. B.", "mind." do not end one)."""
    return [s for line in text.splitlines() for s in split_sentences(line)]


def experience_demands(texts: list[str]) -> list[ExperienceDemand]:
    """Every (years, platform or tool) pair the texts demand, one per subject and sentence."""
    out: list[ExperienceDemand] = []
    for text in texts:
        if not has_unit(text):
            continue  # no number of years in any of its sentences (each is part of the text)
        for sentence in sentences(text):
            years = years_of(sentence)
            if years is None or not is_demand(sentence):
                continue
            out.extend(ExperienceDemand(years, s, sentence) for s in subjects_in(sentence))
    return out

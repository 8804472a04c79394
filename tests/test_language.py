"""Language detection: counting a text's function words by its lines and their pieces, from
memory, gives the counts of reading the whole lowered text at once."""

from __future__ import annotations

import re

import pytest

from jobscope.language import detect_language, function_words
from jobscope.resources import load_json
from tests.conftest import case_ads, corpus_ad_texts

_WORD = re.compile(r"[a-zäöüß]+")


def _plain_counts(text: str) -> tuple[int, int]:
    """The counts as detect_language read them before: the whole lowered text word by word."""
    lexicon = load_json("language.json")
    de_words, en_words = set(lexicon["de"]), set(lexicon["en"])  # "in" is in both: German
    de = en = 0
    for word in _WORD.findall(text.lower()[:20000]):
        if word in de_words:
            de += 1
        elif word in en_words:
            en += 1
    return de, en


EDGES = [
    "",
    "\n\n",
    "Die Aufgaben und the tasks in der Agentur",
    "IN DER DIE\u2028UND",  # a line separator that is not a line break of split("\n")
    "Straße2die\tder\r\nund,the;and(das)",
    "İn der İstanbul-Agentur",  # "İ" lowers to two characters
    "ΣΑΣ die the and",
    "die " * 5000,  # longer than the limit: read as a whole, cut at the limit
    "x" * 19_998 + " die der das",
    "İ" * 6000 + " die der das",  # short, but longer than the limit in lower case
    "Das Team\nDas Team\nthe team",
]


def _texts() -> list[str]:
    texts = [*EDGES, *corpus_ad_texts()]
    for ad in case_ads():
        texts += [ad.description, f"{ad.title}\n{ad.description}"]
    return texts


@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_count_as_the_plain_reading(text: str) -> None:
    assert function_words(text) == _plain_counts(text)
    assert function_words(text) == _plain_counts(text)  # again, from memory


def test_corpus_texts_count_as_the_plain_reading() -> None:
    texts = _texts()
    for text in texts + texts:  # the second round reads the lines from memory
        assert function_words(text) == _plain_counts(text), text[:80]


def test_a_full_memory_starts_anew_without_losing_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memory smaller than a text's pieces is cleared while the text is read: the counts
    stay those of the plain reading."""
    import jobscope.language as language

    monkeypatch.setattr(language, "_PIECE_CACHE_SIZE", 5)
    monkeypatch.setattr(language, "_in_piece", {})
    monkeypatch.setattr(language, "_in_line", {})
    for text in _texts()[:40]:
        assert function_words(text) == _plain_counts(text), text[:80]
        assert len(language._in_piece) <= 5


def test_detect_language() -> None:
    assert detect_language("Wir suchen dich für unser Team und die Agentur") == "de"
    assert detect_language("We are looking for you to join the team and our agency") == "en"
    assert detect_language("Social Media Manager") == "other"
    assert detect_language("in in in") == "de"

"""Text normalisation: the fast paths give the results of the plain forms they replace."""

from __future__ import annotations

import html
import unicodedata

import pytest

from jobscope.normalize import (
    _BLANK_LINES,
    _INVISIBLE,
    _MULTISPACE,
    _SPACES,
    GENDER_TAG,
    clean_text,
    model_text,
    repair_mojibake,
    without_gender_tag,
)
from tests.conftest import case_ads, corpus_item_texts


def _reference_clean_text(text: str) -> str:
    """clean_text as it was before its steps learnt to skip texts they do not change."""
    text = repair_mojibake(text)
    text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = _MULTISPACE.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


_LINE_BREAKS = [
    "a\r\nb\rc\nd",
    "a\r\r\nb",
    "a\u2028b\u2029c",
    "a\r\u2028\u2029\r\n\rb",
    "Aufgaben\u2029\u2029\u2029- Posts\u2028- Reels\r\n\r\n\r\nProfil",
    "\r\n\u2029 x \u2028",
]


def _texts() -> list[str]:
    texts = list(_LINE_BREAKS)
    for ad in case_ads():
        texts += [ad.title, ad.description, ad.description.replace("\n", "\r\n")]
    return texts


@pytest.mark.parametrize("text", _texts())
def test_clean_text_cleans_as_the_plain_steps(text: str) -> None:
    assert clean_text(text) == _reference_clean_text(text)


def test_without_gender_tag_drops_the_tags_only() -> None:
    for text in [*_texts(), "Manager (m/w/d)", "Redakteur m/w/d", "(all genders) Lead", "a/b"]:
        for line in text.splitlines():
            assert without_gender_tag(line) == GENDER_TAG.sub("", line), line


def test_hyphens_between_words_as_the_look_behind_reads_them() -> None:
    """The hyphen pattern, written to skip ahead to hyphens, replaces exactly the hyphens and
    slashes that the plain look-behind form finds, on every corpus item and on edge cases."""
    import re

    from jobscope.normalize import _HYPHEN_BETWEEN_WORDS

    plain = re.compile(r"(?<=\w)[-‐‑–/](?=\w)")
    texts = corpus_item_texts()
    texts += [
        "a-b-c",
        "a--b",
        "-a-",
        "ä–ß",
        "1/2",
        "x‐y‑z–w/v",
        "_-_",
        "a -b",
        "a- b",
        "é-\u0301",
        "",
    ]
    changed = 0
    for text in texts:
        assert _HYPHEN_BETWEEN_WORDS.sub(" ", text) == plain.sub(" ", text), text
        changed += plain.search(text) is not None
    assert changed > 100  # the corpus has many compounds to split
    assert (
        model_text("Social-Media-Redakteur/in für B2B-Kund*innen")
        == "social media redakteur für b0b kund"
    )

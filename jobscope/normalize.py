"""Text normalisation that survives real ads.

`clean_text` repairs what ads arrive with (mojibake, entities, odd spaces, soft
hyphens, Windows line endings) and keeps the words as written. `model_text`
is the classifier's view of a text: lower case, gender forms folded,
compounds split; it is part of the pickled model, so keep its behaviour stable.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# Characters that are not there for a reader: zero-width spaces and joiners, BOMs, soft hyphens.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Every kind of space but the newline becomes a plain space.
_SPACE_CHARS = "\t\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_SPACE_CHARS}]")
_MULTISPACE = re.compile(" {2,}")
_BLANK_LINES = re.compile("\n{3,}")
_MOJIBAKE_LEADS = "ÃÂâ"
"""Every match of _MOJIBAKE_HINT starts with one of these."""
_MOJIBAKE_HINT = re.compile(
    f"[{_MOJIBAKE_LEADS}][\u0080-\u00bf\u2000-\u203f\u20ac\u0152-\u0178]|â€"
)


def contains_any(text: str, pieces: Iterable[str]) -> bool:
    """Does `text` contain one of `pieces` (characters of a string, or longer pieces)?

    A few `in` tests are far cheaper than a regular expression that scans a whole ad for a
    character class or an alternation (and a character wider than any of the text's is
    answered at once), so the substitutions below, and the prefilters elsewhere, run a pattern
    only where it can act. A plain loop: any() over a generator costs more than the tests."""
    for piece in pieces:  # noqa: SIM110 (a loop, not any(): see above)
        if piece in text:
            return True
    return False


def repair_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as Latin-1/cp1252 ("fÃ¼r" -> "für")."""
    if not contains_any(text, _MOJIBAKE_LEADS) or not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy  # lazy: only texts that look broken pay for it

    return ftfy.fix_encoding(text)


def clean_text(text: str, *, unescape: bool = True) -> str:
    """Normalise a text for reading: entities, spaces, invisible characters, line endings."""
    text = repair_mojibake(text)
    if unescape and "&" in text:
        text = html.unescape(text)
    # Each replacement only where its character is: a replace that finds nothing still costs
    # several times the test (none of the replacements makes a character another one looks for).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text:
        text = text.replace("\u2028", "\n")
    if "\u2029" in text:
        text = text.replace("\u2029", "\n\n")
    if contains_any(text, _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    if contains_any(text, _SPACE_CHARS):
        text = _SPACES.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    if "  " in text:  # a run of spaces never spans lines: one pass over the whole text
        text = _MULTISPACE.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    # Collapse runs of blank lines to one (lines are stripped, so a blank line is empty).
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def one_line(text: str) -> str:
    """Collapse all whitespace of a text to single spaces."""
    return " ".join(text.split())


# Gender tags of titles: (m/w/d), (w/m/d), (m/f/d), (all genders), (gn) ...
GENDER_TAG = re.compile(
    r"\(\s*(?:[mwfdxi]\s*[/|,]\s*){1,3}[mwfdxi]\s*\)"
    r"|\(\s*(?:all\s+genders?|alle\s+geschlechter|gn|genderneutral|d)\s*\)"
    r"|\b(?:[mwfd]\s*/\s*){2}[mwfdx]\b",
    re.IGNORECASE,
)
# In-word gender forms: Manager:in, Mitarbeiter*innen, Kolleg_innen, Follower/-innen, NutzerInnen.
_GENDER_SUFFIX = re.compile(r"(?<=[a-zäöüß])(?:[:*_·]|/-?)(in(?:nen)?)\b", re.IGNORECASE)
_BINNEN_I = re.compile(r"(?<=[a-zäöüß])In(nen)?\b")


# What each gender pattern cannot match without: a cheap test skips the pattern (most texts
# have no gender form at all).
_TAG_MARKS = "(/"
_SUFFIX_MARKS = ":*_·/"


def _may_have_tag(text: str) -> bool:
    return contains_any(text, _TAG_MARKS)


def _may_have_suffix(text: str) -> bool:
    return contains_any(text, _SUFFIX_MARKS)


def has_gender_form(text: str) -> bool:
    """Does `text` carry a gender tag ((m/w/d) ...) or an in-word form (Manager:in, NutzerInnen)?"""
    return bool(
        (_may_have_tag(text) and GENDER_TAG.search(text))
        or (_may_have_suffix(text) and _GENDER_SUFFIX.search(text))
        or ("In" in text and _BINNEN_I.search(text))
    )


def without_gender_tag(text: str) -> str:
    """`text` without its gender tags ("Manager (m/w/d)" -> "Manager ")."""
    return GENDER_TAG.sub("", text) if _may_have_tag(text) else text


def fold_gender(text: str) -> str:
    """Fold gender forms for matching: "Manager:in" -> "Manager", "Kolleg*innen" -> "Kolleg"."""
    if _may_have_tag(text):
        text = GENDER_TAG.sub(" ", text)
    if _may_have_suffix(text):
        text = _GENDER_SUFFIX.sub("", text)
    return _BINNEN_I.sub("", text) if "In" in text else text


_HYPHEN_BETWEEN_WORDS = re.compile(r"[-‐‑–/](?<=\w[-‐‑–/])(?=\w)")
"""A hyphen or slash between word characters. The character class comes first, so `re` skips
to the next hyphen at C speed; a pattern that opens with the look-behind is tried at every
position (three times the time on an item)."""
_NUMBERS = re.compile(r"\d+")


def model_text(text: str) -> str:
    """The classifier's view of an item text (used inside the pickled pipeline)."""
    text = fold_gender(text)
    text = _HYPHEN_BETWEEN_WORDS.sub(" ", text)
    text = _NUMBERS.sub("0", text)
    return text.lower()


# Characters that re.IGNORECASE treats as equal to another letter although str.lower() keeps
# them apart (re's extra case pairs: dotless i, long s, old Cyrillic letter forms), and the
# dotted capital I, whose lower case is two characters. tests/test_platforms.py checks this
# table against re itself for every letter of the prefilters' needles (resources, platforms).
_IGNORECASE_EXTRA = str.maketrans(
    {
        "\u0130": "i",  # İ
        "\u0131": "i",  # ı
        "\u017f": "s",  # ſ
        "\u1c80": "\u0432",  # ᲀ -> в
        "\u1c82": "\u043e",  # ᲂ -> о
        "\u1c84": "\u0442",  # ᲄ -> т
        "\u1c85": "\u0442",  # ᲅ -> т
    }
)
_IGNORECASE_EXTRA_CHARS = "\u0130\u0131\u017f\u1c80\u1c82\u1c84\u1c85"


def fold_case(text: str) -> str:
    """`text` in lower case such that a case-insensitive regular expression of literal words
    can match in `text` only where the folded words occur in the result, at the same places.

    Used by prefilters that decide cheaply which patterns can match at all; str.lower() alone
    would miss the few characters that re.IGNORECASE equates with a letter but lower() does not.
    """
    if not text.isascii() and contains_any(text, _IGNORECASE_EXTRA_CHARS):
        text = text.translate(_IGNORECASE_EXTRA)
    return text.lower()

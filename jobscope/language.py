"""Language of an ad: German, English or other, by the function words it uses."""

from __future__ import annotations

import re
from functools import lru_cache

from jobscope.resources import load_json

_WORD = re.compile(r"[a-zäöüß]+")
_LIMIT = 20000
"""Characters of a text (in lower case) that detect_language reads."""
_MAX_GROWTH = 3
"""Characters one character can become in lower case (Unicode's special casings: "İ" becomes
two; CPython keeps room for three)."""
_LINE_CACHE_SIZE = 20_000
"""Lines whose counts are remembered: an ad's report and its flags read the same lines."""
_PIECE_CACHE_SIZE = 200_000
"""Pieces of lines whose counts are remembered (a batch's vocabulary)."""

_EN = 1 << 32
"""A piece's or line's counts are one int, de + en * _EN: one sum adds both (a line of an ad
has far fewer than 2**32 words)."""

_in_line: dict[str, int] = {}
_in_piece: dict[str, int] = {}


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """The German function words, and the English ones that are not German too: a word of
    both lists ("in") counts as German."""
    data = load_json("language.json")
    de_words = frozenset(data["de"])
    return de_words, frozenset(data["en"]) - de_words


def _count(words: list[str]) -> tuple[int, int]:
    de_words, en_words = _lexicon()
    return sum(map(de_words.__contains__, words)), sum(map(en_words.__contains__, words))


def _learn(piece: str) -> int:
    """A piece's counts (de + en * _EN), remembered."""
    if len(_in_piece) >= _PIECE_CACHE_SIZE:
        _in_piece.clear()
    de, en = _count(_WORD.findall(piece.lower()))
    counts = _in_piece[piece] = de + en * _EN
    return counts


def _line_counts(line: str) -> int:
    """A line's counts (de + en * _EN): the sum of those of the pieces str.split() cuts it
    into."""
    counts = _in_line.get(line)
    if counts is None:
        pieces = line.split()
        try:
            counts = sum(map(_in_piece.__getitem__, pieces))
        except KeyError:  # new pieces (learning one may even empty a full memory)
            known = _in_piece
            counts = sum(known[p] if p in known else _learn(p) for p in pieces)
        if len(_in_line) >= _LINE_CACHE_SIZE:
            _in_line.clear()
        _in_line[line] = counts
    return counts


def function_words(text: str) -> tuple[int, int]:
    """How many German and English function words `text` has in its first `_LIMIT`
    characters (in lower case).

    A word has neither a line break nor white space, so it lies inside one of the pieces
    str.split() cuts a line into, and lowering a piece lowers its part of the text: a text's
    counts are the sums of its lines' counts, and a line's those of its pieces. Both are
    remembered: the report and the flags read the same lines of an ad (the two texts differ
    in the title and the headings), and most pieces are words that other ads have too.
    Lowering a whole ad and cutting it into words was what took the time. A text that may be
    longer than the limit in lower case is read as a whole."""
    if len(text) * _MAX_GROWTH > _LIMIT:
        return _count(_WORD.findall(text.lower()[:_LIMIT]))
    counts = sum(map(_line_counts, text.split("\n")))
    return counts % _EN, counts // _EN


def detect_language(text: str, *, minimum: int = 3) -> str:
    """ "de", "en" or "other". Needs at least `minimum` function words; a language wins
    when it has at least 1.5 times the other's count."""
    de, en = function_words(text)
    if de + en < minimum:
        return "other"
    if de >= 1.5 * en:
        return "de"
    if en >= 1.5 * de:
        return "en"
    return "de" if de > en else "en" if en > de else "other"

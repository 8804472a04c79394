"""Language of an ad: German, English or other, by the function words it uses."""

from __future__ import annotations

import re
from functools import lru_cache

from jobscope.resources import load_json

_WORD = re.compile(r"[a-zäöüß]+")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("language.json")
    return frozenset(data["de"]), frozenset(data["en"])


def detect_language(text: str, *, minimum: int = 3) -> str:
    """ "de", "en" or "other". Needs at least `minimum` function words; a language wins
    when it has at least 1.5 times the other's count."""
    de_words, en_words = _lexicon()
    de = en = 0
    for word in _WORD.findall(text.lower()[:20000]):
        if word in de_words:
            de += 1
        elif word in en_words:
            en += 1
    if de + en < minimum:
        return "other"
    if de >= 1.5 * en:
        return "de"
    if en >= 1.5 * de:
        return "en"
    return "de" if de > en else "en" if en > de else "other"

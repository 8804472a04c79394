"""The classifier's features.

`Analyzer` makes all features of an item in one pass: word unigrams and bigrams, and the
prefix and suffix of each long word, which is where German compounds keep their parts
("Social-Media-Redaktionsplan" -> "<redak", "splan>"; "Bewegtbildformate" -> "<beweg",
"ormate>"). It is part of the pickled model: a change here changes what a trained model
sees, so retrain after changing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from jobscope.normalize import model_text

_TOKEN = re.compile(r"\w[\w+#]*")


def plain_text(text: str) -> str:
    """The preprocessing without our German-specific folding (for the experiment)."""
    return text.lower()


@dataclass(frozen=True)
class Analyzer:
    """Features of one item text, for TfidfVectorizer(analyzer=...)."""

    affix_lengths: tuple[int, ...] = (4, 6)
    """Prefix and suffix lengths taken from long words (empty: words only)."""
    min_word: int = 7
    """Words of this many characters or more contribute their affixes."""
    bigrams: bool = True
    german: bool = True
    """Fold gender forms, split hyphenated compounds, mask digits (normalize.model_text)."""

    def __call__(self, text: str) -> list[str]:
        words = _TOKEN.findall(model_text(text) if self.german else plain_text(text))
        features = list(words)
        if self.bigrams:
            features.extend(f"{a} {b}" for a, b in pairwise(words))
        if self.affix_lengths:
            for word in words:
                if len(word) >= self.min_word:
                    for n in self.affix_lengths:
                        features.append("<" + word[:n])
                        features.append(word[-n:] + ">")
        return features

"""The classifier's features (imported only when a model is trained or loaded).

The shipped design ("fast" in train.ModelConfig): `prepare` folds each text once (gender forms,
hyphenated compounds, digits), `word_features` gives word unigrams and bigrams, `CharGrams`
character n-grams inside words (where German compounds keep their parts: "Social-Media-
Redaktionsplan", "Bewegtbildformate"), and `FastTfidf` turns each into a TF-IDF block at C speed.
`Analyzer` is the one-pass word + affix design that the experiment compares.

All of it is part of the pickled model: a change here changes what a trained model sees, so
retrain after changing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from jobscope.normalize import model_text

_TOKEN = re.compile(r"\w[\w+#]*")
_WORD_CACHE_SIZE = 50_000
"""Words whose feature columns FastTfidf remembers; past it the memory starts anew."""


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


# --- the fast design: shared preprocessing, word and character blocks, C-speed counting ---------


def prepare(texts: Any) -> list[str]:
    """Preprocess once for both feature blocks: model_text, tokens joined by two spaces and
    padded, so that character n-grams never cross a word boundary."""
    return [" " + "  ".join(_TOKEN.findall(model_text(t))) + " " for t in texts]


def word_features(prepared: str) -> list[str]:
    """Word unigrams and bigrams of a prepared text."""
    words = prepared.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class CharGrams:
    """Character n-grams inside words (with the word boundary as a space), made by the regex
    engine: an empty-width lookahead captures every overlapping n-gram at C speed."""

    sizes: tuple[int, ...] = (3, 5)
    min_word: int = 1
    """Only words of at least this many characters contribute n-grams."""

    def __call__(self, prepared: str) -> list[str]:
        if self.min_word > 1:
            prepared = " " + "  ".join(w for w in prepared.split() if len(w) >= self.min_word) + " "
        grams: list[str] = []
        for pattern in _char_patterns(self.sizes):
            grams.extend(pattern.findall(prepared))
        return grams

    def word_grams(self, word: str) -> list[str]:
        """The n-grams of one word of a prepared text. No n-gram spans two words, so a
        prepared text's n-grams are those of its words (str.split()), in another order."""
        if len(word) < self.min_word:
            return []
        return self(f" {word} ")


@lru_cache(maxsize=8)
def _char_patterns(sizes: tuple[int, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?=([^ ]{{{n}}}| [^ ]{{{n - 1}}}|[^ ]{{{n - 1}}} ))") for n in sizes)


class FastTfidf(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """TF-IDF (sublinear tf, l2 norm) with scikit-learn's vocabulary and idf, counted faster.

    `fit` learns vocabulary and idf with TfidfVectorizer; `transform` maps features to columns
    with dict.get inside map() (unknown features land in one extra column whose idf is 0) and
    lets scipy sum, weight and normalise, instead of a Python loop per feature. An analyzer that
    makes its features word by word (CharGrams.word_grams) has each word's columns looked up
    once and remembered, per fitted instance, bounded, and not pickled.
    """

    def __init__(self, analyzer: Any = None, min_df: int = 1) -> None:
        self.analyzer = analyzer
        self.min_df = min_df

    def fit(self, texts: Any, y: Any = None) -> FastTfidf:  # noqa: ARG002 (sklearn's signature)
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=self.analyzer, min_df=self.min_df, sublinear_tf=True)
        vectorizer.fit(texts)
        self.vocabulary_ = vectorizer.vocabulary_
        self.idf_ = np.append(vectorizer.idf_, 0.0)
        self.feature_names_ = np.append(vectorizer.get_feature_names_out(), "<unknown>")
        return self

    def transform(self, texts: Any) -> Any:
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        get = self.vocabulary_.get
        unknown = len(self.idf_) - 1
        indices: list[int] = []
        indptr = [0]
        if hasattr(self.analyzer, "word_grams"):
            # Features made word by word: each word's columns are looked up once and
            # remembered (the order of a row's columns does not matter, see below).
            columns = self.__dict__.setdefault("_word_columns", {})
            for text in texts:
                for word in text.split():
                    found = columns.get(word)
                    if found is None:
                        found = self._learn_word(word, columns)
                    indices.extend(found)
                indptr.append(len(indices))
        else:
            for text in texts:
                indices.extend(map(get, self.analyzer(text), repeat(unknown)))
                indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(self.idf_)),
        )
        matrix.sum_duplicates()
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix.data *= self.idf_[matrix.indices]
        return normalize(matrix, copy=False)

    def _learn_word(self, word: str, columns: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
        """The columns of a word's features, remembered (a batch's vocabulary: most words
        recur from ad to ad, and building and hashing the n-gram strings is the cost)."""
        unknown = len(self.idf_) - 1
        found = tuple(map(self.vocabulary_.get, self.analyzer.word_grams(word), repeat(unknown)))
        if len(columns) >= _WORD_CACHE_SIZE:
            columns.clear()
        columns[word] = found
        return found

    def __getstate__(self) -> dict[str, Any]:
        """The fitted model without the remembered columns (they are rebuilt on use)."""
        state: dict[str, Any] = super().__getstate__()
        state.pop("_word_columns", None)
        return state

    def get_feature_names_out(self, input_features: Any = None) -> Any:  # noqa: ARG002
        return self.feature_names_

"""Loading the specialism model safely and predicting the labels of requirement items.

A joblib file is executable code, so a model is loaded only when its SHA-256 and the
installed scikit-learn version match its model card. The shipped model that fails this
check is rebuilt from the shipped corpus into the user cache (with a message); a model
file the user names that fails it is refused.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from jobscope.corpus import corpus_hash
from jobscope.errors import ModelError, ModelVerificationError
from jobscope.model import SPECIALISMS
from jobscope.resources import shipped_path
from jobscope.settings import Settings
from jobscope.train import CARD_FILE, MODEL_FILE, decide, probabilities, sha256_file, train

log = logging.getLogger("jobscope")


def card_path_for(model_path: Path) -> Path:
    """The card that belongs to a model file: `NAME.card.json` beside `NAME.joblib`."""
    return model_path.with_name(model_path.name.removesuffix(".joblib") + ".card.json")


def verify(model_path: Path) -> dict[str, Any]:
    """Check a model file against its card; return the card or raise ModelVerificationError."""
    import sklearn

    card_path = card_path_for(model_path)
    if not model_path.is_file():
        raise ModelVerificationError(f"model file not found: {model_path}")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelVerificationError(
            f"model {model_path} has no model card ({card_path.name})"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelVerificationError(f"model card {card_path} cannot be read: {exc}") from exc
    actual = sha256_file(model_path)
    if card.get("sha256") != actual:
        raise ModelVerificationError(
            f"model {model_path.name} does not match its card (SHA-256 {actual[:12]}… vs "
            f"{str(card.get('sha256'))[:12]}…)"
        )
    if card.get("sklearn_version") != sklearn.__version__:
        raise ModelVerificationError(
            f"model {model_path.name} was built with scikit-learn {card.get('sklearn_version')}, "
            f"this is {sklearn.__version__}"
        )
    return card


_SCORE_KEYS = (*SPECIALISMS, "general")


class Predictor(Protocol):
    """What the pipeline needs of a classifier: the model, or the keyword baseline."""

    def predict(self, texts: list[str]) -> tuple[list[list[str]], list[dict[str, float]]]: ...

    def explain(self, text: str, *, top: int = 5) -> dict[str, list[str]]: ...


@dataclass
class Classifier:
    """A verified specialism model."""

    pipeline: Any
    card: dict[str, Any]
    path: Path
    thresholds: list[float] | float = 0.5
    """One decision threshold per specialism (or one for all)."""
    rebuilt: bool = False

    def predict(self, texts: list[str]) -> tuple[list[list[str]], list[dict[str, float]]]:
        """Labels and per-label scores for each text ("general" scores 1 - the best specialism)."""
        if not texts:
            return [], []
        import numpy as np

        scores_matrix = probabilities(self.pipeline, texts)
        labels = decide(scores_matrix, self.thresholds)
        general = 1.0 - scores_matrix.max(axis=1)
        rows = np.column_stack([scores_matrix, general]).tolist()
        return labels, [dict(zip(_SCORE_KEYS, row, strict=True)) for row in rows]

    def explain(self, text: str, *, top: int = 5) -> dict[str, list[str]]:
        """The terms that pushed each predicted specialism up (word and character n-grams)."""
        classifier = self.pipeline.named_steps["classifier"]
        # Every step but the classifier: the features exactly as the model sees them.
        vector = self.pipeline[:-1].transform([text])
        names = self.pipeline.named_steps["features"].get_feature_names_out()
        row = vector.tocsr()
        out: dict[str, list[str]] = {}
        labels, _ = self.predict([text])
        for index, label in enumerate(SPECIALISMS):
            if label not in labels[0]:
                continue
            coef = classifier.estimators_[index].coef_.ravel()
            contributions = [
                (coef[j] * value, names[j])
                for j, value in zip(row.indices, row.data, strict=True)
                if coef[j] > 0
            ]
            contributions.sort(reverse=True)
            terms: list[str] = []
            for _, name in contributions:
                term = _readable(name.split("__", 1)[-1].strip())
                if term and not any(term.strip("…") in t for t in terms):
                    terms.append(term)
                if len(terms) == top:
                    break
            out[label] = terms
        return out


def _readable(feature: str) -> str:
    """A feature as a reader understands it: word affixes as "strate…" and "…ategie"."""
    if feature.startswith("<") and len(feature) > 1:
        return feature[1:] + "…"
    if feature.endswith(">") and len(feature) > 1:
        return "…" + feature[:-1]
    return feature


def _load_verified(model_path: Path, threshold: float | None) -> Classifier:
    import joblib

    card = verify(model_path)
    pipeline = joblib.load(model_path)
    return Classifier(
        pipeline=pipeline,
        card=card,
        path=model_path,
        thresholds=threshold if threshold is not None else _card_thresholds(card),
    )


def _card_thresholds(card: dict[str, Any]) -> list[float]:
    given = card.get("thresholds") or {}
    return [float(given.get(label, card.get("threshold", 0.5))) for label in SPECIALISMS]


def load_classifier(
    settings: Settings | None = None,
    *,
    models_dir: Path | None = None,
    corpus_dir: Path | None = None,
) -> Classifier:
    """The model to use: the user's file (verified or refused), else the shipped one
    (verified, else a verified rebuild in the cache, else rebuilt now from the corpus).

    `models_dir` and `corpus_dir` default to the shipped folders."""
    settings = settings or Settings()
    threshold = settings.label_threshold
    if settings.model_path is not None:
        return _load_verified(Path(settings.model_path), threshold)
    models = models_dir or shipped_path("models")
    reason = "no shipped model found"
    if models is not None and (models / MODEL_FILE).is_file():
        try:
            return _load_verified(models / MODEL_FILE, threshold)
        except ModelVerificationError as exc:
            reason = str(exc)
    corpus = corpus_dir or shipped_path("corpus")
    if corpus is None:
        raise ModelError(f"{reason}, and no corpus to rebuild it from")
    cached = Path(settings.cache_dir) / "models" / MODEL_FILE
    expected_corpus = corpus_hash(corpus)
    if cached.is_file():
        try:
            classifier = _load_verified(cached, threshold)
            if classifier.card.get("corpus_sha256") == expected_corpus:
                classifier.rebuilt = True
                return classifier
        except ModelVerificationError:
            pass
    log.warning("%s; rebuilding the model from the corpus into %s", reason, cached.parent)
    card = _read_card(models / CARD_FILE) if models is not None else None
    try:
        train(
            corpus,
            cached.parent,
            cross_val=False,
            held_out=False,
            thresholds=_card_thresholds(card) if card else None,
        )
    except OSError as exc:
        raise ModelError(f"cannot write the rebuilt model to {cached.parent}: {exc}") from exc
    classifier = _load_verified(cached, threshold)
    classifier.rebuilt = True
    return classifier


def _read_card(path: Path) -> dict[str, Any] | None:
    """A model card's contents, or None when it is missing or unreadable (its thresholds are
    only a starting point for a rebuild)."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None

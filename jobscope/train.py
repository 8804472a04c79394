"""Corpus -> specialism model + model card. Cross-validated by ad, so no ad is in both folds."""

from __future__ import annotations

import hashlib
import json
import logging
import platform as _platform
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobscope import __version__
from jobscope.corpus import CorpusItem, corpus_hash, load_corpus
from jobscope.errors import ModelError
from jobscope.model import LABELS, SPECIALISMS

log = logging.getLogger("jobscope")

MODEL_FILE = "specialism.joblib"
CARD_FILE = "specialism.card.json"
CARD_MARKDOWN = "MODEL_CARD.md"


def build_pipeline(*, c: float = 8.0) -> Any:
    """Word 1-2 and character 3-5 gram TF-IDF, one logistic regression per specialism."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    from jobscope.normalize import model_text

    words = TfidfVectorizer(
        preprocessor=model_text,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        token_pattern=r"(?u)\b\w[\w+#.]*\w\b|\b\w\b",
    )
    chars = TfidfVectorizer(
        preprocessor=model_text,
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=2,
    )
    classifier = OneVsRestClassifier(
        LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")
    )
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("classifier", classifier),
        ]
    )


def label_matrix(items: list[CorpusItem]) -> Any:
    import numpy as np

    return np.array([[int(s in item.labels) for s in SPECIALISMS] for item in items])


def decide(probabilities: Any, threshold: float) -> list[list[str]]:
    """Model probabilities -> label lists ("general" when no specialism reaches the threshold)."""
    out: list[list[str]] = []
    for row in probabilities:
        labels = [s for s, p in zip(SPECIALISMS, row, strict=True) if p >= threshold]
        out.append(labels or ["general"])
    return out


def item_scores(gold: list[tuple[str, ...]], predicted: list[list[str]]) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support over the five labels, plus macro-F1."""
    per_label: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label)
    exact = sum(1 for g, p in zip(gold, predicted, strict=True) if set(g) == set(p)) / max(
        len(gold), 1
    )
    return {"per_label": per_label, "macro_f1": round(macro, 4), "exact_match": round(exact, 4)}


def cross_validate(
    items: list[CorpusItem], *, folds: int = 5, threshold: float = 0.5
) -> dict[str, Any]:
    """Cross-validated item scores with folds grouped by ad."""
    from sklearn.model_selection import GroupKFold

    texts = [i.text for i in items]
    y = label_matrix(items)
    groups = [i.ad for i in items]
    predicted: list[list[str] | None] = [None] * len(items)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(texts, y, groups):
        model = build_pipeline()
        model.fit([texts[i] for i in train_idx], y[train_idx])
        labels = decide(model.predict_proba([texts[i] for i in test_idx]), threshold)
        for i, value in zip(test_idx, labels, strict=True):
            predicted[i] = value
    scores = item_scores([i.labels for i in items], [p or ["general"] for p in predicted])
    scores.update({"folds": folds, "split": "GroupKFold by ad", "threshold": threshold})
    return scores


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class TrainResult:
    model_path: Path
    card_path: Path
    card: dict[str, Any]


def train(
    corpus_dir: Path,
    out_dir: Path,
    *,
    folds: int = 5,
    threshold: float = 0.5,
    cross_val: bool = True,
) -> TrainResult:
    """Train on the training part of `corpus_dir` (never its held-out ads); write the model and
    its card into `out_dir`."""
    import joblib
    import sklearn

    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    items = corpus.train_items
    counts = Counter(label for item in items for label in item.labels)
    missing = [label for label in LABELS if counts[label] == 0]
    if missing:
        raise ModelError(f"the corpus has no items labelled {', '.join(missing)}")
    log.info("training on %d items from %s", len(items), corpus_dir)
    cv = cross_validate(items, folds=folds, threshold=threshold) if cross_val else None
    model = build_pipeline()
    model.fit([i.text for i in items], label_matrix(items))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL_FILE
    tmp = model_path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(model_path)
    card = {
        "model": MODEL_FILE,
        "sha256": sha256_file(model_path),
        "sklearn_version": sklearn.__version__,
        "python_version": _platform.python_version(),
        "jobscope_version": __version__,
        "corpus_sha256": corpus_hash(corpus_dir),
        "corpus_items": len(corpus.items),
        "training_items": len(items),
        "held_out_ads": len(corpus.test_ads),
        "corpus_ads": len({i.ad for i in items}),
        "languages": dict(sorted(Counter(i.lang for i in items).items())),
        "label_counts": {label: counts[label] for label in LABELS},
        "labels": list(SPECIALISMS),
        "threshold": threshold,
        "pipeline": "FeatureUnion(word TF-IDF 1-2 grams, char_wb TF-IDF 3-5 grams) -> "
        "OneVsRest(LogisticRegression(C=8, class_weight=balanced, liblinear)); "
        "text preprocessed by jobscope.normalize.model_text",
        "trained_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "training_seconds": round(time.perf_counter() - started, 1),
        "cross_validation": cv,
    }
    card_path = out_dir / CARD_FILE
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / CARD_MARKDOWN).write_text(render_card(card), encoding="utf-8")
    return TrainResult(model_path=model_path, card_path=card_path, card=card)


def render_card(card: dict[str, Any]) -> str:
    """The model card as Markdown (written beside the JSON card)."""
    lines = [
        "# Model card: jobscope specialism classifier",
        "",
        "Classifies one requirement item of a job ad into the specialisms strategy, video, "
        "analytics and community (several at once) or `general` (none of them), as defined in "
        "`corpus/LABELING.md`.",
        "",
        "| field | value |",
        "|---|---|",
        f"| model file | `{card['model']}` |",
        f"| SHA-256 | `{card['sha256']}` |",
        f"| scikit-learn | {card['sklearn_version']} (Python {card['python_version']}) |",
        f"| corpus SHA-256 | `{card['corpus_sha256']}` |",
        f"| training data | {card['training_items']} of the corpus's {card['corpus_items']} items, "
        f"from {card['corpus_ads']} ads ({card['held_out_ads']} whole ads held out); "
        + ", ".join(f"{k}: {v}" for k, v in card["languages"].items())
        + " |",
        "| labels in training data | "
        + ", ".join(f"{k} {v}" for k, v in card["label_counts"].items())
        + " |",
        f"| pipeline | {card['pipeline']} |",
        f"| decision threshold | {card['threshold']} |",
        f"| trained | {card['trained_at']} in {card['training_seconds']} s |",
        "",
    ]
    cv = card.get("cross_validation")
    if cv:
        lines += [
            f"## Cross-validated scores ({cv['folds']}-fold, {cv['split']})",
            "",
            "| label | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label, row in cv["per_label"].items():
            lines.append(
                f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | "
                f"{row['support']} |"
            )
        lines += [
            "",
            f"Macro-F1: **{cv['macro_f1']:.3f}**; exact label-set match: {cv['exact_match']:.3f}.",
            "",
        ]
    lines += [
        "## Loading and trust",
        "",
        "A joblib file is executable code. jobscope loads this file only when its SHA-256 and the "
        "installed scikit-learn version match this card; otherwise it rebuilds the model from the "
        "shipped corpus (`jobscope train`) into the user cache and says so on stderr.",
        "",
        "Rebuild: `jobscope train` (writes `models/` in a checkout).",
        "",
    ]
    return "\n".join(lines)

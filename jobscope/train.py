"""Corpus -> specialism model + model card. Cross-validated by ad, so no ad is in both folds."""

from __future__ import annotations

import dataclasses
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


@dataclass(frozen=True)
class ModelConfig:
    """One model design; `scripts/experiment.py` compares several, DEFAULT_CONFIG ships."""

    features: str = "fast"
    """word (1-2 grams) | char (char_wb 3-5 grams) | union (word + char) | affix (one pass:
    words, bigrams and long words' prefixes and suffixes) | fast (word 1-2 grams and character
    n-grams as two blocks, counted by jobscope.features.FastTfidf)"""
    classifier: str = "logreg"
    """logreg | linear_svm | complement_nb | sgd"""
    multilabel: str = "ovr"
    """ovr (one binary model per specialism) | chain (each model also sees the previous labels)"""
    german: bool = True
    """German-aware preprocessing (gender forms, hyphenated compounds); off: plain lower case"""
    c: float = 32.0
    """Inverse regularisation strength (chosen by cross-validation on the training part)."""
    affix_min_word: int = 6
    """Words of this many characters or more contribute affixes (affix design)."""
    char_sizes: tuple[int, ...] = (3, 5)
    """Character n-gram sizes of the fast design."""
    char_min_word: int = 5
    """The fast design takes character n-grams only from words this long or longer."""

    def describe(self) -> str:
        parts = [f"features={self.features}"]
        if self.features == "fast":
            parts.append(
                f"chars={'/'.join(map(str, self.char_sizes))} of words >= {self.char_min_word}"
            )
        if self.features == "affix":
            parts.append(f"affixes of words >= {self.affix_min_word} letters")
        parts += [
            f"classifier={self.classifier}",
            f"multilabel={self.multilabel}",
            f"german={'on' if self.german else 'off'}",
            f"C={self.c:g}",
        ]
        return ", ".join(parts)


DEFAULT_CONFIG = ModelConfig()


def _vectorizer(config: ModelConfig) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    from jobscope.features import Analyzer, CharGrams, FastTfidf, plain_text, word_features
    from jobscope.normalize import model_text

    pre = model_text if config.german else plain_text
    words = TfidfVectorizer(
        preprocessor=pre, ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w[\w+#]*"
    )
    chars = TfidfVectorizer(
        preprocessor=pre, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    )
    if config.features == "word":
        return words
    if config.features == "char":
        return chars
    if config.features == "union":
        return FeatureUnion([("words", words), ("chars", chars)])
    if config.features == "affix":
        return TfidfVectorizer(
            analyzer=Analyzer(min_word=config.affix_min_word, german=config.german),
            sublinear_tf=True,
        )
    if config.features == "fast":
        return FeatureUnion(
            [
                ("words", FastTfidf(analyzer=word_features)),
                (
                    "chars",
                    FastTfidf(
                        analyzer=CharGrams(config.char_sizes, config.char_min_word), min_df=2
                    ),
                ),
            ]
        )
    raise ValueError(f"unknown features {config.features!r}")


def _estimator(config: ModelConfig) -> Any:
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if config.classifier == "logreg":
        return LogisticRegression(
            C=config.c, class_weight="balanced", max_iter=3000, solver="liblinear"
        )
    if config.classifier == "linear_svm":
        return LinearSVC(C=config.c / 10, class_weight="balanced")
    if config.classifier == "complement_nb":
        return ComplementNB(alpha=0.3)
    if config.classifier == "sgd":
        return SGDClassifier(loss="modified_huber", class_weight="balanced", random_state=0)
    raise ValueError(f"unknown classifier {config.classifier!r}")


def build_pipeline(config: ModelConfig = DEFAULT_CONFIG) -> Any:
    """TF-IDF features and a multi-label linear classifier, as `config` says."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.multioutput import ClassifierChain
    from sklearn.pipeline import Pipeline

    estimator = _estimator(config)
    if config.multilabel == "chain":
        head = ClassifierChain(estimator, order=None, random_state=0)
    else:
        head = OneVsRestClassifier(estimator)
    steps: list[tuple[str, Any]] = [("features", _vectorizer(config)), ("classifier", head)]
    if config.features == "fast":
        from sklearn.preprocessing import FunctionTransformer

        from jobscope.features import prepare

        steps.insert(0, ("prepare", FunctionTransformer(prepare)))
    return Pipeline(steps)


def probabilities(pipeline: Any, texts: list[str]) -> Any:
    """Per-specialism scores in [0, 1]: predict_proba where the model has it, else the
    logistic of the decision function (linear SVMs)."""
    import numpy as np

    try:
        return np.asarray(pipeline.predict_proba(texts))
    except AttributeError:
        return 1.0 / (1.0 + np.exp(-np.asarray(pipeline.decision_function(texts))))


def label_matrix(items: list[CorpusItem]) -> Any:
    import numpy as np

    return np.array([[int(s in item.labels) for s in SPECIALISMS] for item in items])


def decide(probabilities: Any, threshold: float | list[float]) -> list[list[str]]:
    """Model probabilities -> label lists ("general" when no specialism reaches its threshold;
    `threshold` is one value or one per specialism)."""
    import numpy as np

    out: list[list[str]] = []
    for row in (probabilities >= np.asarray(threshold)).tolist():
        labels = [s for s, hit in zip(SPECIALISMS, row, strict=True) if hit]
        out.append(labels or ["general"])
    return out


def precision_recall_f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0 where undefined), rounded to 4 places."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def item_scores(gold: list[tuple[str, ...]], predicted: list[list[str]]) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support over the five labels, plus macro-F1."""
    per_label: dict[str, dict[str, Any]] = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        per_label[label] = {**precision_recall_f1(tp, fp, fn), "support": tp + fn}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label)
    exact = sum(1 for g, p in zip(gold, predicted, strict=True) if set(g) == set(p)) / max(
        len(gold), 1
    )
    return {"per_label": per_label, "macro_f1": round(macro, 4), "exact_match": round(exact, 4)}


def out_of_fold(
    items: list[CorpusItem], *, folds: int = 5, config: ModelConfig = DEFAULT_CONFIG
) -> Any:
    """Out-of-fold specialism probabilities for every item, folds grouped by ad."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    texts = [i.text for i in items]
    y = label_matrix(items)
    groups = [i.ad for i in items]
    scores = np.zeros(y.shape)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(texts, y, groups):
        model = build_pipeline(config)
        model.fit([texts[i] for i in train_idx], y[train_idx])
        scores[test_idx] = probabilities(model, [texts[i] for i in test_idx])
    return scores


def tune_thresholds(scores: Any, y: Any) -> list[float]:
    """Per specialism, the decision threshold in 0.20..0.70 that maximises its F1 on
    out-of-fold scores (ties: the one nearest 0.5)."""
    import numpy as np

    grid = [round(t, 2) for t in np.arange(0.2, 0.701, 0.05)]
    chosen = []
    for k in range(y.shape[1]):
        truth = y[:, k] == 1

        def f1(t: float, k: int = k, truth: Any = truth) -> float:
            hit = scores[:, k] >= t
            return 2 * float((hit & truth).sum()) / max(int(hit.sum() + truth.sum()), 1)

        chosen.append(max(grid, key=lambda t: (round(f1(t), 4), -abs(t - 0.5))))
    return chosen


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _held_out_summary(pipeline: Any, thresholds: list[float], corpus_dir: Path) -> Any:
    from jobscope.classify import Classifier
    from jobscope.evaluate import evaluate

    classifier = Classifier(pipeline=pipeline, card={}, path=Path("new"), thresholds=thresholds)
    result = evaluate(corpus_dir, classifier)
    if not result["held_out_ads"]:
        return None
    model, base = result["model"], result["baseline"]
    return {
        "ads": result["held_out_ads"],
        "items": result["held_out_items"],
        "per_label": model["items"]["per_label"],
        "macro_f1": model["items"]["macro_f1"],
        "primary_accuracy": model["ads"]["primary_accuracy"],
        "demanded_specialisms_f1": model["ads"]["demanded_specialisms"]["f1"],
        "baseline_macro_f1": base["items"]["macro_f1"],
        "baseline_primary_accuracy": base["ads"]["primary_accuracy"],
    }


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
    cross_val: bool = True,
    thresholds: list[float] | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
    held_out: bool = True,
) -> TrainResult:
    """Train on the training part of `corpus_dir` (never its held-out ads); write the model and
    its card into `out_dir`.

    With `cross_val`, the per-specialism thresholds are tuned on out-of-fold scores of the
    training part (unless `thresholds` are given) and the card gets the cross-validated
    scores; with `held_out`, it gets the scores on the held-out ads too."""
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
    y = label_matrix(items)
    cv = None
    if cross_val:
        scores = out_of_fold(items, folds=folds, config=config)
        if thresholds is None:
            thresholds = tune_thresholds(scores, y)
        cv = item_scores([i.labels for i in items], decide(scores, thresholds))
        cv.update(
            {
                "folds": folds,
                "split": "GroupKFold by ad on the training part; thresholds tuned on the same "
                "out-of-fold scores, so a little optimistic",
            }
        )
    thresholds = thresholds or [0.5] * len(SPECIALISMS)
    model = build_pipeline(config)
    model.fit([i.text for i in items], y)
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
        "thresholds": dict(zip(SPECIALISMS, thresholds, strict=True)),
        "pipeline": config.describe(),
        "config": dataclasses.asdict(config),
        "trained_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "training_seconds": round(time.perf_counter() - started, 1),
        "cross_validation": cv,
        "held_out": _held_out_summary(model, thresholds, corpus_dir) if held_out else None,
    }
    experiments = out_dir / "experiments.json"
    if experiments.is_file():
        card["experiments"] = json.loads(experiments.read_text(encoding="utf-8"))
    card_path = out_dir / CARD_FILE
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / CARD_MARKDOWN).write_text(render_card(card), encoding="utf-8")
    return TrainResult(model_path=model_path, card_path=card_path, card=card)


def _label_table(per_label: dict[str, dict[str, Any]]) -> list[str]:
    """Per-label precision, recall, F1 and support as Markdown table lines."""
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, row in per_label.items():
        lines.append(
            f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | "
            f"{row['support']} |"
        )
    return lines


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
        "| decision thresholds | "
        + ", ".join(f"{k} {v:.2f}" for k, v in card["thresholds"].items())
        + " (tuned per specialism on out-of-fold scores) |",
        f"| trained | {card['trained_at']} in {card['training_seconds']} s |",
        "",
    ]
    cv = card.get("cross_validation")
    if cv:
        lines += [
            f"## Cross-validated scores ({cv['folds']}-fold, {cv['split']})",
            "",
            *_label_table(cv["per_label"]),
        ]
        lines += [
            "",
            f"Macro-F1: **{cv['macro_f1']:.3f}**; exact label-set match: {cv['exact_match']:.3f}.",
            "",
        ]
    held = card.get("held_out")
    if held:
        lines += [
            f"## Held-out ads ({held['ads']} ads, {held['items']} items; `jobscope evaluate`)",
            "",
            *_label_table(held["per_label"]),
        ]
        lines += [
            "",
            f"Item macro-F1 **{held['macro_f1']:.3f}** (keyword baseline "
            f"{held['baseline_macro_f1']:.3f}); primary-specialism accuracy "
            f"**{held['primary_accuracy']:.3f}** "
            f"(baseline {held['baseline_primary_accuracy']:.3f}); "
            f"demanded-specialism F1 {held['demanded_specialisms_f1']:.3f}.",
            "",
        ]
    experiments = card.get("experiments")
    if experiments:
        lines += [
            "## How the design was chosen (scripts/experiment.py)",
            "",
            f"{experiments['training_items']} training items, {experiments['held_out_items']} "
            f"held-out items in {experiments['held_out_ads']} held-out ads; "
            f"CV: {experiments['cv']}; speed: {experiments['speed']}.",
            "",
            "| design | CV macro-F1 | held-out macro-F1 | held-out primary accuracy | items/s |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in experiments["rows"]:
            cells = [
                "-"
                if row[k] is None
                else (f"{row[k]:,.0f}" if k == "items_per_second" else f"{row[k]:.3f}")
                for k in (
                    "cv_macro_f1",
                    "held_out_macro_f1",
                    "held_out_primary_accuracy",
                    "items_per_second",
                )
            ]
            lines.append(f"| {row['design']} | " + " | ".join(cells) + " |")
        lines.append("")
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

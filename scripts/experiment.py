"""Choose the specialism model by experiment.

Compares feature sets (word n-grams, character n-grams, their union, and the one-pass
word + affix analyzer), classifiers (logistic regression, linear SVM, complement naive Bayes,
SGD), multi-label handling (one-vs-rest, classifier chain) and German-specific preprocessing
(on/off). Each design is trained on the training part of the corpus and scored by grouped
cross-validation on it, on the items of the held-out ads, on the held-out ads as a whole, and
by its speed on one core.

    python scripts/experiment.py            # writes models/experiments.json and prints the table

`jobscope train` copies the table into models/MODEL_CARD.md.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobscope.classify import Classifier  # noqa: E402
from jobscope.corpus import load_corpus  # noqa: E402
from jobscope.evaluate import evaluate_ads, evaluate_items, keyword_baseline  # noqa: E402
from jobscope.settings import Settings  # noqa: E402
from jobscope.train import (  # noqa: E402
    DEFAULT_CONFIG,
    ModelConfig,
    build_pipeline,
    decide,
    item_scores,
    label_matrix,
    out_of_fold,
    tune_thresholds,
)

CONFIGS = [
    ModelConfig(features="word"),
    ModelConfig(features="char"),
    ModelConfig(features="union"),
    ModelConfig(features="union", german=False),
    ModelConfig(features="affix"),
    ModelConfig(features="affix", german=False),
    ModelConfig(features="fast", char_sizes=(3, 4, 5), char_min_word=1),
    ModelConfig(features="fast", char_sizes=(3, 5), char_min_word=1),
    ModelConfig(features="fast", char_sizes=(3, 5), char_min_word=5),
    ModelConfig(features="fast", char_sizes=(4,), char_min_word=1),
    ModelConfig(features="fast", char_sizes=(4,), char_min_word=5),
    ModelConfig(features="fast", classifier="linear_svm"),
    ModelConfig(features="fast", classifier="complement_nb"),
    ModelConfig(features="fast", classifier="sgd"),
    ModelConfig(features="fast", multilabel="chain"),
    ModelConfig(features="fast", c=4.0),
    ModelConfig(features="fast", c=16.0),
]


def items_per_second(classifier: Classifier, texts: list[str], repeat: int = 3) -> float:
    batch = texts * max(1, 20000 // max(len(texts), 1))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        classifier.predict(batch)
        best = min(best, time.perf_counter() - start)
    return len(batch) / best


def main() -> None:
    corpus_dir = ROOT / "corpus"
    corpus = load_corpus(corpus_dir)
    train_items, test_items, ads = corpus.train_items, corpus.test_items, corpus.held_out_ads
    settings = Settings()
    print(
        f"{len(train_items)} training items, {len(test_items)} held-out items in {len(ads)} ads",
        file=sys.stderr,
    )
    rows = []
    base = keyword_baseline()
    rows.append(
        {
            "design": "keyword baseline (word lists)",
            "cv_macro_f1": None,
            "held_out_macro_f1": evaluate_items(base, test_items)["macro_f1"],
            "held_out_primary_accuracy": evaluate_ads(base, ads, settings)["primary_accuracy"],
            "items_per_second": None,
        }
    )
    for config in CONFIGS:
        started = time.perf_counter()
        y = label_matrix(train_items)
        scores = out_of_fold(train_items, folds=3, config=config)
        thresholds = tune_thresholds(scores, y)
        cv = item_scores([i.labels for i in train_items], decide(scores, thresholds))
        pipeline = build_pipeline(config).fit([i.text for i in train_items], y)
        classifier = Classifier(
            pipeline=pipeline, card={}, path=Path("experiment"), thresholds=thresholds
        )
        row = {
            "design": config.describe() + (" (shipped)" if config == DEFAULT_CONFIG else ""),
            "cv_macro_f1": cv["macro_f1"],
            "held_out_macro_f1": evaluate_items(classifier, test_items)["macro_f1"],
            "held_out_primary_accuracy": evaluate_ads(classifier, ads, settings)[
                "primary_accuracy"
            ],
            "items_per_second": round(items_per_second(classifier, [i.text for i in test_items])),
        }
        rows.append(row)
        print(f"{row} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    result = {
        "corpus_items": len(corpus.items),
        "training_items": len(train_items),
        "held_out_items": len(test_items),
        "held_out_ads": len(ads),
        "cv": "3-fold GroupKFold by ad on the training part, per-specialism thresholds tuned "
        "on those out-of-fold scores and then used on the held-out ads",
        "speed": "Classifier.predict on the held-out items repeated to about 20,000, best of 3, "
        "one thread",
        "rows": rows,
    }
    out = ROOT / "models" / "experiments.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))


def render(result: dict) -> str:
    def fmt(value: float | None, spec: str = ".3f") -> str:
        return "-" if value is None else format(value, spec)

    lines = [
        "| design | CV macro-F1 | held-out macro-F1 | held-out primary accuracy | items/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['design']} | {fmt(row['cv_macro_f1'])} | {fmt(row['held_out_macro_f1'])} | "
            f"{fmt(row['held_out_primary_accuracy'])} | {fmt(row['items_per_second'], ',.0f')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

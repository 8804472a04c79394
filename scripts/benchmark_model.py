"""Speed of the specialism model, printed as figures (not a test).

    python scripts/benchmark_model.py

Prints, in one run and on one thread: items classified per second by the shipped model
(`Classifier.predict`, labels and scores as jobscope uses them) beside the bare scikit-learn
`predict_proba` of the same pipeline on the same items, their ratio, and the wall time of
`jobscope train` (with 5-fold cross-validation) plus `jobscope evaluate`. Target: at least
10,000 items per second, and training plus evaluation in under a minute.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobscope.classify import load_classifier  # noqa: E402
from jobscope.corpus import load_corpus  # noqa: E402
from jobscope.evaluate import evaluate  # noqa: E402
from jobscope.train import train  # noqa: E402


def best_rate(run, n: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    corpus_dir = ROOT / "corpus"
    texts = [item.text for item in load_corpus(corpus_dir).items]
    batch = (texts * (20000 // len(texts) + 1))[:20000]
    classifier = load_classifier()
    shipped = best_rate(lambda: classifier.predict(batch), len(batch))
    bare = best_rate(lambda: classifier.pipeline.predict_proba(batch), len(batch))
    print(f"items: {len(batch):,} (the corpus's {len(texts):,} item texts, repeated)")
    print(f"shipped model (Classifier.predict): {shipped:10,.0f} items/s")
    print(f"bare scikit-learn predict_proba:    {bare:10,.0f} items/s")
    print(f"ratio shipped / bare:               {shipped / bare:10.2f}")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = train(corpus_dir, Path(out))
        trained = time.perf_counter() - start
        start = time.perf_counter()
        evaluation = evaluate(corpus_dir, load_classifier_from(result.model_path))
        evaluated = time.perf_counter() - start
    print(f"train (5-fold CV + fit):            {trained:10.1f} s")
    print(f"evaluate (held-out + baseline):     {evaluated:10.1f} s")
    print(f"train + evaluate:                   {trained + evaluated:10.1f} s")
    print(
        f"held-out macro-F1 {evaluation['model']['items']['macro_f1']:.3f}, "
        f"primary accuracy {evaluation['model']['ads']['primary_accuracy']:.3f}"
    )


def load_classifier_from(path: Path):
    from jobscope.settings import Settings

    return load_classifier(Settings(model_path=path))


if __name__ == "__main__":
    main()

"""Held-out evaluation of the specialism model, beside a keyword baseline.

Item level: per-label precision, recall and F1, macro-F1 and a confusion summary on the items of
the held-out ads. Ad level: the whole pipeline runs on each held-out ad file and its primary and
demanded specialisms (and role and platforms) are compared with the ad's labels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jobscope.corpus import CorpusAd, CorpusItem, corpus_hash, load_corpus
from jobscope.model import FLAG_CODES, LABELS, SPECIALISMS
from jobscope.resources import load_json
from jobscope.settings import Settings
from jobscope.train import item_scores, precision_recall_f1


@dataclass
class KeywordBaseline:
    """A plain word-list classifier with the classifier's interface (predict, explain)."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> KeywordBaseline:
        data = load_json("baseline.json")
        return cls({label: tuple(data[label]) for label in SPECIALISMS})

    def _hits(self, text: str) -> dict[str, list[str]]:
        lowered = text.lower()
        return {label: [w for w in words if w in lowered] for label, words in self.words.items()}

    def predict(self, texts: list[str]) -> tuple[list[list[str]], list[dict[str, float]]]:
        labels: list[list[str]] = []
        scores: list[dict[str, float]] = []
        for text in texts:
            hits = self._hits(text)
            found = [label for label in SPECIALISMS if hits[label]]
            labels.append(found or ["general"])
            score = {label: 1.0 if hits[label] else 0.0 for label in SPECIALISMS}
            score["general"] = 0.0 if found else 1.0
            scores.append(score)
        return labels, scores

    def explain(self, text: str, *, top: int = 5) -> dict[str, list[str]]:
        return {label: words[:top] for label, words in self._hits(text).items() if words}


@lru_cache(maxsize=1)
def keyword_baseline() -> KeywordBaseline:
    return KeywordBaseline.load()


def confusion(gold: list[tuple[str, ...]], predicted: list[list[str]]) -> dict[str, dict[str, int]]:
    """For each gold label, how often each label was predicted on its items."""
    table: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        for label in g:
            table[label].update(p)
    return {label: {p: table[label][p] for p in LABELS} for label in LABELS}


def evaluate_items(predictor: Any, items: list[CorpusItem]) -> dict[str, Any]:
    predicted, _ = predictor.predict([i.text for i in items])
    gold = [i.labels for i in items]
    scores = item_scores(gold, predicted)
    scores["confusion"] = confusion(gold, predicted)
    return scores


def evaluate_ads(predictor: Any, ads: list[CorpusAd], settings: Settings) -> dict[str, Any]:
    """Run the whole pipeline on each ad file and compare its ad-level decisions with the labels."""
    from jobscope.analyze import analyze
    from jobscope.ingest import load_ad
    from jobscope.normalize import clean_text, one_line

    primary_hits = role_hits = 0
    found_items = gold_items = extra_items = 0
    spec = Counter[str]()
    nets = Counter[str]()
    flag_counts = {code: Counter[str]() for code in FLAG_CODES}
    flag_errors: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    for ad in ads:
        job = load_ad(str(ad.path), settings=settings)
        if job.date_posted is None:
            job.date_posted = ad.date_posted  # the posting date a job board export would carry
        report = analyze(job, settings=settings, classifier=predictor)
        raised = {flag.code for flag in report.flags}
        for code in FLAG_CODES:
            got_flag, want_flag = code in raised, code in ad.flags
            flag_counts[code].update(
                tp=got_flag and want_flag,
                fp=got_flag and not want_flag,
                fn=want_flag and not got_flag,
            )
            if got_flag != want_flag:
                flag_errors.append(
                    {"ad": ad.id, "flag": code, "error": "false positive" if got_flag else "missed"}
                )
        primary_hits += report.primary_specialism == ad.primary_specialism
        role_hits += report.social_media_role == ad.social_media_role
        got, want = set(report.demanded_specialisms), set(ad.demanded_specialisms)
        spec.update(tp=len(got & want), fp=len(got - want), fn=len(want - got))
        got_n, want_n = set(report.networks_demanded), set(ad.networks_demanded)
        nets.update(tp=len(got_n & want_n), fp=len(got_n - want_n), fn=len(want_n - got_n))
        got_items = {one_line(clean_text(r.text)) for r in report.requirements}
        want_items = {one_line(clean_text(i.text)) for i in ad.items}
        gold_items += len(want_items)
        found_items += len(want_items & got_items)
        extra_items += len(got_items - want_items)
        if report.primary_specialism != ad.primary_specialism:
            misses.append(
                {"ad": ad.id, "expected": ad.primary_specialism, "got": report.primary_specialism}
            )
    n = max(len(ads), 1)
    return {
        "ads": len(ads),
        "primary_accuracy": round(primary_hits / n, 4),
        "demanded_specialisms": precision_recall_f1(spec["tp"], spec["fp"], spec["fn"]),
        "social_media_role_accuracy": round(role_hits / n, 4),
        "networks_demanded": precision_recall_f1(nets["tp"], nets["fp"], nets["fn"]),
        "segmentation": {
            "item_recall": round(found_items / max(gold_items, 1), 4),
            "item_precision": round(found_items / max(found_items + extra_items, 1), 4),
        },
        "primary_misses": misses,
        "flags": {
            code: precision_recall_f1(c["tp"], c["fp"], c["fn"]) | {"support": c["tp"] + c["fn"]}
            for code, c in flag_counts.items()
        },
        "flag_errors": flag_errors,
    }


def evaluate(
    corpus_dir: Path, predictor: Any, *, settings: Settings | None = None, baseline: bool = True
) -> dict[str, Any]:
    """The model (and the keyword baseline) on the corpus's held-out ads."""
    settings = settings or Settings()
    corpus = load_corpus(corpus_dir)
    items = corpus.test_items
    ads = corpus.held_out_ads
    result: dict[str, Any] = {
        "corpus_sha256": corpus_hash(corpus_dir),
        "held_out_ads": len(ads),
        "held_out_items": len(items),
        "model": {
            "items": evaluate_items(predictor, items),
            "ads": evaluate_ads(predictor, ads, settings),
        },
    }
    if baseline:
        base = keyword_baseline()
        result["baseline"] = {
            "items": evaluate_items(base, items),
            "ads": evaluate_ads(base, ads, settings),
        }
        result["gain_macro_f1"] = round(
            result["model"]["items"]["macro_f1"] - result["baseline"]["items"]["macro_f1"], 4
        )
    return result


def render_evaluation(result: dict[str, Any]) -> str:
    """The evaluation as a readable text report."""
    model, base = result["model"], result.get("baseline")
    lines = [
        f"Held-out evaluation: {result['held_out_ads']} ads, {result['held_out_items']} items "
        f"(corpus {result['corpus_sha256'][:12]})",
        "",
        "Items            model                   keyword baseline",
        "label        precision recall  F1     precision recall  F1     support",
    ]
    for label in LABELS:
        m = model["items"]["per_label"][label]
        b = base["items"]["per_label"][label] if base else None
        right = f"{b['precision']:9.3f} {b['recall']:6.3f} {b['f1']:6.3f}" if b else " " * 23
        lines.append(
            f"{label:<12} {m['precision']:9.3f} {m['recall']:6.3f} {m['f1']:6.3f}   {right}"
            f"   {m['support']:5d}"
        )
    macro = f"macro-F1     {model['items']['macro_f1']:23.3f}"
    if base:
        macro += (
            f"   {base['items']['macro_f1']:22.3f}   (+{result['gain_macro_f1'] * 100:.1f} points)"
        )
    lines += [
        macro,
        "",
        "Confusion (rows: the items' gold labels; columns: labels the model gave them)",
    ]
    lines.append(" " * 12 + "".join(f"{p:>11}" for p in LABELS))
    for label in LABELS:
        row = model["items"]["confusion"][label]
        lines.append(f"{label:<12}" + "".join(f"{row[p]:>11d}" for p in LABELS))
    ads_m = model["ads"]
    lines += ["", "Ads                                   model   baseline"]
    rows = [
        (
            "primary specialism accuracy",
            ads_m["primary_accuracy"],
            base["ads"]["primary_accuracy"] if base else None,
        ),
        (
            "demanded specialisms F1",
            ads_m["demanded_specialisms"]["f1"],
            base["ads"]["demanded_specialisms"]["f1"] if base else None,
        ),
        (
            "social-media role accuracy",
            ads_m["social_media_role_accuracy"],
            base["ads"]["social_media_role_accuracy"] if base else None,
        ),
        ("demanded platforms F1", ads_m["networks_demanded"]["f1"], None),
        ("segmentation: labelled items found", ads_m["segmentation"]["item_recall"], None),
        (
            "segmentation: items found that are labelled",
            ads_m["segmentation"]["item_precision"],
            None,
        ),
    ]
    for name, value, other in rows:
        lines.append(f"{name:<36} {value:6.3f}   " + (f"{other:6.3f}" if other is not None else ""))
    lines += ["", "Flags (whole ads)   precision recall  F1     support"]
    for code, m in ads_m["flags"].items():
        lines.append(
            f"{code:<21} {m['precision']:7.3f} {m['recall']:6.3f} {m['f1']:6.3f}"
            f"   {m['support']:5d}"
        )
    if ads_m["flag_errors"]:
        lines.append(
            "Flag errors: "
            + ", ".join(f"{e['ad']} {e['flag']} ({e['error']})" for e in ads_m["flag_errors"][:12])
        )
    if ads_m["primary_misses"]:
        lines += [
            "",
            "Primary specialism misses: "
            + ", ".join(
                f"{m['ad']} ({m['expected']} -> {m['got']})" for m in ads_m["primary_misses"][:12]
            ),
        ]
    return "\n".join(lines)

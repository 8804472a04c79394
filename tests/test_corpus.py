"""The corpus: size and balance, whole ads consistent with their files, no near-duplicates,
a fixed split by ad, and the held-out targets of the shipped model."""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from jobscope.corpus import Corpus, load_corpus, near_duplicates, propose_split
from jobscope.evaluate import KeywordBaseline, evaluate, keyword_baseline
from jobscope.model import FLAG_CODES, SPECIALISMS
from jobscope.resources import shipped_path

CORPUS = shipped_path("corpus")
NEAR_DUPLICATE = 0.9


@lru_cache(maxsize=1)
def corpus() -> Corpus:
    assert CORPUS is not None
    return load_corpus(CORPUS, check_text=True)  # every item text must stand in its ad file


def test_corpus_size_and_balance() -> None:
    items = corpus().items
    assert len(items) >= 4000
    assert sum(i.lang == "de" for i in items) >= len(items) / 2
    counts = Counter(label for i in items for label in i.labels)
    for label in SPECIALISMS:
        assert counts[label] >= 500, (label, counts[label])
    assert counts["general"] >= 1000


def test_whole_ads_cover_both_languages_and_roles() -> None:
    ads = corpus().ads
    assert len(ads) >= 200
    langs = Counter(ad.lang for ad in ads)
    assert langs["de"] >= 80 and langs["en"] >= 60
    assert sum(ad.social_media_role for ad in ads) >= 100
    assert sum(not ad.social_media_role for ad in ads) >= 40
    assert {ad.primary_specialism for ad in ads} == {*SPECIALISMS, "none"}
    assert {ad.path.suffix for ad in ads} >= {".txt", ".md", ".html"}


def test_no_near_duplicate_items() -> None:
    items = corpus().items
    pairs = near_duplicates([i.text for i in items], threshold=NEAR_DUPLICATE)
    shown = [(items[a].id, items[b].id, round(s, 3)) for a, b, s in pairs[:10]]
    assert not pairs, shown


def test_near_duplicate_search_finds_a_copy() -> None:
    texts = [
        "Du planst unseren Redaktionsplan für Instagram und TikTok",
        "Du planst unseren Redaktionsplan für Instagram und Tiktok!",
        "Abgeschlossenes Studium der Betriebswirtschaft",
    ]
    assert [(a, b) for a, b, _ in near_duplicates(texts, threshold=NEAR_DUPLICATE)] == [(0, 1)]


def test_split_is_fixed_by_rule_and_by_ad() -> None:
    data = corpus()
    assert CORPUS is not None
    frozen = json.loads((CORPUS / "split.json").read_text(encoding="utf-8"))["test_ads"]
    assert frozen == propose_split(data.ads)
    assert len(frozen) >= 45
    train_ads = {i.ad for i in data.train_items}
    test_ads = {i.ad for i in data.test_items}
    assert train_ads.isdisjoint(test_ads)
    assert test_ads == set(frozen)
    assert {ad.lang for ad in data.held_out_ads} == {"de", "en"}


def test_keyword_baseline_predicts_from_word_lists() -> None:
    base = KeywordBaseline(
        {
            "strategy": ("strategie",),
            "video": ("video",),
            "analytics": (),
            "community": ("kommentar",),
        }
    )
    labels, scores = base.predict(["Videos schneiden und Kommentare beantworten", "Studium"])
    assert labels == [["video", "community"], ["general"]]
    assert scores[1]["general"] == 1.0
    assert base.explain("Social-Media-Strategie") == {"strategy": ["strategie"]}


@lru_cache(maxsize=1)
def held_out() -> dict:
    from jobscope.analyze import get_classifier
    from jobscope.settings import Settings

    assert CORPUS is not None
    return evaluate(CORPUS, get_classifier(Settings()))


def test_held_out_targets() -> None:
    """The issue's targets on the held-out ads; CI fails when the model falls below them."""
    result = held_out()
    model = result["model"]
    assert model["items"]["macro_f1"] >= 0.85, model["items"]["macro_f1"]
    assert model["ads"]["primary_accuracy"] >= 0.85, model["ads"]["primary_misses"]
    assert result["gain_macro_f1"] >= 0.15
    assert result["baseline"]["items"]["macro_f1"] == evaluate_baseline_macro()


def test_held_out_flag_targets() -> None:
    """Every flag reaches precision and recall of 0.85 on the held-out ads (issue 4)."""
    flags = held_out()["model"]["ads"]["flags"]
    assert set(flags) == set(FLAG_CODES)
    for code, scores in flags.items():
        assert scores["support"] >= 4, code  # each flag is really tested
        assert scores["precision"] >= 0.85, (code, held_out()["model"]["ads"]["flag_errors"])
        assert scores["recall"] >= 0.85, (code, held_out()["model"]["ads"]["flag_errors"])


def evaluate_baseline_macro() -> float:
    from jobscope.evaluate import evaluate_items

    return evaluate_items(keyword_baseline(), corpus().test_items)["macro_f1"]


def test_evaluate_command_on_a_small_corpus(run, tmp_path: Path) -> None:
    """`jobscope evaluate` end to end on a corpus of two whole ads, one held out."""
    root = tmp_path / "corpus"
    (root / "ads" / "mini").mkdir(parents=True)
    (root / "items").mkdir()
    assert CORPUS is not None
    source = CORPUS / "items" / "de-informal.jsonl"
    (root / "items" / "x.jsonl").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    ads = []
    for n, (task, label) in enumerate(
        [
            ("Du schneidest Reels in CapCut", "video"),
            ("Du beantwortest Kommentare auf Instagram", "community"),
        ],
        start=1,
    ):
        (root / "ads" / "mini" / f"00{n}.txt").write_text(
            f"Social Media Manager (m/w/d)\n\nDeine Aufgaben\n- {task}\n", encoding="utf-8"
        )
        ads.append(
            {
                "ad": f"mini-00{n}",
                "file": f"mini/00{n}.txt",
                "lang": "de",
                "title": "Social Media Manager (m/w/d)",
                "date_posted": None,
                "social_media_role": True,
                "primary_specialism": label,
                "demanded_specialisms": [label],
                "networks_demanded": ["instagram"] if n == 2 else [],
                "networks_mentioned": [],
                "flags": ["no_salary"],
                "items": [{"text": task, "section": "tasks", "labels": [label], "optional": False}],
            }
        )
    (root / "ads" / "mini.jsonl").write_text(
        "\n".join(json.dumps(a) for a in ads) + "\n", encoding="utf-8"
    )
    (root / "split.json").write_text(json.dumps({"test_ads": ["mini-002"]}), encoding="utf-8")
    trained = run("train", "--corpus", str(root), "--out", str(tmp_path / "m"), "--folds", "2")
    assert trained.exit_code == 0, trained.stderr
    result = run(
        "evaluate",
        "--corpus",
        str(root),
        "--model",
        str(tmp_path / "m" / "specialism.joblib"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["held_out_ads"] == 1 and data["held_out_items"] == 1
    assert data["model"]["ads"]["primary_accuracy"] == 1.0
    text = run(
        "evaluate", "--corpus", str(root), "--model", str(tmp_path / "m" / "specialism.joblib")
    )
    assert "macro-F1" in text.stdout and "keyword baseline" in text.stdout


def test_broken_ad_labels_are_reported_with_their_line(tmp_path: Path) -> None:
    from jobscope.corpus import load_ad_batch
    from jobscope.errors import FormatError

    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "001.txt").write_text("Job\n\nTasks\n- Edit video\n", encoding="utf-8")
    row = {
        "ad": "b-001",
        "file": "b/001.txt",
        "lang": "en",
        "title": "Job",
        "date_posted": None,
        "social_media_role": True,
        "primary_specialism": "video",
        "demanded_specialisms": ["video"],
        "networks_demanded": [],
        "networks_mentioned": [],
        "flags": [],
        "items": [{"text": "Edit videos", "section": "tasks", "labels": ["video"]}],
    }
    (tmp_path / "b.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"b\.jsonl:1 item 1: text not found"):
        load_ad_batch(tmp_path / "b.jsonl")

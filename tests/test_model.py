"""The specialism model: verification against its card, rebuild from the corpus, corpus sync."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from jobscope.classify import load_classifier, verify
from jobscope.corpus import corpus_hash, load_corpus
from jobscope.errors import ModelVerificationError
from jobscope.resources import shipped_path
from jobscope.settings import Settings
from jobscope.train import CARD_FILE, MODEL_FILE

MODELS = shipped_path("models")
CORPUS = shipped_path("corpus")


def _card() -> dict:
    assert MODELS is not None
    return json.loads((MODELS / CARD_FILE).read_text(encoding="utf-8"))


def test_model_card_matches_the_corpus() -> None:
    """Fails when corpus/ changed without `jobscope train`."""
    assert CORPUS is not None
    card = _card()
    assert card["corpus_sha256"] == corpus_hash(CORPUS)
    assert card["corpus_items"] == len(load_corpus(CORPUS).items)
    assert card["cross_validation"]["macro_f1"] > 0.6


def test_shipped_model_verifies_with_the_cards_sklearn() -> None:
    import sklearn

    if sklearn.__version__ != _card()["sklearn_version"]:
        pytest.skip(
            f"scikit-learn {sklearn.__version__} here, card has {_card()['sklearn_version']}"
        )
    assert MODELS is not None
    assert verify(MODELS / MODEL_FILE)["sha256"] == _card()["sha256"]
    assert not load_classifier().rebuilt


def test_first_corpus_has_both_languages_and_all_labels() -> None:
    assert CORPUS is not None
    items = load_corpus(CORPUS).items
    assert len(items) >= 600
    langs = {i.lang for i in items}
    assert langs == {"de", "en"}
    for label in ("strategy", "video", "analytics", "community", "general"):
        assert sum(label in i.labels for i in items) >= 60, label


def _copy_models(tmp_path: Path) -> Path:
    assert MODELS is not None
    target = tmp_path / "models"
    target.mkdir()
    for name in (MODEL_FILE, CARD_FILE):
        shutil.copy(MODELS / name, target / name)
    return target


def test_classifier_predicts_labels_and_scores() -> None:
    classifier = load_classifier()  # the shipped model, or its rebuild on another scikit-learn
    labels, scores = classifier.predict(
        [
            "Du schneidest Reels und TikToks in CapCut",
            "You reply to comments and DMs on Instagram every day",
            "Abgeschlossenes Studium der Betriebswirtschaft",
        ]
    )
    assert labels == [["video"], ["community"], ["general"]]
    assert set(scores[0]) == {"strategy", "video", "analytics", "community", "general"}


def test_tampered_shipped_model_is_rebuilt_with_a_message(tmp_path: Path, caplog) -> None:
    models = _copy_models(tmp_path)
    with (models / MODEL_FILE).open("ab") as handle:
        handle.write(b"tampered")
    settings = Settings(cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="jobscope"):
        classifier = load_classifier(settings, models_dir=models)
    assert classifier.rebuilt
    assert "does not match its card" in caplog.text and "rebuilding" in caplog.text
    assert classifier.path.parent == tmp_path / "cache" / "models"
    assert classifier.predict(["Du schneidest Reels in CapCut"])[0] == [["video"]]
    # The verified rebuild is reused on the next start, without training again.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="jobscope"):
        again = load_classifier(settings, models_dir=models)
    assert again.rebuilt and "rebuilding" not in caplog.text


def test_other_sklearn_version_triggers_a_rebuild(tmp_path: Path, caplog) -> None:
    models = _copy_models(tmp_path)
    card = json.loads((models / CARD_FILE).read_text(encoding="utf-8"))
    card["sklearn_version"] = "0.0.1"
    (models / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="jobscope"):
        classifier = load_classifier(Settings(cache_dir=tmp_path / "cache"), models_dir=models)
    assert classifier.rebuilt
    assert "scikit-learn 0.0.1" in caplog.text


def test_model_without_card_is_refused(tmp_path: Path) -> None:
    assert MODELS is not None
    model = tmp_path / "mine.joblib"
    shutil.copy(MODELS / MODEL_FILE, model)
    with pytest.raises(ModelVerificationError, match="no model card"):
        load_classifier(Settings(model_path=model))


def test_train_writes_model_and_card(tmp_path: Path) -> None:
    from jobscope.train import train

    corpus = tmp_path / "corpus"
    (corpus / "items").mkdir(parents=True)
    assert CORPUS is not None
    lines = (CORPUS / "items" / "de-informal.jsonl").read_text(encoding="utf-8").splitlines()
    (corpus / "items" / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = train(corpus, tmp_path / "out", folds=3)
    assert verify(result.model_path)["corpus_sha256"] == corpus_hash(corpus)
    assert (tmp_path / "out" / "MODEL_CARD.md").read_text(encoding="utf-8").count(
        "| strategy |"
    ) == 1
    assert result.card["cross_validation"]["folds"] == 3

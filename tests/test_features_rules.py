"""The model's feature extraction, threshold tuning and the ad-level context rule."""

from __future__ import annotations

import numpy as np
import pytest

from jobscope.analyze import analyze, apply_role_context, has_social_context
from jobscope.features import Analyzer, CharGrams, FastTfidf, prepare, word_features
from jobscope.ingest import ad_from_text
from jobscope.model import Requirement
from jobscope.train import decide, tune_thresholds
from tests.conftest import corpus_item_texts


def test_analyzer_words_bigrams_and_compound_affixes() -> None:
    features = Analyzer(affix_lengths=(4,), min_word=7)(
        "Social-Media-Redaktionsplan für Follower:innen"
    )
    assert {"social", "media", "redaktionsplan", "social media", "<reda", "plan>"} <= set(features)
    assert "follower" in features and "innen" not in features  # gender form folded


def test_fast_tfidf_equals_scikit_learn_tfidf() -> None:
    """The fast counting path gives the same matrix as TfidfVectorizer with the same analyzer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = prepare(
        [
            "Du schneidest Reels und Shorts",
            "Reporting zu Reichweite und Reels",
            "Du moderierst Kommentare",
            "Studium",
        ]
    )
    fast = FastTfidf(analyzer=word_features).fit(texts)
    reference = TfidfVectorizer(analyzer=word_features, sublinear_tf=True).fit(texts)
    unseen = prepare(["Du schneidest Reels und moderierst Kommentare zu Reichweite unbekanntwort"])
    got = fast.transform(unseen).toarray()[:, :-1]  # the last column collects unknown features
    assert np.allclose(got, reference.transform(unseen).toarray())
    assert fast.transform(unseen).toarray()[0, -1] == 0.0


def test_char_grams_stay_inside_words() -> None:
    grams = CharGrams((3,))(prepare(["Reels TikTok"])[0])
    assert " re" in grams and "ls " in grams and "tik" in grams
    assert not any(" " in g.strip() for g in grams)  # no n-gram spans two words


_EDGE_TEXTS = [
    "",
    "   ",
    "ab cd ef",  # only words shorter than min_word
    "Reels Reels Reels Reels",  # one word many times
    "C++ und C# für Content-Creator:innen",
    "Straße ÄÖÜ İstanbul ﬁnanzen 😀 Kommunikation",
    "Bewegtbildformate\nSocial-Media-Redaktionsplan\tCommunity",
]


@pytest.mark.parametrize("sizes", [(3, 5), (4,)])
@pytest.mark.parametrize("min_word", [1, 5])
def test_char_grams_word_by_word_give_the_same_matrix(
    sizes: tuple[int, ...], min_word: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastTfidf reads a CharGrams analyzer word by word, remembering each word's columns:
    its matrix equals, value for value, that of the analyzer run on the whole text (a bound
    method, which has no word_grams), on every corpus item and on edge cases, also when the
    memory of words starts anew on the way."""
    import jobscope.features as features

    grams = CharGrams(sizes, min_word)
    texts = prepare(corpus_item_texts())
    fast = FastTfidf(analyzer=grams, min_df=2).fit(texts[::2])
    whole = FastTfidf(analyzer=grams.__call__, min_df=2).fit(texts[::2])
    assert fast.vocabulary_ == whole.vocabulary_
    unseen = texts[1::2] + prepare(_EDGE_TEXTS)
    expected = whole.transform(unseen)
    for cache_size in (50_000, 7):
        monkeypatch.setattr(features, "_WORD_CACHE_SIZE", cache_size)
        fast.__dict__.pop("_word_columns", None)
        for _ in range(2):  # the second time from memory
            got = fast.transform(unseen)
            assert np.array_equal(got.indptr, expected.indptr)
            assert np.array_equal(got.indices, expected.indices)
            assert np.array_equal(got.data, expected.data)
        assert 0 < len(fast.__dict__["_word_columns"]) <= cache_size


def test_remembered_word_columns_are_not_pickled() -> None:
    import pickle

    texts = prepare(["Du schneidest Reels und Shorts", "Reporting zu Reichweite und Reels"])
    fast = FastTfidf(analyzer=CharGrams((3,), 1)).fit(texts)
    before = pickle.dumps(fast)
    fast.transform(texts)
    assert fast.__dict__["_word_columns"]
    assert pickle.dumps(fast) == before
    again = pickle.loads(before)
    assert np.array_equal(again.transform(texts).toarray(), fast.transform(texts).toarray())


def test_thresholds_are_tuned_per_label() -> None:
    y = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    scores = np.array([[0.3, 0.1, 0, 0], [0.35, 0.2, 0, 0], [0.1, 0.9, 0, 0], [0.05, 0.6, 0, 0]])
    chosen = tune_thresholds(scores, y)
    assert chosen[0] <= 0.3  # label 0 is only ever scored low: a low threshold catches it
    assert 0.6 < chosen[1] <= 0.9
    assert decide(scores, chosen) == [["strategy"], ["strategy"], ["video"], ["general"]]


@pytest.mark.parametrize(
    ("text", "social"),
    [
        ("Sie erstellen das monatliche Reporting mit KPIs für die Geschäftsführung", False),
        ("Du postest ab und zu auf unserem Instagram-Account", True),
        ("Pflege unserer Social-Media-Kanäle", True),
        ("Du lieferst dem Social-Media-Team Fotos und Zeitpläne", False),
        ("Share keyword insights with the social team", False),
        ("Measure the reach of our internal channels", False),
        ("Reply to comments on our Facebook page", True),
        ("Mehr unter instagram.com/acme", False),  # a link is no work on the platform
        (
            "Koordination unserer Marketingkanäle (Fachzeitschriften, Messen, Website und Social Media)",
            False,
        ),
        ("You oversee press, events, the website and social media", False),
        (
            "Betreuung der Kanäle Website, Newsletter und Social Media",
            True,
        ),  # hands-on, not overseen
        ("Interesse an digitalen Themen und Social Media", False),
        ("A passion for social media", False),
        ("Leidenschaft für Social Media und Erfahrung im Posten auf Instagram", True),
    ],
)
def test_social_context(text: str, social: bool) -> None:
    assert has_social_context(text) is social


def test_context_rule_only_outside_social_roles() -> None:
    reqs = [
        Requirement(
            text="Monatliches KPI-Reporting für die Geschäftsführung",
            section="tasks",
            labels=["analytics"],
        )
    ]
    apply_role_context(reqs, social_role=True)
    assert reqs[0].labels == ["analytics"]
    apply_role_context(reqs, social_role=False)
    assert reqs[0].labels == ["general"] and reqs[0].context_rule


def test_accountant_with_kpi_reporting_demands_no_specialism() -> None:
    report = analyze(
        ad_from_text(
            "Buchhalter (m/w/d)\n\nIhre Aufgaben\n- Kreditorenbuchhaltung in DATEV\n"
            "- Sie erstellen das monatliche Reporting mit den wichtigsten KPIs für die Geschäftsführung\n"
            "- Monatsabschlüsse vorbereiten\n\nFolgen Sie uns auf LinkedIn und Instagram!",
            source_kind="stdin",
            location="-",
        )
    )
    assert not report.social_media_role
    assert report.primary_specialism == "none" and report.demanded_specialisms == []
    assert report.networks_demanded == [] and set(report.networks_mentioned) == {
        "linkedin",
        "instagram",
    }


def test_side_job_keeps_its_social_work() -> None:
    report = analyze(
        ad_from_text(
            "Office Manager (m/w/d)\n\nDeine Aufgaben\n- Du organisierst Termine und Reisen\n"
            "- Du bestellst Büromaterial\n- Du pflegst Ablage und Post\n"
            "- Nebenbei postest du zweimal pro Woche auf unserem Instagram-Account und beantwortest Kommentare\n",
            source_kind="stdin",
            location="-",
        )
    )
    assert not report.social_media_role
    assert report.primary_specialism == "community"
    assert report.networks_demanded == ["instagram"]


def test_explanations_use_the_features_the_model_sees() -> None:
    """--explain must read the prepared text (folded, compounds split), not the raw one: only
    then can the compound's parts, the strongest strategy terms here, appear."""
    from jobscope.classify import load_classifier

    classifier = load_classifier()
    terms = classifier.explain("Du erstellst den Social-Media-Redaktionsplan und planst Kampagnen")
    assert "redaktionsplan" in terms["strategy"]
    assert "social media" in terms["strategy"]

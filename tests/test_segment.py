"""Sections and requirement items, on ads we wrote in both languages and in all their forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobscope.ingest import ad_from_text, load_ad
from jobscope.model import JobAd
from jobscope.segment import (
    heading_kind,
    is_optional_item,
    requirement_items,
    segment,
    split_sentences,
)
from tests.conftest import ad_cases

CASES = ad_cases()


def _collapse(kinds: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for kind in kinds:
        if not out or out[-1] != kind:
            out.append(kind)
    return out


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0].name for c in CASES])
def test_fixture_ads_are_segmented_as_labelled(source: Path, expected: dict) -> None:
    ad = load_ad(str(source))
    sections = segment(ad)
    items = requirement_items(sections)
    texts = [item.text for item in items]
    assert ad.title == expected["title"]
    kinds = _collapse([(s.kind, s.optional) for s in sections])
    assert [k for k, _ in kinds] == _collapse_plain(expected["sections"]), kinds
    assert len(items) >= expected["requirements_min"]
    for sample in expected["requirement_samples"]:
        assert sample in texts
    for sentence in expected["not_requirements"]:
        assert not any(sentence in text for text in texts)


def _collapse_plain(kinds: list[str]) -> list[str]:
    # Expected kinds list a nice-to-have block as a second "profile"; keep that distinction.
    out: list[str] = []
    for kind in kinds:
        if not out or out[-1] != kind or kind == "profile":
            out.append(kind)
    return out


def _ad(text: str) -> JobAd:
    return ad_from_text(text, source_kind="stdin", location="-")


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Deine Aufgaben", "tasks"),
        ("Ihre Aufgaben:", "tasks"),
        ("Das erwartet dich", "tasks"),
        ("Was Sie bei uns bewegen", "tasks"),
        ("What you'll do 🚀", "tasks"),
        ("Responsibilities", "tasks"),
        ("About the role", "tasks"),
        ("Das bringst du mit", "profile"),
        ("Ihr Profil", "profile"),
        ("Was Sie mitbringen", "profile"),
        ("Anforderungen", "profile"),
        ("Requirements", "profile"),
        ("What we're looking for", "profile"),
        ("Who you are", "profile"),
        ("Nice to have", "optional"),
        ("Von Vorteil", "optional"),
        ("Was wir bieten", "benefits"),
        ("Das bieten wir dir", "benefits"),
        ("Was dich bei uns erwartet", "benefits"),
        ("Perks & benefits", "benefits"),
        ("What we offer", "benefits"),
        ("Über uns", "about"),
        ("Wer wir sind", "about"),
        ("About us", "about"),
        ("So bewirbst du dich", "application"),
        ("Kontakt", "application"),
        ("How to apply", "application"),
        ("Interessiert?", "application"),
        ("Sehr gute Deutschkenntnisse", None),
        ("Du postest täglich auf Instagram", None),
    ],
)
def test_heading_kinds(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


def test_all_heading_forms_german() -> None:
    text = (
        "Werkstudent Social Media (m/w/d)\n\n"
        "# Über uns\nWir sind eine Agentur in Köln.\n\n"
        "**Deine Aufgaben**\n- Du planst Posts für Instagram\n- Du schneidest Reels\n\n"
        "Das bringst du mit:\n* Erste Erfahrung mit TikTok\n* Gute Deutschkenntnisse\n\n"
        "WAS WIR BIETEN\n• Flexible Arbeitszeiten\n"
    )
    sections = segment(_ad(text))
    assert [s.kind for s in sections] == ["about", "tasks", "profile", "benefits"]
    items = requirement_items(sections)
    assert [i.text for i in items][:2] == ["Du planst Posts für Instagram", "Du schneidest Reels"]
    assert "Flexible Arbeitszeiten" not in [i.text for i in items]


def test_html_headings_bold_paragraphs_and_lists() -> None:
    html = (
        "<h2>Your role</h2><ul><li>Plan our content calendar for LinkedIn</li>"
        "<li>Edit short-form video</li></ul>"
        "<p><strong>What you bring</strong></p><ul><li>Three years in social media</li></ul>"
        "<p><b>Benefits</b></p><p>Free lunch and a bike.</p>"
    )
    ad = JobAd(title="Social Media Manager", description=html, description_format="html")
    sections = segment(ad)
    assert [s.kind for s in sections] == ["tasks", "profile", "benefits"]
    assert [i.text for i in requirement_items(sections)] == [
        "Plan our content calendar for LinkedIn",
        "Edit short-form video",
        "Three years in social media",
    ]


@pytest.mark.parametrize(
    "bullet", ["-", "*", "•", "·", "–", "▪", "►", "✅", "👉", "🔹", "▪️", "1.", "2)"]
)
def test_bullet_forms(bullet: str) -> None:
    text = f"Job\n\nYour tasks\n{bullet} Reply to comments on Instagram\n{bullet} Report weekly on reach\n"
    items = requirement_items(segment(_ad(text)))
    assert [i.text for i in items] == ["Reply to comments on Instagram", "Report weekly on reach"]


def test_wrapped_bullet_is_one_item() -> None:
    text = "Job\n\nIhre Aufgaben:\n- Sie betreuen unsere Kanäle auf Instagram und\n  LinkedIn mit viel Gespür\n- Sie werten aus\n"
    items = requirement_items(segment(_ad(text)))
    assert items[0].text == "Sie betreuen unsere Kanäle auf Instagram und LinkedIn mit viel Gespür"
    assert len(items) == 2


def test_plain_line_inside_a_list_stays_an_item() -> None:
    text = "Job\n\nDein Profil\n- Studium\nSehr gute Deutschkenntnisse\n- Teamgeist\n"
    items = requirement_items(segment(_ad(text)))
    assert "Sehr gute Deutschkenntnisse" in [i.text for i in items]


def test_inline_heading_with_content() -> None:
    text = "Job\n\nIhre Aufgaben: Sie planen Kampagnen. Sie moderieren Kommentare.\n\nWir bieten: Obst.\n"
    sections = segment(_ad(text))
    assert [s.kind for s in sections] == ["tasks", "benefits"]
    assert [i.text for i in requirement_items(sections)] == [
        "Sie planen Kampagnen.",
        "Sie moderieren Kommentare.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Sie betreuen z. B. Instagram. Sie planen u. a. Reels.", 2),
        ("Du arbeitest ca. 20 Std. pro Woche, bzw. nach Absprache. Du startest am 1. März.", 2),
        ("You will run our channels, e.g. TikTok and Instagram. You report weekly.", 2),
        ("Wir suchen ab sofort Verstärkung! Bist du dabei? Dann los.", 3),
    ],
)
def test_sentence_splitting_respects_abbreviations(text: str, sentences: int) -> None:
    assert len(split_sentences(text)) == sentences


@pytest.mark.parametrize(
    ("item", "optional"),
    [
        ("Erfahrung mit Meta Ads von Vorteil", True),
        ("Idealerweise Erfahrung mit TikTok", True),
        ("Kenntnisse in After Effects sind wünschenswert", True),
        ("Experience with Reddit is a plus", True),
        ("Ideally you have run a Discord server", True),
        ("Mehrjährige Erfahrung in der Buchhaltung, idealerweise im Baugewerbe", False),
        ("Excellent written English; German is a plus", False),
        ("At least two years of community management, ideally for a game studio", False),
        ("Du planst unsere Posts", False),
    ],
)
def test_optional_items(item: str, optional: bool) -> None:
    assert is_optional_item(item) is optional


def test_nice_to_have_section_marks_its_items_optional() -> None:
    text = "Job\n\nRequirements\n- Two years of paid social\n\nNice to have\n- Discord experience\n"
    items = requirement_items(segment(_ad(text)))
    assert [(i.text, i.section, i.optional) for i in items] == [
        ("Two years of paid social", "profile", False),
        ("Discord experience", "profile", True),
    ]


def test_prose_ad_without_headings_finds_its_parts() -> None:
    text = (
        "Social Media Betreuung (m/w/d)\n\n"
        "Der Sportverein Blau-Weiß e.V. wurde 1921 gegründet.\n\n"
        "Zu Ihren Aufgaben gehören die Pflege unseres Instagram-Kanals und die Beantwortung von Kommentaren.\n\n"
        "Sie bringen Erfahrung im Umgang mit sozialen Netzwerken mit.\n\n"
        "Wir bieten eine Vergütung von 520 € im Monat.\n\n"
        "Bewerbungen bitte per E-Mail an den Vorstand."
    )
    sections = segment(_ad(text))
    assert [s.kind for s in sections] == ["about", "tasks", "profile", "benefits", "application"]
    assert len(requirement_items(sections)) == 2


def test_gender_forms_survive_in_items() -> None:
    text = "Social Media Manager:in (m/w/d)\n\nDeine Aufgaben\n- Du betreust unsere Follower*innen und Kolleg_innen\n"
    items = requirement_items(segment(_ad(text)))
    assert items[0].text == "Du betreust unsere Follower*innen und Kolleg_innen"


@pytest.mark.parametrize(
    "text",
    [
        "Mind. 3 Jahre Erfahrung mit TikTok. Du arbeitest gern im Team.",
        "Z. B. Reels und Stories. Du arbeitest gern im Team.",
        "E.g. Reels and Stories. You like working in a team.",
    ],
)
def test_an_abbreviation_starting_a_sentence_does_not_end_it(text: str) -> None:
    assert len(split_sentences(text)) == 2


# --- fast paths: the same results as the plain forms they replace ---------------------------------

_FAST_PATH_TEXTS = [
    "⚡ Deine Aufgaben:",
    "**Was dich erwartet** 🚀",
    "Social Media Manager:in (m/w/d)",
    "Mitarbeiter*innen und NutzerInnen – Referent/-in",
    "Kolleg_innen · Follower·innen",
    "Keine Marke hier, nur Text ohne Punkt",
    "Ein Text mit \u2024 einem Punktführer ohne Punkt",
    "Z. B. Reels. 3. Platz! Fragen? Schreib uns…",
    "  zwei  Leerzeichen\tund Tab  ",
    "$ 100 + 5 = € ^ | ~ < >",
    "\x07Steuerzeichen\x1b und \u200b Zero-Width",
]


def _reference_bare(text: str) -> str:
    import unicodedata

    from jobscope.normalize import fold_gender, one_line

    trailing_punct = re.compile(r"[\s:;.,!?…–—-]+$")  # the pattern _bare used before
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in {"S", "C"} or ch == " ")
    text = fold_gender(text).strip(" *_#:|-–—")
    return trailing_punct.sub("", one_line(text)).lower()


def _reference_fold_gender(text: str) -> str:
    from jobscope.normalize import _BINNEN_I, _GENDER_SUFFIX, GENDER_TAG

    text = GENDER_TAG.sub(" ", text)
    text = _GENDER_SUFFIX.sub("", text)
    return _BINNEN_I.sub("", text)


def _reference_split_sentences(text: str) -> list[str]:
    from jobscope.segment import _ABBREVIATIONS, _ORDINAL, _PLACEHOLDER, _SENTENCE_END

    # The plain alternation of the abbreviations, longest first (before they were grouped).
    abbreviations = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
        + ")",
        re.IGNORECASE,
    )
    protected = abbreviations.sub(lambda m: m.group(0).replace(".", _PLACEHOLDER), text)
    protected = _ORDINAL.sub(lambda m: m.group(1) + _PLACEHOLDER, protected)
    parts = _SENTENCE_END.split(protected)
    return [p.replace(_PLACEHOLDER, ".").strip() for p in parts if p.strip()]


def _fixture_lines() -> list[str]:
    from jobscope.ingest import load_ad

    lines = list(_FAST_PATH_TEXTS)
    for source, _expected in CASES:
        ad = load_ad(str(source))
        lines += f"{ad.title}\n{ad.description}".splitlines()
    return lines


def test_fast_paths_give_the_plain_results() -> None:
    from jobscope.normalize import fold_gender, has_gender_form
    from jobscope.segment import _bare

    for line in _fixture_lines():
        assert _bare(line) == _reference_bare(line), line
        assert fold_gender(line) == _reference_fold_gender(line), line
        assert has_gender_form(line) == (_reference_fold_gender(line) != line), line
        assert split_sentences(line) == _reference_split_sentences(line), line


def test_abbreviations_stay_protected_in_every_form() -> None:
    from jobscope.segment import _ABBREVIATIONS

    for abbreviation in _ABBREVIATIONS:
        for form in (abbreviation, abbreviation.upper(), abbreviation.lower()):
            text = f"Wir nutzen {form} Canva. Du planst Posts."
            assert split_sentences(text) == _reference_split_sentences(text), text


def test_clean_text_collapses_spaces_only_where_there_are_two() -> None:
    from jobscope.normalize import clean_text

    assert clean_text("a  b\n\n\n c   d \nnone here") == "a b\n\nc d\nnone here"


def test_prose_kind_among_answers_as_prose_kind() -> None:
    from jobscope.segment import _prose_kind, _prose_kind_among

    kind_sets = [
        frozenset({"application"}),
        frozenset({"application", "benefits"}),
        frozenset({"about", "other"}),
        frozenset({"tasks"}),
    ]
    for line in _fixture_lines():
        kind = _prose_kind(line)
        for kinds in kind_sets:
            assert _prose_kind_among(line, kinds) == (kind if kind in kinds else None), line

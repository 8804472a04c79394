"""Reading ads: HTML with and without JobPosting data, JSON records, CSV/JSONL, text decoding."""

from __future__ import annotations

import codecs
import json
from datetime import date
from pathlib import Path

import pytest

from jobscope.decode import decode_bytes
from jobscope.errors import BinaryInputError, DecodeError, EmptyInputError, FormatError
from jobscope.extract import html_to_ad, parse_date, posting_date_from_text
from jobscope.ingest import iter_records, load_ad, record_to_ad
from jobscope.normalize import clean_text, fold_gender, model_text
from tests.conftest import ADS, EXAMPLES


def _page(
    *blocks: str, body: str = "<main><h1>Fallback title</h1><p>Visible text.</p></main>"
) -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head><title>Page</title>{scripts}</head><body>{body}</body></html>"


POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Community Manager (m/w/d)",
    "description": "<h3>Deine Aufgaben</h3><ul><li>Du moderierst unseren Discord</li></ul>",
    "datePosted": "2026-05-04T09:00:00+02:00",
    "hiringOrganization": {"@type": "Organization", "name": "Kiezküche GmbH"},
    "jobLocation": {
        "@type": "Place",
        "address": {"addressLocality": "Berlin", "addressCountry": "DE"},
    },
    "baseSalary": {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 42000,
            "maxValue": 48000,
            "unitText": "YEAR",
        },
    },
}


def test_jsonld_jobposting_fields() -> None:
    ad = html_to_ad(_page(json.dumps(POSTING)))
    assert ad.title == "Community Manager (m/w/d)"
    assert ad.company == "Kiezküche GmbH"
    assert ad.location == "Berlin, DE"
    assert ad.date_posted == date(2026, 5, 4)
    assert ad.salary == {"min": 42000.0, "max": 48000.0, "currency": "EUR", "unit": "YEAR"}
    assert ad.structured == "jsonld"


def test_jsonld_graph_type_list_and_several_blocks() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "WebPage", "name": "x"}, {**POSTING, "@type": ["JobPosting"]}],
    }
    crumbs = {"@type": "BreadcrumbList", "itemListElement": []}
    ad = html_to_ad(_page(json.dumps(crumbs), json.dumps(graph)))
    assert ad.title == "Community Manager (m/w/d)"


def test_broken_jsonld_block_does_not_lose_the_valid_one() -> None:
    ad = html_to_ad(
        _page('{"@type": "Organization", "name": ', json.dumps(POSTING) + " trailing junk;")
    )
    assert ad.title == "Community Manager (m/w/d)"


def test_html_escaped_description_and_entities() -> None:
    posting = {
        **POSTING,
        "description": "&lt;ul&gt;&lt;li&gt;Du planst Reels &amp; Stories&lt;/li&gt;&lt;/ul&gt;",
    }
    ad = html_to_ad(_page(json.dumps(posting)))
    assert ad.description_format == "html"
    from jobscope.segment import requirement_items, segment

    assert [i.text for i in requirement_items(segment(ad))] == ["Du planst Reels & Stories"]


def test_organisation_given_by_id_reference() -> None:
    ad = load_ad(str(ADS / "de-jsonld-graph.html"))
    assert ad.company == "Lindqvist Fördertechnik GmbH"
    assert "instagram.com" in ad.context  # the organisation's sameAs links are page context


def test_visible_text_without_chrome() -> None:
    ad = load_ad(str(ADS / "en-headings-html.html"))
    assert ad.structured is None
    for chrome in ("track(", "cookies", "privacy notice"):
        assert chrome not in ad.description
    assert "Instagram" in ad.context


def test_record_field_aliases() -> None:
    ad = record_to_ad(
        {
            "Titel": "Social Media Manager",
            "Stellenbeschreibung": "Aufgaben\n- Posts",
            "Arbeitgeber": "Acme",
            "veroeffentlicht_am": "2026-09-14",
            "refnr": 17,
        }
    )
    assert (ad.title, ad.company, ad.date_posted, ad.id) == (
        "Social Media Manager",
        "Acme",
        date(2026, 9, 14),
        "17",
    )
    assert ad.description_format == "markdown"


def test_jsonl_and_csv_records_keep_going_after_a_broken_line() -> None:
    text = '{"title": "a", "text": "x"}\n{broken\n{"title": "b", "text": "y"}\n'
    records = list(iter_records(text, kind="jsonl", what="ads.jsonl"))
    assert [n for n, _ in records] == [1, 2, 3]
    assert isinstance(records[1][1], FormatError) and "line 2" in str(records[1][1])
    rows = list(
        iter_records("title;description\nA;Text eins\nB;Text zwei\n", kind="csv", what="ads.csv")
    )
    assert [r["title"] for _, r in rows] == ["A", "B"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-09-14", date(2026, 9, 14)),
        ("2026-09-14T08:00:00Z", date(2026, 9, 14)),
        ("14.09.2026", date(2026, 9, 14)),
        ("soon", None),
        ("2026-02-30", None),
        (None, None),
    ],
)
def test_parse_date(value, expected) -> None:
    assert parse_date(value) == expected


def test_posting_date_in_text_is_not_a_start_date_or_deadline() -> None:
    assert posting_date_from_text("Stellenanzeige vom 12.03.2026.") == date(2026, 3, 12)
    assert posting_date_from_text("Posted: 2026-05-01") == date(2026, 5, 1)
    assert posting_date_from_text("Start zum 01.11.2026, Bewerbung bis zum 15.10.2026") is None


# --- decoding and normalisation -------------------------------------------------------------------

GERMAN = "Für München suchen wir eine:n Social-Media-Manager:in – Gehalt 3.500 € brutto, Straße 5."


@pytest.mark.parametrize(
    "data",
    [
        GERMAN.encode("utf-8"),
        codecs.BOM_UTF8 + GERMAN.encode("utf-8"),
        GERMAN.encode("utf-16"),
        GERMAN.encode("cp1252"),
    ],
)
def test_decoding_by_bom_utf8_and_detection(data: bytes) -> None:
    text, _ = decode_bytes(data)
    assert text.lstrip("\ufeff") == GERMAN


def test_declared_charset_wins() -> None:
    text, encoding = decode_bytes("Grüße".encode("latin-1"), declared="ISO-8859-1")
    assert text == "Grüße" and encoding == "iso8859-1"


def test_cp1252_fixture_decodes() -> None:
    ad = load_ad(str(ADS / "de-cp1252.txt"))
    expected = json.loads((ADS / "de-cp1252.expected.json").read_text(encoding="utf-8"))
    assert ad.title == expected["title"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyInputError),
        (b"   \n", EmptyInputError),
        (b"%PDF-1.7\n...", BinaryInputError),
        (b"abc\x00def" * 10, BinaryInputError),
        (bytes(range(128, 256)) * 20, DecodeError),
    ],
)
def test_bad_bytes(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_bytes(data)


def test_clean_text_repairs_what_ads_arrive_with() -> None:
    raw = (
        "Social\u00a0Media-Redak\u00adtions\u200bplan &amp; mehr\r\nfÃ¼r MÃ¼nchen\r\n\r\n\r\n\tEnde"
    )
    assert clean_text(raw) == "Social Media-Redaktionsplan & mehr\nfür München\n\nEnde"


def test_mojibake_fixture_is_repaired() -> None:
    ad = load_ad(str(ADS / "de-mojibake.txt"))
    assert "Ã" not in ad.title + ad.description
    assert "ü" in ad.description or "ä" in ad.description


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Manager:in", "Manager"),
        ("Mitarbeiter*innen", "Mitarbeiter"),
        ("Kolleg_innen", "Kolleg"),
        ("NutzerInnen", "Nutzer"),
        ("Redakteur/-in", "Redakteur"),
    ],
)
def test_gender_forms_fold_for_matching(text: str, folded: str) -> None:
    assert fold_gender(text) == folded


def test_model_text_splits_compounds_and_tags() -> None:
    assert model_text("Social-Media-Redaktionsplan (m/w/d) für 3 Follower:innen").split() == [
        "social",
        "media",
        "redaktionsplan",
        "für",
        "0",
        "follower",
    ]


def test_examples_are_our_own_files() -> None:
    assert len(list(EXAMPLES.glob("*.expected.json"))) >= 4
    assert all(p.stat().st_size < 20_000 for p in EXAMPLES.iterdir())


def test_load_ad_reads_a_single_record_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(
        json.dumps({"title": "Community Lead", "body": "Your tasks\n- Run our Discord"}) + "\n",
        encoding="utf-8",
    )
    ad = load_ad(str(path))
    assert ad.title == "Community Lead" and ad.source_kind == "file"


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("42.000", 42000.0),
        ("42,000", 42000.0),
        ("42.000,50", 42000.5),
        ("42,000.50", 42000.5),
        ("46 000", 46000.0),
        ("3,5", 3.5),
        ("18.50", 18.5),
        (52000, 52000.0),
    ],
)
def test_structured_salary_numbers_as_sites_write_them(written: object, number: float) -> None:
    from jobscope.extract import salary_from_jsonld

    salary = salary_from_jsonld(
        {"currency": "EUR", "value": {"value": written, "unitText": "YEAR"}}
    )
    assert salary is not None
    assert salary["min"] == number

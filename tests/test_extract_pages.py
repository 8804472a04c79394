"""One fetched page -> the fields of a scrape record: JSON-LD, microdata, visible text."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from jobscope.errors import FormatError
from jobscope.extract import (
    GOOGLE_REQUIRED_PROPERTIES,
    html_to_ad,
    html_to_marked_text,
    jsonld_jobpostings,
    microdata_jobpostings,
    page_fields,
    soup_of,
)
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages"
LACKS = "JobPosting lacks Google's required properties: "


def fields_of(name: str) -> dict[str, Any]:
    return page_fields(
        (PAGES / name).read_text(encoding="utf-8"), url=f"https://jobs.example/{name}"
    )


def ld_page(*blocks: Any, body: str = "<main><p>Visible text.</p></main>") -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    return f"<html><head>{scripts}</head><body>{body}</body></html>"


COMPLETE: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Social Media Manager (m/w/d)",
    "description": "<h3>Deine Aufgaben</h3><ul><li>Du planst Reels</li></ul>",
    "datePosted": "2026-05-04",
    "hiringOrganization": {"@type": "Organization", "name": "Seeadler Segelschule GmbH"},
    "jobLocation": {"@type": "Place", "address": {"addressLocality": "Rostock"}},
}


def microdata_page(inner: str) -> str:
    return (
        '<html><body><div itemscope itemtype="http://schema.org/JobPosting">'
        f"{inner}</div></body></html>"
    )


# --- the fixture pages ------------------------------------------------------------------------


def test_fixture_pages_are_the_seven_served_in_network_tests() -> None:
    assert sorted(p.name for p in PAGES.glob("*.html")) == [
        "jsonld-broken.html",
        "jsonld-clean.html",
        "jsonld-entities.html",
        "jsonld-graph.html",
        "jsonld-several.html",
        "microdata.html",
        "plain.html",
    ]


def test_jsonld_clean() -> None:
    fields = fields_of("jsonld-clean.html")
    assert list(fields) == [
        "title",
        "company",
        "location",
        "date_posted",
        "valid_through",
        "employment_type",
        "salary",
        "description_html",
        "description_text",
        "source",
        "identifier",
        "notes",
    ]
    assert fields["title"] == "Social Media Manager (m/w/d)"
    assert fields["company"] == "Nordlicht Naturkosmetik GmbH"
    assert fields["location"] == "Hamburg, DE"
    assert (fields["date_posted"], fields["valid_through"]) == ("2026-03-02", "2026-04-30")
    assert fields["employment_type"] == "FULL_TIME, PART_TIME"
    assert fields["salary"] == {"min": 46000.0, "max": 54000.0, "currency": "EUR", "unit": "YEAR"}
    assert fields["identifier"] == "NL-SMM-2026-07"
    assert fields["source"] == "jsonld"
    assert fields["notes"] == []
    assert fields["description_html"].startswith("<p>Nordlicht Naturkosmetik stellt")
    assert (
        "<li>Du drehst und schneidest kurze Reels in unserer Manufaktur</li>"
        in fields["description_html"]
    )
    lines = fields["description_text"].splitlines()
    assert "# Deine Aufgaben" in lines
    assert "- Du planst unseren Redaktionsplan für Instagram, TikTok und Pinterest" in lines
    for chrome in ("Cookies", "Alle akzeptieren", "Start", "Über uns"):
        assert chrome not in fields["description_text"]


def test_jsonld_graph_with_organisation_by_id() -> None:
    fields = fields_of("jsonld-graph.html")
    assert fields["title"] == "Content Creator Social Media (w/m/d)"
    assert fields["company"] == "Hafenblick Reisen GmbH"
    assert fields["location"] == "Bremen, Bremen, DE"
    assert (fields["date_posted"], fields["valid_through"]) == ("2026-02-20", "2026-03-31")
    assert fields["employment_type"] == "FULL_TIME"
    assert (fields["source"], fields["notes"], fields["salary"], fields["identifier"]) == (
        "jsonld",
        [],
        None,
        None,
    )
    lines = fields["description_text"].splitlines()
    assert "# Was dich erwartet" in lines  # a bold-only paragraph reads as a heading
    assert "- Führerschein Klasse B" in lines


def test_jsonld_several_blocks_resolve_the_organisation_of_another_block() -> None:
    fields = fields_of("jsonld-several.html")
    assert fields["title"] == "Community Manager (all genders)"
    assert fields["company"] == "Pixelpfad Games GmbH"
    assert fields["location"] == "Leipzig, DE"
    assert fields["date_posted"] == "2026-01-12"
    assert fields["salary"] == {"min": 4100.0, "max": 4100.0, "currency": "EUR", "unit": "MONTH"}
    assert fields["notes"] == []
    assert "Careers" not in fields["description_text"]  # the breadcrumb is no posting
    assert "- Host our monthly community livestream on Twitch" in fields["description_text"]


def test_jsonld_entities_are_unescaped() -> None:
    fields = fields_of("jsonld-entities.html")
    assert fields["title"] == "Social Media Manager – Paid & Organic"
    assert fields["company"] == "M&M Media GmbH"
    assert fields["location"] == "München, DE"
    assert fields["identifier"] == "MM-0412"
    assert fields["employment_type"] == "CONTRACTOR"
    assert fields["notes"] == []
    # The description came HTML-escaped: it is unescaped once, to HTML.
    assert fields["description_html"].startswith("<h2>What you will do</h2><ul><li>")
    lines = fields["description_text"].splitlines()
    assert "# What you will do" in lines
    assert "- Plan Reels & Stories for three food brands" in lines
    assert "- Run paid campaigns on Meta & TikTok with budgets up to €20,000 a month" in lines


def test_jsonld_broken_block_and_trailing_junk() -> None:
    fields = fields_of("jsonld-broken.html")
    assert fields["title"] == "Werkstudent Social Media (m/w/d)"
    assert fields["company"] == "Feldlerche Bio-Bäckerei KG"
    assert fields["location"] == "Freiburg im Breisgau, DE"
    assert fields["employment_type"] == "PART_TIME"
    assert fields["date_posted"] is None
    assert fields["notes"] == [LACKS + "datePosted"]
    # A plain-text description (with raw line breaks in the JSON string) stays as it is ...
    assert fields["description_text"].splitlines()[:2] == [
        "Über uns",
        "Die Feldlerche backt seit 1998 mit Mehl aus dem Markgräflerland.",
    ]
    assert "- Du pflegst unseren WhatsApp-Kanal" in fields["description_text"].splitlines()
    # ... and its HTML is the same text, escaped, in paragraphs.
    assert fields["description_html"].startswith("<p>Über uns<br>\nDie Feldlerche backt")
    assert fields["description_html"].count("<p>") == 3


def test_microdata() -> None:
    fields = fields_of("microdata.html")
    assert fields["source"] == "microdata"
    assert fields["title"] == "Social Media Redakteur (m/w/d)"
    assert fields["company"] == "Wattwurm Verlag GmbH"
    assert fields["location"] == "Kiel, Schleswig-Holstein, DE"
    assert (fields["date_posted"], fields["valid_through"]) == ("2026-02-16", "2026-03-31")
    assert fields["employment_type"] == "FULL_TIME"
    assert fields["salary"] == {"min": 3200.0, "max": 3800.0, "currency": "EUR", "unit": "MONTH"}
    assert fields["identifier"] == "WV-2026-014"
    assert fields["notes"] == []
    assert "<h3>Deine Aufgaben</h3>" in fields["description_html"]
    lines = fields["description_text"].splitlines()
    assert "# Dein Profil" in lines
    assert "- Du planst Lesungen als Livestreams" in lines
    assert "Stellen" not in fields["description_text"]


def test_plain_page_reads_the_main_content_without_chrome() -> None:
    fields = fields_of("plain.html")
    assert fields["source"] == "html"
    assert fields["notes"] == [
        "no schema.org JobPosting on the page; text taken from the visible page"
    ]
    assert fields["title"] == "Social Media Specialist (m/w/d)"
    assert fields["date_posted"] == "2026-03-05"  # "Stellenanzeige vom 05.03.2026"
    assert [
        fields[k] for k in ("company", "location", "valid_through", "salary", "identifier")
    ] == [None] * 5
    assert fields["description_html"].startswith("<h1>Social Media Specialist (m/w/d)</h1>")
    text = fields["description_text"]
    assert "# Das erwartet dich" in text.splitlines()
    assert "- Du entwickelst Formate für Instagram, YouTube und Pinterest" in text.splitlines()
    for chrome in ("Start | Jobs", "Cookies", "Alle akzeptieren", "Folge uns", "Impressum"):
        assert chrome not in text
        assert chrome not in fields["description_html"]


def test_microdata_page_through_html_to_ad() -> None:
    ad = html_to_ad((PAGES / "microdata.html").read_text(encoding="utf-8"))
    assert ad.structured == "microdata"
    assert (ad.title, ad.company, ad.date_posted) == (
        "Social Media Redakteur (m/w/d)",
        "Wattwurm Verlag GmbH",
        date(2026, 2, 16),
    )
    assert ad.description_format == "html"
    assert "instagram.com/wattwurm" in ad.context  # the organisation's sameAs


# --- microdata ----------------------------------------------------------------------------------


def test_nested_organisation_name_stays_with_the_organisation() -> None:
    markup = microdata_page(
        '<div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">'
        '<span itemprop="name">Möwenpick Fischräucherei</span></div>'
        '<p itemprop="description">Wir suchen jemanden für unseren TikTok-Kanal.</p>'
    )
    (posting,) = microdata_jobpostings(soup_of(markup))
    assert "name" not in posting
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Möwenpick Fischräucherei",
    }
    ad = html_to_ad(markup)
    assert ad.title == "" and ad.company == "Möwenpick Fischräucherei"


def test_microdata_value_rules() -> None:
    markup = microdata_page(
        '<h2 itemprop="title">Community <b>Manager</b>  (m/w/d)</h2>'
        '<a itemprop="url sameAs" href="https://jobs.example/42">zur Anzeige</a>'
        '<img itemprop="image" src="/team.jpg" alt="Team">'
        '<time itemprop="datePosted" datetime="2026-06-01T08:00">1. Juni</time>'
        '<time itemprop="validThrough">2026-06-30</time>'
        '<data itemprop="identifier" value="CM-9">Kennziffer CM-9</data>'
        '<meter itemprop="experienceInYears" value="2">zwei</meter>'
        '<span itemprop="employmentType">FULL_TIME</span><span itemprop="employmentType">PART_TIME</span>'
        '<span itemprop="https://schema.org/industry">Tourismus</span>'
    )
    (posting,) = microdata_jobpostings(soup_of(markup))
    assert posting == {
        "@type": "JobPosting",
        "title": "Community Manager (m/w/d)",
        "url": "https://jobs.example/42",
        "sameAs": "https://jobs.example/42",
        "image": "/team.jpg",
        "datePosted": "2026-06-01T08:00",
        "validThrough": "2026-06-30",
        "identifier": "CM-9",
        "experienceInYears": "2",
        "employmentType": ["FULL_TIME", "PART_TIME"],
        "industry": "Tourismus",
    }
    fields = page_fields(markup)
    assert fields["employment_type"] == "FULL_TIME, PART_TIME"
    assert (fields["date_posted"], fields["valid_through"]) == ("2026-06-01", "2026-06-30")
    assert fields["identifier"] == "CM-9"


def test_microdata_description_keeps_its_html_and_an_identifier_property_value() -> None:
    markup = microdata_page(
        '<span itemprop="title">Video Editor</span>'
        '<div itemprop="identifier" itemscope itemtype="https://schema.org/PropertyValue">'
        '<meta itemprop="name" content="Kranich Film"><meta itemprop="value" content="KF-3"></div>'
        '<div itemprop="description"><h4>Aufgaben</h4><ul><li>Schnitt &amp; Farbe</li></ul></div>'
    )
    fields = page_fields(markup)
    assert fields["identifier"] == "KF-3"
    assert fields["description_html"] == "<h4>Aufgaben</h4><ul><li>Schnitt &amp; Farbe</li></ul>"
    assert fields["description_text"] == "# Aufgaben\n\n- Schnitt & Farbe"


def test_jsonld_wins_over_microdata() -> None:
    markup = ld_page(COMPLETE, body=microdata_page('<span itemprop="title">Other</span>'))
    assert page_fields(markup)["source"] == "jsonld"
    assert html_to_ad(markup).structured == "jsonld"


# --- notes --------------------------------------------------------------------------------------


def test_required_properties() -> None:
    assert GOOGLE_REQUIRED_PROPERTIES == (
        "datePosted",
        "description",
        "hiringOrganization",
        "title",
        "jobLocation",
    )
    assert page_fields(ld_page(COMPLETE))["notes"] == []
    sparse = {"@type": "JobPosting", "title": "Social Media Manager", "description": "Reels."}
    assert page_fields(ld_page(sparse))["notes"] == [
        LACKS + "datePosted, hiringOrganization, jobLocation"
    ]
    empty_org = {**COMPLETE, "hiringOrganization": {"@type": "Organization", "name": " "}}
    assert page_fields(ld_page(empty_org))["notes"] == [LACKS + "hiringOrganization"]


def test_a_telecommute_posting_needs_no_job_location() -> None:
    remote = {key: value for key, value in COMPLETE.items() if key != "jobLocation"}
    assert page_fields(ld_page({**remote, "jobLocationType": "TELECOMMUTE"}))["notes"] == []
    assert page_fields(ld_page(remote))["notes"] == [LACKS + "jobLocation"]


def test_microdata_posting_without_required_properties_gets_the_note() -> None:
    fields = page_fields(microdata_page('<h1 itemprop="title">Social Media Manager</h1>'))
    assert fields["source"] == "microdata"
    assert fields["notes"] == [LACKS + "datePosted, description, hiringOrganization, jobLocation"]


# --- JSON-LD robustness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {**COMPLETE, "@type": ["JobPosting", "Thing"]},
        {**COMPLETE, "@type": "http://schema.org/JobPosting"},
        {**COMPLETE, "@type": "schema:JobPosting"},
        [{"@type": "WebSite", "name": "Jobs"}, COMPLETE],
        {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, COMPLETE]},
        {"@type": "WebPage", "mainEntity": COMPLETE},  # a nested node
        json.dumps(COMPLETE) + ";\n/* tracking */ var x = {a: 1};",  # trailing junk
        "// <![CDATA[\n" + json.dumps(COMPLETE) + "\n// ]]>",  # junk before
        json.dumps({"@type": "WebSite"}) + "\n" + json.dumps(COMPLETE),  # two values in one block
        json.dumps(COMPLETE).replace("&", "&amp;").replace('"', "&quot;"),  # an escaped block
        json.dumps(COMPLETE).replace("Du planst", "Du\nplanst\t"),  # raw control characters
    ],
)
def test_jsonld_variants(block: Any) -> None:
    fields = page_fields(ld_page(block))
    assert (fields["source"], fields["title"], fields["company"]) == (
        "jsonld",
        "Social Media Manager (m/w/d)",
        "Seeadler Segelschule GmbH",
    )


def test_a_broken_block_never_loses_the_valid_one() -> None:
    broken = '{"@type": "Organization", "name": "Seeadler'
    for blocks in [(broken, COMPLETE), (COMPLETE, broken)]:
        assert page_fields(ld_page(*blocks))["title"] == "Social Media Manager (m/w/d)"
    # A @graph cut short still yields the nodes before the cut.
    cut = json.dumps({"@graph": [COMPLETE, {"@type": "WebPage", "name": "x"}]})[:-20]
    assert len(jsonld_jobpostings(soup_of(ld_page(cut)))) == 1


def test_several_postings_on_a_page_the_longest_description_wins() -> None:
    teaser = {**COMPLETE, "title": "Teaser", "description": "Kurz."}
    for blocks in [(teaser, COMPLETE), (COMPLETE, teaser)]:
        assert page_fields(ld_page(*blocks))["title"] == "Social Media Manager (m/w/d)"
        assert html_to_ad(ld_page(*blocks)).title == "Social Media Manager (m/w/d)"


def test_entities_in_jsonld_text_fields() -> None:
    posting = {
        **COMPLETE,
        "title": "Social Media Manager:in f&uuml;r B&amp;B-Hotels",
        "hiringOrganization": {"@type": "Organization", "name": "K&amp;K Gastro &#8211; Nord"},
        "jobLocation": {"@type": "Place", "address": {"addressLocality": "L&uuml;beck"}},
    }
    fields = page_fields(ld_page(posting))
    assert fields["title"] == "Social Media Manager:in für B&B-Hotels"
    assert fields["company"] == "K&K Gastro – Nord"
    assert fields["location"] == "Lübeck"


def test_deeply_nested_json_does_not_raise() -> None:
    deep = "[" * 5000 + "]" * 5000
    fields = page_fields(ld_page(deep, json.dumps({"x": [[[[[[COMPLETE]]]]]]})))
    assert fields["title"] == "Social Media Manager (m/w/d)"
    assert page_fields(ld_page(deep))["source"] == "html"


def test_a_plain_text_jsonld_description_stays_as_it_is() -> None:
    posting = {**COMPLETE, "description": "Aufgaben:\n- Reels <30 Sekunden\n- Stories"}
    fields = page_fields(ld_page(posting))
    assert fields["description_text"] == "Aufgaben:\n- Reels <30 Sekunden\n- Stories"
    assert (
        fields["description_html"] == "<p>Aufgaben:<br>\n- Reels &lt;30 Sekunden<br>\n- Stories</p>"
    )


def test_employment_type_and_identifier_shapes() -> None:
    def fields(**extra: Any) -> dict[str, Any]:
        return page_fields(ld_page({**COMPLETE, **extra}))

    assert fields()["employment_type"] is None
    assert fields(employmentType=[])["employment_type"] is None
    assert fields(employmentType="INTERN")["employment_type"] == "INTERN"
    assert fields(identifier=4711)["identifier"] == "4711"
    assert (
        fields(identifier={"@type": "PropertyValue", "name": "Seeadler"})["identifier"]
        == "Seeadler"
    )
    assert fields()["identifier"] is None
    assert fields(validThrough="kein Datum")["valid_through"] is None


# --- broken and empty pages ---------------------------------------------------------------------


@pytest.mark.parametrize("markup", ["", "   \n\t ", "<html><body><nav>Start</nav></body></html>"])
def test_empty_pages_raise_format_error(markup: str) -> None:
    with pytest.raises(FormatError) as caught:
        page_fields(markup, url="https://jobs.example/leer")
    message = str(caught.value)
    assert message.startswith("https://jobs.example/leer: the HTML page ")
    assert "\n" not in message


def test_broken_html_yields_text() -> None:
    fields = page_fields("<html><body><div><p>Social Media Manager<ul><li>Reels")
    assert fields["source"] == "html"
    assert fields["description_text"].splitlines() == ["Social Media Manager", "", "- Reels"]


@pytest.mark.parametrize(
    "markup",
    [
        "<p>Social Media Manager</p><![ broken <p>Reels</p>",  # html.parser rejects this
        "<p>Social Media Manager</p>" + "<div>" * 5000 + "Reels",  # unclosed divs nest deep
        "<p>Social Media Manager</p><div itemscope>" * 3000 + "Reels",
        "<p>Social Media Manager\x00</p><p>&#99999999; &#x110000;</p>",
    ],
)
def test_hostile_html_never_raises_anything_but_format_error(markup: str) -> None:
    assert page_fields(markup)["description_text"].startswith("Social Media Manager")


def test_comments_and_declarations_are_not_text() -> None:
    text = html_to_marked_text(
        "<!DOCTYPE html><main><!-- tracking --><![if !supportLists]><p>Reels</p><![endif]></main>"
    )
    assert text.split() == ["Reels"]

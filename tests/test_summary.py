"""The corpus summary of `jobscope batch`: counting flat rows, folding reposts, and rendering the
counts as Markdown and as one self-contained HTML page."""

from __future__ import annotations

import csv
import gc
import io
import json
import sys
import tracemalloc
from collections.abc import Iterator
from html.parser import HTMLParser
from types import FunctionType, ModuleType
from typing import Any

import pytest

from jobscope import summary as summary_module
from jobscope.model import FLAG_CODES
from jobscope.render_summary import summary_html, summary_markdown
from jobscope.summary import Summary

GENERATED = "generated for the tests"


def _row(**fields: Any) -> dict[str, Any]:
    """A flat row as jobscope batch writes it, with neutral values for what a test leaves out."""
    row: dict[str, Any] = {
        "id": "x",
        "title": "Social Media Manager (m/w/d)",
        "company": None,
        "location": "Berlin",
        "date_posted": None,
        "language": "de",
        "social_media_role": True,
        "primary_specialism": "none",
        "demanded_specialisms": "",
        "strategy": 0.0,
        "video": 0.0,
        "analytics": 0.0,
        "community": 0.0,
        "requirements": 5,
        "networks_demanded": "",
        "networks_mentioned": "",
        "flags": "",
        "score": None,
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "salary_unit": None,
        "fingerprint": "",
        "source_kind": "file",
        "source_location": "ads.jsonl",
    }
    row.update(fields)
    return row


def _hand_made() -> list[dict[str, Any]]:
    return [
        _row(
            id="a",
            language="de",
            primary_specialism="community",
            demanded_specialisms="strategy;community",
            strategy=0.25,
            community=0.75,
            networks_demanded="instagram;facebook",
            networks_mentioned="kununu",
            flags="no_salary",
            score=80,
            date_posted="2024-01-10",
            company="ACME GmbH",
            fingerprint="aaaa000000000001",
        ),
        _row(
            id="b",
            language="de",
            primary_specialism="video",
            demanded_specialisms="strategy;video;analytics;community",
            strategy=0.25,
            video=0.25,
            analytics=0.25,
            community=0.25,
            networks_demanded="instagram;tiktok;youtube;facebook;linkedin;xing",
            flags="kitchen_sink;no_salary;missing_gender_tag",
            score=10,
            date_posted="2024-02-03",
            company="  acme   gmbh ",
            fingerprint="aaaa000000000002",
        ),
        _row(
            id="c",
            language="en",
            primary_specialism="analytics",
            demanded_specialisms="analytics",
            analytics=1.0,
            networks_demanded="linkedin",
            networks_mentioned="instagram",
            score=95,
            fingerprint="aaaa000000000003",
        ),
        _row(
            id="d",
            language="other",
            social_media_role=False,
            networks_mentioned="linkedin",
            flags="no_salary",
            fingerprint="aaaa000000000004",
        ),
    ]


def _summary(rows: list[dict[str, Any]], **options: Any) -> Summary:
    summary = Summary(**options)
    for row in rows:
        summary.add(row)
    return summary


def _as_csv(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The rows written to CSV and read back, as `--resume` sees them: every value a string."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_counts_and_shares_of_a_few_hand_made_ads() -> None:
    data = _summary(_hand_made()).as_dict()

    assert data["totals"] == {
        "rows": 4,
        "ads": 4,
        "reposts": 0,
        "without_fingerprint": 0,
        "failed": 0,
        "failures": {},
    }
    languages = {row["language"]: row for row in data["languages"]}
    assert languages["de"] == {
        "language": "de",
        "ads": 2,
        "share": 0.5,
        "social_media_role": 2,
        "other_role": 0,
    }
    assert (languages["en"]["social_media_role"], languages["en"]["other_role"]) == (1, 0)
    assert (languages["other"]["social_media_role"], languages["other"]["other_role"]) == (0, 1)
    assert data["social_media_role"] == {"ads": 3, "share": 0.75}
    primary = {p["specialism"]: p["ads"] for p in data["primary_specialisms"]}
    assert primary == {"strategy": 0, "video": 1, "analytics": 1, "community": 1, "none": 1}

    spec = data["specialisms"]
    assert (spec["role_ads"], spec["profiled_ads"]) == (3, 3)
    assert spec["mean_share"] == {
        "strategy": round(0.5 / 3, 4),
        "video": round(0.25 / 3, 4),
        "analytics": round(1.25 / 3, 4),
        "community": round(1.0 / 3, 4),
    }
    assert {d["specialism"]: d["ads"] for d in spec["demanded"]} == {
        "strategy": 2,
        "video": 1,
        "analytics": 2,
        "community": 2,
    }
    assert [c["ads"] for c in spec["demanded_count"]] == [0, 1, 1, 0, 1]
    assert spec["three_or_more"] == {"ads": 1, "share": round(1 / 3, 4)}

    platforms = data["platforms"]
    assert [(p["id"], p["ads"]) for p in platforms["top"]] == [
        ("facebook", 2),
        ("instagram", 2),
        ("linkedin", 2),
        ("tiktok", 1),
        ("xing", 1),
        ("youtube", 1),
    ]
    top = {p["id"]: p for p in platforms["top"]}
    assert top["instagram"]["name"] == "Instagram"
    assert top["instagram"]["share"] == 0.5
    assert (top["instagram"]["mentioned_only"], top["facebook"]["mentioned_only"]) == (1, 0)
    assert {p["id"]: p["ads"] for p in platforms["mentioned_only"]} == {
        "instagram": 1,
        "kununu": 1,
        "linkedin": 1,
    }
    assert [c["ads"] for c in platforms["demanded_count"]] == [1, 1, 1, 0, 0, 0, 1]
    assert platforms["mean_demanded"] == 2.25

    flags = {f["code"]: (f["ads"], f["share"]) for f in data["flags"]}
    assert list(flags) == list(FLAG_CODES)
    assert flags["no_salary"] == (3, 0.75)
    assert flags["kitchen_sink"] == (1, 0.25)
    assert flags["always_on"] == (0, 0.0)
    assert data["kitchen_sink"] == {"ads": 1, "share": 0.25}

    score = data["score"]
    assert (score["scored_ads"], score["mean"]) == (3, 61.7)
    assert [b["ads"] for b in score["histogram"]] == [0, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert (score["histogram"][-1]["from"], score["histogram"][-1]["to"]) == (90, 100)
    json.dumps(data)  # serialisable as it is


def test_reposts_are_counted_once_unless_dedupe_is_off() -> None:
    ads = _hand_made()
    repost = dict(ads[1], id="b-again", date_posted="2024-05-01", source_location="other.jsonl")

    summary = Summary()
    assert [summary.add(row) for row in [*ads, repost, repost]] == [True] * 4 + [False] * 2
    data = summary.as_dict()
    assert (data["totals"]["rows"], data["totals"]["ads"], data["totals"]["reposts"]) == (6, 4, 2)
    assert data["kitchen_sink"]["ads"] == 1
    assert [m["month"] for m in data["months"]["rows"]] == ["2024-01", "2024-02"]

    kept = _summary([*ads, repost, repost], dedupe=False).as_dict()
    assert (kept["totals"]["ads"], kept["totals"]["reposts"]) == (6, None)
    assert kept["kitchen_sink"]["ads"] == 3
    assert kept["months"]["rows"][-1]["month"] == "2024-05"


def test_rows_without_fingerprint_are_each_counted() -> None:
    data = _summary([_row(), _row(), _row(fingerprint=None)]).as_dict()
    assert (data["totals"]["ads"], data["totals"]["without_fingerprint"]) == (3, 3)


def test_rows_read_back_from_csv_aggregate_like_typed_rows() -> None:
    typed = _hand_made()
    typed.append(dict(typed[0], id="a-again"))  # a repost
    strings = _as_csv(typed)
    assert strings[3]["social_media_role"] == "False"
    assert strings[3]["score"] == ""

    assert _summary(strings).as_dict() == _summary(typed).as_dict()


def test_loose_spellings_of_booleans_numbers_and_lists_are_read_alike() -> None:
    spelled = [
        _row(social_media_role=value, strategy=share, networks_demanded=nets, fingerprint=str(i))
        for i, (value, share, nets) in enumerate(
            [
                ("true", "1", ["instagram", "tiktok"]),
                ("1", "1.0", "instagram;tiktok;"),
                (True, 1, ("instagram", "tiktok", "instagram")),
            ]
        )
    ]
    data = _summary(spelled).as_dict()
    assert data["social_media_role"]["ads"] == 3
    assert data["specialisms"]["mean_share"]["strategy"] == 1.0
    assert [(p["id"], p["ads"]) for p in data["platforms"]["top"]] == [
        ("instagram", 3),
        ("tiktok", 3),
    ]


def test_garbage_values_count_as_missing_instead_of_failing() -> None:
    data = _summary(
        [
            _row(
                language="fr",
                primary_specialism="juggling",
                score="n/a",
                date_posted="last week",
                strategy="lots",
                flags="kitchen_sink;made_up_flag",
                networks_demanded="myspace;friendster",
            )
        ]
    ).as_dict()
    assert (data["languages"][2]["language"], data["languages"][2]["ads"]) == ("other", 1)
    assert data["primary_specialisms"][-1] == {"specialism": "none", "ads": 1, "share": 1.0}
    assert data["score"]["scored_ads"] == 0
    assert data["months"]["ads_with_date"] == 0
    assert data["flags"][-1] == {"code": "made_up_flag", "ads": 1, "share": 1.0}
    assert {p["id"]: p["name"] for p in data["platforms"]["top"]} == {
        "friendster": "friendster",
        "myspace": "Myspace",
    }


def test_failures_are_counted_by_reason() -> None:
    summary = Summary()
    for reason in ["broken_json", "empty", "broken_json", ""]:
        summary.add_failure(reason)
    totals = summary.as_dict()["totals"]
    assert totals["failures"] == {"broken_json": 2, "empty": 1, "unknown": 1}
    assert totals["failed"] == 4


def test_months_and_companies_appear_only_when_present() -> None:
    undated = _summary([_row(fingerprint=f"{i:x}") for i in range(5)]).as_dict()
    assert undated["months"]["show"] is False
    assert undated["companies"]["show"] is False
    markdown = summary_markdown(undated, generated=GENERATED)
    assert "## Over time" not in markdown and "## By company" not in markdown
    assert "Over time: not shown (0 of 5 ads carry a date" in markdown
    assert 'id="chart-months-ads"' not in summary_html(undated, generated=GENERATED)
    assert 'id="chart-companies"' not in summary_html(undated, generated=GENERATED)

    one_month = _summary(
        [_row(fingerprint="1", date_posted="2024-03-01", company="ACME")]
    ).as_dict()
    assert one_month["months"]["show"] is False  # a single month is no trend
    assert one_month["companies"]["show"] is False  # nor is a single company a comparison

    data = _summary([*_hand_made(), _row(fingerprint="5", company="Beispiel AG")]).as_dict()
    assert data["months"]["show"] is True
    assert data["months"]["ads_with_date"] == 2
    january, february = data["months"]["rows"]
    assert (january["month"], january["ads"], january["kitchen_sink_share"]) == ("2024-01", 1, 0.0)
    assert january["mix"] == {"strategy": 0.25, "video": 0.0, "analytics": 0.0, "community": 0.75}
    assert february["kitchen_sink_share"] == 1.0
    assert [p["id"] for p in data["months"]["platforms"]] == [
        "facebook",
        "instagram",
        "linkedin",
        "tiktok",
        "xing",
    ]
    assert january["platforms"]["instagram"] == 1.0
    assert data["companies"]["show"] is True
    html = summary_html(data, generated=GENERATED)
    assert 'id="chart-months-mix"' in html
    assert 'id="chart-companies"' in html


def test_company_names_group_by_whitespace_and_case_showing_the_first_spelling() -> None:
    data = _summary([*_hand_made(), _row(fingerprint="5", company="Beispiel AG")]).as_dict()
    acme, beispiel = data["companies"]["rows"]
    assert acme == {
        "company": "ACME GmbH",
        "ads": 2,
        "missed_up_to": 0,
        "kitchen_sinks": 1,
        "kitchen_sink_share": 0.5,
        "primary_specialism": "video",  # a tie between community and video: the first in order
        "mean_platforms": 4.0,
        "mean_score": 45.0,
    }
    assert (beispiel["company"], beispiel["mean_score"]) == ("Beispiel AG", None)
    assert (data["companies"]["distinct"], data["companies"]["ads_with_company"]) == (2, 3)


def test_a_long_tail_of_companies_stays_bounded_and_keeps_the_big_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    capacity = 50
    monkeypatch.setattr(summary_module, "COMPANY_CAPACITY", capacity)
    summary = Summary(top=3)
    big = ["Big One", "Big Two", "Big Three"]
    for i in range(capacity * 20):
        summary.add(_row(fingerprint=f"{2 * i:x}", company=f"Tiny {i}"))
        summary.add(_row(fingerprint=f"{2 * i + 1:x}", company=big[i % 3]))
        assert len(summary._companies) <= 2 * capacity
    data = summary.as_dict()
    companies = data["companies"]
    assert (companies["approximate"], companies["distinct"]) == (True, None)
    assert [c["company"] for c in companies["rows"]] == ["Big One", "Big Three", "Big Two"]
    assert [c["ads"] for c in companies["rows"]] == [334, 333, 333]
    assert not any(c["missed_up_to"] for c in companies["rows"])
    assert "too many companies" in summary_markdown(data, generated=GENERATED)


def test_a_company_tallied_late_shows_the_range_of_its_ads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(summary_module, "COMPANY_CAPACITY", 2)
    summary = Summary()
    names = ["A", "A", "B", "C", "D", "E", "late", "late"]
    for i, name in enumerate(names):
        summary.add(_row(fingerprint=f"{i:x}", company=name))
    late = next(c for c in summary.as_dict()["companies"]["rows"] if c["company"] == "late")
    assert (late["ads"], late["missed_up_to"]) == (2, 1)
    markdown = summary_markdown(summary.as_dict(), generated=GENERATED)
    assert "| late | 2–3 |" in markdown


class _Page(HTMLParser):
    """Collects what the tests look at, and checks that every element is closed in order."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})
    SVG_LEAVES = frozenset({"line", "polyline", "circle", "rect", "path"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.svgs: list[dict[str, str | None]] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]
        if tag == "svg":
            self.svgs.append(dict(attrs))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == []
    return page


HOSTILE = '<script>alert("x")</script> & Söhne'
CHARTS = {
    "chart-languages",
    "chart-primary",
    "chart-mix",
    "chart-specialism-count",
    "chart-platforms",
    "chart-platform-count",
    "chart-flags",
    "chart-score",
    "chart-months-ads",
    "chart-months-sinks",
    "chart-months-mix",
    "chart-months-platforms",
    "chart-companies",
}


def test_html_report_is_self_contained_escaped_and_has_an_accessible_svg_per_chart() -> None:
    rows = [*_hand_made(), _row(fingerprint="5", company=HOSTILE, date_posted="2024-02-09")]
    html = summary_html(_summary(rows).as_dict(), generated=GENERATED)
    page = _parse(html)

    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Söhne" in html
    assert HOSTILE in "".join(page.text)  # shown as text, not run
    for tag, name, value in page.attrs:
        assert name not in {"src", "href", "srcset", "action", "xlink:href"}, (tag, name, value)
    assert "http://" not in html and "https://" not in html and "url(" not in html
    assert {"style", "svg", "table"} <= page.tags
    assert not page.tags & {"script", "link", "img", "iframe", "object"}

    assert {svg["id"] for svg in page.svgs} == CHARTS
    assert html.count("<svg") == len(CHARTS)
    for svg in page.svgs:
        assert svg["role"] == "img"
        assert f'<title id="{svg["aria-labelledby"]}">' in html
    assert "prefers-color-scheme:dark" in html
    assert GENERATED in html


def test_html_numbers_have_thousands_separators_and_one_decimal_percentages() -> None:
    summary = Summary()
    for i in range(1234):
        summary.add(_row(fingerprint=f"{i:x}", flags="kitchen_sink" if i % 3 == 0 else ""))
    html = summary_html(summary.as_dict(), generated=GENERATED)
    assert "<b>1,234</b>" in html
    assert "33.4 %" in html  # 412 of 1,234 kitchen sinks


def test_markdown_escapes_untrusted_text_in_tables() -> None:
    rows = [
        *_hand_made(),
        _row(fingerprint="5", company="Pipes | and\nnewlines [x](javascript:y) <b>"),
    ]
    markdown = summary_markdown(_summary(rows).as_dict(), generated=GENERATED)
    line = next(line for line in markdown.splitlines() if "Pipes" in line)
    assert "Pipes \\| and newlines \\[x\\](javascript:y) \\<b\\>" in line
    assert line.replace("\\|", "").count("|") == 7  # six columns
    assert "## What stands out" in markdown
    assert "| kitchen_sink | 1 | 20.0 % |" in markdown
    assert "`█████" in markdown  # text bars


def test_highlights_say_what_stands_out() -> None:
    markdown = summary_markdown(_summary(_hand_made()).as_dict(), generated=GENERATED)
    lead = markdown.split("## What stands out")[1].split("##")[0]
    assert "25.0 % of ads are kitchen sinks" in lead
    assert "Facebook is the most demanded platform (50.0 % of ads)" in lead
    assert "33.3 % of social-media roles demand three or more" in lead


@pytest.mark.parametrize("failures", [[], ["broken_json"]])
def test_an_empty_summary_renders_and_says_so(failures: list[str]) -> None:
    summary = Summary()
    for reason in failures:
        summary.add_failure(reason)
    data = summary.as_dict()
    json.dumps(data)
    markdown = summary_markdown(data, generated=GENERATED)
    html = summary_html(data, generated=GENERATED)
    assert "No ads were counted" in markdown
    assert "No ads were counted" in "".join(_parse(html).text)
    if failures:
        assert "broken_json" in markdown and "broken_json" in html


def _stream(start: int, stop: int) -> Iterator[dict[str, Any]]:
    """Distinct ads from a few dozen companies over two years, as a real corpus repeats them.
    The fingerprints are spread over 64 bits, as real ones are (a bijection of the index)."""
    template = _hand_made()
    for i in range(start, stop):
        yield dict(
            template[i % 4],
            fingerprint=f"{i * 0x9E3779B97F4A7C15 % 2**64:016x}",
            company=f"Company {i % 40}",
            date_posted=f"{2023 + i % 2}-{i % 12 + 1:02d}-15",
        )


def _deep_size(root: object, *, skip: object = None) -> int:
    """Bytes of `root` and everything it holds (not classes, functions or modules); `skip` and
    what only it holds are left out."""
    seen = {id(skip)}
    size, todo = 0, [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, ModuleType, FunctionType)):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return size


def _add(summary: Summary, start: int, stop: int) -> None:
    for row in _stream(start, stop):
        summary.add(row)


def test_memory_stays_flat_however_many_ads_go_in() -> None:
    summary = Summary()
    _add(summary, 0, 10_000)
    at_10k = _deep_size(summary, skip=summary._seen)
    _add(summary, 10_000, 100_000)
    at_100k = _deep_size(summary, skip=summary._seen)
    # Counters and tallies only: ten times the ads, (almost) the same size (measured: 23 KB,
    # then 27 KB, as counts outgrow Python's cached small ints).
    assert at_100k - at_10k < 16 * 1024, (at_10k, at_100k)

    # The fingerprints of the ads counted grow by design, to fold reposts: one 64-bit int
    # (36 bytes) and one set slot (16 bytes, at a load between 1/4 and 3/5) per ad: measured
    # 88 bytes an ad after 10,000 ads and 78 after 100,000 (CPython 3.11, 64-bit). A kept row
    # would take kilobytes.
    per_ad = _deep_size(summary._seen) / summary.ads
    assert per_ad < 120, per_ad


def test_memory_stays_flat_in_the_whole_process() -> None:
    """Nothing outside the summary grows either (a cache, a global): traced allocations while
    10,000 more ads go in, after the first 10,000 made every month and company known."""
    summary = Summary(dedupe=False)
    _add(summary, 0, 10_000)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _add(summary, 10_000, 20_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 32 * 1024, grown  # measured: 9 KB, counts outgrowing the cached small ints

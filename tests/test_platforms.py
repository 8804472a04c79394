"""The platform table and the detection of demanded versus mentioned platforms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jobscope.analyze import analyze
from jobscope.ingest import ad_from_text, load_ad
from jobscope.platforms import find_platforms, platforms
from tests.conftest import ad_cases

CASES = ad_cases()
CONTRACT_IDS = [
    "facebook",
    "instagram",
    "tiktok",
    "youtube",
    "x",
    "linkedin",
    "xing",
    "pinterest",
    "snapchat",
    "threads",
    "whatsapp",
    "telegram",
    "twitch",
    "reddit",
    "discord",
    "bluesky",
    "mastodon",
    "tumblr",
    "vimeo",
    "blog",
    "podcast",
    "newsletter",
    "kununu",
    "google_plus",
    "vine",
    "periscope",
]
DEFUNCT = ["google_plus", "vine", "periscope", "friendfeed", "identica", "ello"]


def test_table_covers_the_platforms_ads_name() -> None:
    table = platforms()
    assert len(table) >= 40
    for pid in [*CONTRACT_IDS, "seniorbook", "plague", "clubhouse"]:
        assert pid in table, pid
    for pid in DEFUNCT:
        assert table[pid].shutdown is not None, pid
        assert not table[pid].active_on(date(2026, 1, 1))
    assert table["threads"].launched is not None and table["threads"].launched.year == 2023
    assert table["instagram"].active_on(date(2026, 1, 1))


def ids(text: str) -> list[str]:
    return list(dict.fromkeys(pid for pid, *_ in find_platforms(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Betreuung von Insta, FB und YT", ["instagram", "facebook", "youtube"]),
        ("Du postest auf IG und LinkedIn", ["instagram", "linkedin"]),
        ("Instagram-Kanal, TikTok-Videos und XING-Profil", ["instagram", "tiktok", "xing"]),
        ("Reels und YouTube Shorts produzieren", ["instagram", "youtube"]),
        ("Kampagnen über Meta Ads steuern", ["facebook", "instagram"]),
        ("Posts für X (ehemals Twitter)", ["x"]),
        ("Twitter/X und Threads betreuen", ["x", "threads"]),
        ("Instagram, X und LinkedIn", ["instagram", "x", "linkedin"]),
        ("Beiträge für den Unternehmensblog und den Newsletterversand", ["blog", "newsletter"]),
        ("E-Mail-Kampagnen und Podcastfolgen", ["newsletter", "podcast"]),
        ("Erfahrung mit Google+ und Vine", ["google_plus", "vine"]),
        ("Mindestens 5 Jahre Erfahrung mit Threads", ["threads"]),
        ("Facebook Messenger betreuen", ["facebook_messenger"]),
    ],
)
def test_aliases_formats_and_groups(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sie antworten in Threads und Foren",  # an ordinary word, no platform beside it
        "Wir nutzen X als Platzhalter",
        "Ein Mitarbeiter (m/w/x) für die Buchhaltung",
        "Fig. 2 shows the igloo",  # IG only as written, not inside words
        "Bitte senden Sie Mailings per Post",  # postal mailings are no newsletter
        "Große Metadaten-Bestände pflegen",
    ],
)
def test_words_that_are_not_platforms(text: str) -> None:
    assert ids(text) == []


def test_links_are_mentions_not_demands() -> None:
    hits = find_platforms("Mehr unter https://www.instagram.com/acme und pinterest.co.uk/acme")
    assert [(pid, link) for pid, _, _, link in hits] == [("instagram", True), ("pinterest", True)]


def _report(text: str):
    return analyze(ad_from_text(text, source_kind="stdin", location="-"))


def test_demanded_in_tasks_mentioned_in_footer_and_application() -> None:
    report = _report(
        "Social Media Manager (m/w/d)\n\nDeine Aufgaben\n- Du betreust Instagram und TikTok\n\n"
        "Wir bieten\n- Ein Team, das auch auf LinkedIn aktiv ist\n\n"
        "Bewerbung\nBewirb dich gern per WhatsApp.\nFolge uns auf Facebook, XING und YouTube!"
    )
    assert report.networks_demanded == ["instagram", "tiktok"]
    assert set(report.networks_mentioned) == {"linkedin", "whatsapp", "facebook", "xing", "youtube"}


def test_follow_us_line_inside_the_tasks_is_a_mention() -> None:
    report = _report(
        "Job\n\nYour tasks\n- Reply to comments on Instagram\n- Follow us on Twitch and Discord!\n"
    )
    assert report.networks_demanded == ["instagram"]
    assert report.networks_mentioned == ["twitch", "discord"]


def test_nice_to_have_platforms_are_mentions() -> None:
    report = _report(
        "Job\n\nRequirements\n- Two years on TikTok\n\nNice to have\n- Experience with Reddit\n"
    )
    assert report.networks_demanded == ["tiktok"]
    assert report.networks_mentioned == ["reddit"]


def test_a_platform_in_the_title_is_demanded() -> None:
    report = _report("TikTok Creator (m/w/d)\n\nDeine Aufgaben\n- Du drehst kurze Videos\n")
    assert report.networks_demanded == ["tiktok"]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0].name for c in CASES])
def test_fixture_ads_platforms_as_labelled(source: Path, expected: dict) -> None:
    report = analyze(load_ad(str(source)))
    assert set(report.networks_demanded) == set(expected["networks_demanded"])
    assert set(report.networks_mentioned) == set(expected["networks_mentioned"])
    for hit in report.platform_hits:
        assert hit.evidence  # every judgement quotes the ad

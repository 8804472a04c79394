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


# --- the prefilter: only matchers that can match run, and they find what a full scan finds ------


def _prefilter_texts() -> list[str]:
    """Lines of the example and fixture ads, and texts made to trip a prefilter up."""
    texts = [
        "You Tube",
        "Du betreust unseren You-Tube-Kanal",
        "Beiträge für den Unternehmensblog und die Podcastfolgen",  # compound aliases inside words
        "Mehr unter pinterest.co.uk/acme und www.instagram.com/acme",  # a country domain
        "Du postest täglich on X",  # an ambiguous alias beside a context word
        "X und Threads betreuen",
        "Kampagnen im Meta Business Manager und FB-Ads",
        "E-Mail-Marketing und Newsletter",
        "Posts für X (ehemals Twitter) und Google+",
        "İNSTAGRAM und ınstagram",  # letters that re.IGNORECASE equates with i
        "Reels, YouTube Shorts und TikToks",
        "identi.ca und musical.ly",
        "https://t.co/abc und m.me/acme",
    ]
    for source, _expected in CASES:
        ad = load_ad(str(source))
        texts += [line for line in f"{ad.title}\n{ad.description}".splitlines() if line.strip()]
    return texts


PREFILTER_TEXTS = _prefilter_texts()


def test_the_prefilter_never_drops_a_matcher_that_matches() -> None:
    from jobscope.normalize import contains_any, fold_case
    from jobscope.platforms import _index, _matchers
    from jobscope.prefilter import needles_in

    links, aliases = _matchers()
    for text in PREFILTER_TEXTS:
        possible_links, possible_aliases = _index().candidates(needles_in(text))
        possible = {matcher for matcher, _starts in possible_aliases}
        for matcher in links:
            if matcher.pattern.search(text):
                assert matcher in possible_links, (matcher.pattern.pattern[:60], text)
                assert contains_any(fold_case(text), matcher.literals), matcher.literals
        for matcher in aliases:
            if matcher.pattern.search(text):
                assert matcher in possible, (matcher.pattern.pattern[:60], text)


def test_matches_at_start_words_are_those_of_a_full_scan() -> None:
    from jobscope.normalize import fold_case
    from jobscope.platforms import _index, _matches
    from jobscope.prefilter import needles_in

    for text in [*PREFILTER_TEXTS, "YouTube, You Tube, you-tube: Instagram Threads, Threads"]:
        _links, aliases = _index().candidates(needles_in(text))
        for matcher, starts in aliases:
            found = [m.span() for m in _matches(matcher, starts, text, fold_case(text))]
            assert found == [m.span() for m in matcher.pattern.finditer(text)], text


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("instagram", {("instagram", frozenset({"instagram"}))}),
        (
            "You Tube",
            {("youtube", frozenset({"youtube"})), ("you", frozenset({"you", "tube"}))},
        ),
        ("e-mail-kampagnen", {("e", frozenset({"e", "kampagnen"}))}),
        (
            "x (ehemals twitter)",
            {("x", frozenset({"x", "twitter"})), ("x", frozenset({"x", "ehemalstwitter"}))},
        ),
        ("google +", {("google", frozenset({"google"}))}),
        ("+4", None),
    ],
)
def test_the_words_every_match_of_an_alias_has(alias: str, expected: object) -> None:
    from jobscope.platforms import _written_words

    assert _written_words(alias) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You Tube", ["youtube"]),
        ("Du betreust unseren You-Tube-Kanal", ["youtube"]),
        ("Beiträge für den Unternehmensblog und die Podcastfolgen", ["blog", "podcast"]),
        ("Du postest täglich on X", ["x"]),
        ("İNSTAGRAM", ["instagram"]),
    ],
)
def test_tricky_aliases_are_still_found(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_a_country_domain_is_a_link() -> None:
    hits = find_platforms("Mehr unter pinterest.co.uk/acme")
    assert [(pid, link) for pid, _, _, link in hits] == [("pinterest", True)]


def _all_characters() -> str:
    return "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_fold_case_folds_as_re_ignorecase_does_for_every_needle_letter() -> None:
    """A prefilter looks for folded needles in folded text: every character that
    re.IGNORECASE lets match a needle's letter must fold to that letter."""
    import re

    from jobscope import flags, salary, segment
    from jobscope.normalize import fold_case
    from jobscope.platforms import _index, _matchers, mention_cue
    from jobscope.prefilter import _needles

    flags._lists(), salary._rules(), segment._patterns(), mention_cue(), _index()
    letters = {char for needle in _needles.needles for char in needle.strip()}
    letters |= {char for m in _matchers()[0] for piece in m.literals for char in piece}
    everything = _all_characters()
    for letter in sorted(letters):
        for m in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            assert fold_case(m.group(0)) == letter, (letter, hex(ord(m.group(0))))


def test_fold_case_keeps_every_character_one_character_and_its_word_class() -> None:
    import re

    from jobscope.normalize import fold_case

    word = re.compile(r"\w")
    for char in _all_characters():
        folded = fold_case(char)
        assert len(folded) == 1, hex(ord(char))
        assert bool(word.match(char)) == bool(word.match(folded)), hex(ord(char))

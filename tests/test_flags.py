"""The red-flag stage: every flag of LABELS.md ("Flags") on small ads written here, in German and
English, with the near misses a social-media lead would not flag; salary parsing; messages,
severities, disabled flags and the realism score."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import pytest

from jobscope.analyze import analyze
from jobscope.errors import UsageError
from jobscope.experience import experience_demands, is_demand, years_of
from jobscope.extract import salary_from_jsonld
from jobscope.flags import detect_flags, has_gender_marker, realism_score, worst_at_least
from jobscope.model import FLAG_CODES, Flag, JobAd, Report
from jobscope.resources import load_json
from jobscope.salary import parse_salary
from jobscope.settings import DEFAULT_PENALTY, Settings

DAY = date(2026, 11, 1)
SETTINGS = Settings(reference_date=DAY)
MESSAGES = load_json("messages.json")["flags"]

DE_PAY = "Gehalt: 45.000 - 55.000 EUR brutto/Jahr"
EN_PAY = "Salary: $52,000 - $60,000 per year"


def check(title: str, description: str, settings: Settings = SETTINGS, **fields: Any) -> Report:
    """Analyse an ad written inline, judged at DAY unless it has its own date."""
    return analyze(JobAd(title=title, description=description, **fields), settings=settings)


def codes(report: Report) -> list[str]:
    return [f.code for f in report.flags]


def get(report: Report, code: str) -> Flag:
    found = [f for f in report.flags if f.code == code]
    assert found, f"{code} not raised; raised: {codes(report)}"
    return found[0]


def bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def de_ad(
    tasks: Sequence[str],
    profile: Sequence[str] = ("Erfahrung im Social Media Management",),
    offer: Sequence[str] = (DE_PAY,),
    sie: bool = False,
) -> str:
    """A German ad with the usual headings, in du form or (sie=True) in Sie form."""
    heads = ("Ihre Aufgaben", "Ihr Profil") if sie else ("Deine Aufgaben", "Dein Profil")
    return (
        f"{heads[0]}\n{bullets(tasks)}\n\n{heads[1]}\n{bullets(profile)}\n\n"
        f"Wir bieten\n{bullets(offer)}"
    )


def en_ad(
    tasks: Sequence[str],
    profile: Sequence[str] = ("Experience in social media management",),
    offer: Sequence[str] = (EN_PAY,),
) -> str:
    return (
        f"Your tasks\n{bullets(tasks)}\n\nWhat you bring\n{bullets(profile)}\n\n"
        f"What we offer\n{bullets(offer)}"
    )


def message_language(flag: Flag) -> str | None:
    """The language of a flag's message, told by the fixed text its template starts with."""
    for lang in ("de", "en"):
        if flag.message.startswith(MESSAGES[flag.code][lang]["message"].split("{")[0]):
            return lang
    return None


# --- one ad per flag and language that raises it -----------------------------------------------


@dataclass(frozen=True)
class Ad:
    title: str
    description: str
    date_posted: date | None = None

    def report(self, settings: Settings = SETTINGS) -> Report:
        return check(self.title, self.description, settings, date_posted=self.date_posted)


OFFICE_DE = Ad(
    "Office Manager (m/w/d)",
    de_ad(
        [
            "Du organisierst den Büroalltag und die Terminverwaltung",
            "Du nimmst Telefonate entgegen und betreust die Korrespondenz",
            "Du postest regelmäßig Beiträge auf unserem Instagram-Account",
            "Du beantwortest Kommentare auf Facebook",
        ],
        ["Abgeschlossene kaufmännische Ausbildung"],
        ["Gehalt: 38.000 - 42.000 EUR brutto/Jahr"],
    ),
)
RECEPTION_EN = Ad(
    "Receptionist",
    en_ad(
        [
            "Greet visitors and answer the phone",
            "Manage meeting room bookings",
            "Post updates and photos to our company Instagram account",
        ],
        ["A friendly manner and good organisation"],
        ["£24,000 - £26,000 per year"],
    ),
)
PLATFORMS_DE = Ad(
    "Social Media Manager (m/w/d)",
    de_ad(
        [
            "Du betreust unsere Kanäle auf Instagram, Facebook, TikTok, LinkedIn, YouTube und Pinterest",
            "Du beantwortest Kommentare und Nachrichten",
            "Du planst Inhalte im Redaktionsplan",
        ]
    ),
)
PLATFORMS_EN = Ad(
    "Social Media Manager",
    en_ad(
        [
            "Run our channels on Instagram, Facebook, TikTok, LinkedIn, YouTube and Pinterest",
            "Reply to comments and messages",
            "Plan content in our editorial calendar",
        ]
    ),
)
PROFESSIONS_DE = Ad(
    "Social Media Manager (m/w/d)",
    de_ad(
        [
            "Du betreust unsere Social-Media-Kanäle und beantwortest Kommentare",
            "Du gestaltest Flyer und Plakate für unsere Filialen",
            "Du fotografierst unsere Produkte für den Onlineshop",
            "Du pflegst unsere Website in WordPress",
            "Du organisierst unsere Messeauftritte",
        ]
    ),
)
PROFESSIONS_EN = Ad(
    "Social Media Manager",
    en_ad(
        [
            "Manage our social media channels and reply to comments",
            "Design flyers and posters for our stores",
            "Photograph our products for the online shop",
            "Maintain our website in WordPress",
            "Organise our trade show appearances",
        ]
    ),
)
GOOGLE_PLUS_DE = de_ad(
    [
        "Du betreust unsere Kanäle auf Facebook und Google+",
        "Du schreibst Beiträge für unseren Blog",
    ],
    ["Erfahrung in der Online-Redaktion"],
    ["Gehalt: 40.000 - 46.000 EUR brutto/Jahr"],
)
VINE_EN = en_ad(
    ["Post short loops on Vine and go live on Periscope", "Reply to comments on Twitter"],
    ["Experience in social media"],
)
TIKTOK_DE = de_ad(
    ["Du produzierst Videos für unseren TikTok-Kanal", "Du beantwortest Kommentare"],
    ["Mind. 3 Jahre Erfahrung mit TikTok"],
)
THREADS_EN = en_ad(
    ["Grow our presence on Threads and Instagram", "Reply to comments"],
    ["5+ years of Threads experience"],
)
ALWAYS_DE = de_ad(
    [
        "Du betreust unseren Instagram-Kanal und beantwortest Kommentare",
        "Du planst Inhalte im Redaktionsplan",
    ],
    ["Erfahrung im Community Management", "Du bist auch abends und am Wochenende erreichbar"],
)
ALWAYS_EN = en_ad(
    ["Run our Instagram channel and reply to comments", "Plan content in our editorial calendar"],
    ["Experience in community management", "Availability on evenings and weekends as needed"],
)
COMMUNITY_DE = de_ad(
    [
        "Du betreust unseren Instagram-Kanal und beantwortest Kommentare",
        "Du planst Inhalte im Redaktionsplan",
    ],
    ["Erfahrung im Community Management"],
)
COMMUNITY_EN = en_ad(
    ["Run our Instagram channel and reply to comments", "Plan content in our editorial calendar"],
    ["Experience in community management"],
)

POSITIVES: dict[tuple[str, str], Ad] = {
    ("kitchen_sink", "de"): PLATFORMS_DE,
    ("kitchen_sink", "en"): PROFESSIONS_EN,
    ("defunct_network", "de"): Ad("Online-Redakteur (m/w/d)", GOOGLE_PLUS_DE, date(2020, 3, 1)),
    ("defunct_network", "en"): Ad("Social Media Editor", VINE_EN, date(2022, 5, 1)),
    ("impossible_experience", "de"): Ad(
        "Social Media Manager (m/w/d)", TIKTOK_DE, date(2018, 3, 1)
    ),
    ("impossible_experience", "en"): Ad("Social Media Manager", THREADS_EN, date(2025, 3, 1)),
    ("side_job", "de"): OFFICE_DE,
    ("side_job", "en"): RECEPTION_EN,
    ("missing_gender_tag", "de"): Ad("Social Media Manager", COMMUNITY_DE),
    # an English title over a German body: still a German ad
    ("missing_gender_tag", "en"): Ad("Community Manager", COMMUNITY_DE),
    ("buzzword_title", "de"): Ad("Social-Media-Ninja (m/w/d)", COMMUNITY_DE),
    ("buzzword_title", "en"): Ad("Social Media Rockstar", COMMUNITY_EN),
    ("always_on", "de"): Ad("Social Media Manager (m/w/d)", ALWAYS_DE),
    ("always_on", "en"): Ad("Social Media Manager", ALWAYS_EN),
    ("no_salary", "de"): Ad(
        "Social Media Manager (m/w/d)",
        de_ad(
            ["Du betreust unseren Instagram-Kanal", "Du beantwortest Kommentare"],
            offer=["Eine attraktive Vergütung", "30 Tage Urlaub"],
            sie=False,
        ),
    ),
    ("no_salary", "en"): Ad(
        "Social Media Manager",
        en_ad(
            ["Run our Instagram channel", "Reply to comments and messages"],
            offer=["A competitive salary", "25 days of holiday"],
        ),
    ),
}
# The message language each positive ad should get (the ad's own language).
AD_LANGUAGE = {key: ("de" if key == ("missing_gender_tag", "en") else key[1]) for key in POSITIVES}


@pytest.mark.parametrize(("code", "lang"), list(POSITIVES), ids="-".join)
def test_every_flag_is_raised_with_message_suggestion_and_quoted_evidence(
    code: str, lang: str
) -> None:
    ad = POSITIVES[(code, lang)]
    flag = get(ad.report(), code)
    assert flag.message.strip() and flag.suggestion.strip()
    assert message_language(flag) == AD_LANGUAGE[(code, lang)]
    assert flag.severity in {"info", "warning", "error"}
    text = f"{ad.title}\n{ad.description}"
    if code != "no_salary":
        assert flag.evidence, "a flag quotes the text that raised it"
    for quote in flag.evidence:
        assert quote in text, quote


@pytest.mark.parametrize(("code", "lang"), list(POSITIVES), ids="-".join)
def test_message_language_setting_overrides_the_ad_language(code: str, lang: str) -> None:
    ad = POSITIVES[(code, lang)]
    other = "en" if AD_LANGUAGE[(code, lang)] == "de" else "de"
    flag = get(ad.report(SETTINGS.replace(message_language=other)), code)
    assert message_language(flag) == other


def test_clean_ads_raise_no_flag_and_score_100() -> None:
    for title, body in [
        ("Social Media Manager (m/w/d)", COMMUNITY_DE),
        ("Social Media Manager", COMMUNITY_EN),
    ]:
        report = check(title, body)
        assert report.flags == [], codes(report)
        assert report.score == 100


# --- kitchen_sink ---------------------------------------------------------------------------------

ACCOUNTANT_DE = """Über uns
Die Hansen Steuerberatung betreut seit 1985 mittelständische Unternehmen in Kiel.

Ihre Aufgaben
- Sie erstellen Finanzbuchhaltungen und Lohnabrechnungen
- Sie bereiten Jahresabschlüsse vor
- Sie stimmen Konten ab

Ihr Profil
- Abgeschlossene Ausbildung als Steuerfachangestellte:r
- Sicherer Umgang mit DATEV

Wir bieten
- Gehalt: 48.000 - 56.000 EUR brutto/Jahr

Folgen Sie uns auf Facebook, Instagram, LinkedIn, XING, YouTube, TikTok, Pinterest und X"""
ACCOUNTANT_EN = """About us
Harbour & Finch is an independent accounting firm in Leeds.

Your tasks
- Prepare monthly management accounts
- Reconcile bank statements and ledgers
- Look after the year-end audit file

What you bring
- ACCA or CIMA qualification
- Confident with Xero

What we offer
- £34,000 - £38,000 per year

Follow us on Facebook, Instagram, LinkedIn, YouTube, TikTok, Pinterest, Threads and X"""


@pytest.mark.parametrize(
    ("title", "body", "networks"),
    [
        (
            "Buchhalter (m/w/d)",
            ACCOUNTANT_DE,
            {"facebook", "instagram", "linkedin", "xing", "youtube", "tiktok", "pinterest", "x"},
        ),
        (
            "Accountant",
            ACCOUNTANT_EN,
            {"facebook", "instagram", "linkedin", "youtube", "tiktok", "pinterest", "threads", "x"},
        ),
    ],
    ids=["de", "en"],
)
def test_follow_us_footer_networks_are_mentioned_not_a_kitchen_sink(
    title: str, body: str, networks: set[str]
) -> None:
    report = check(title, body)
    assert report.networks_demanded == []
    assert networks <= set(report.networks_mentioned)
    assert "kitchen_sink" not in codes(report)
    assert "side_job" not in codes(report)
    assert report.score == 100


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager (m/w/d)",
            de_ad(
                [
                    "Du beantwortest Kommentare und Nachrichten auf Instagram und Facebook",
                    "Du moderierst unsere Community und bleibst im Dialog mit unseren Fans",
                    "Du verfasst Posts für unsere Kanäle",
                    "Du baust unsere Community weiter aus",
                    "Du reagierst schnell auf Kritik und managst kleine Shitstorms",
                    "Du planst Community-Aktionen wie Gewinnspiele",
                    "Du beantwortest Kundenanfragen per Direktnachricht",
                    "Du sammelst Feedback aus der Community für das Produktteam",
                    "Du erstellst Antwortvorlagen für häufige Fragen",
                    "Du pflegst den Austausch mit unseren Markenbotschafter:innen",
                    "Du schneidest Reels für Instagram",
                ]
            ),
        ),
        (
            "Community Manager",
            en_ad(
                [
                    "Reply to comments and DMs on Instagram and Facebook",
                    "Moderate our community and keep the conversation going",
                    "Write posts for our channels",
                    "Grow our community of fans",
                    "Handle criticism calmly and defuse small shitstorms",
                    "Plan community actions such as giveaways",
                    "Answer customer questions via direct message",
                    "Collect feedback from the community for the product team",
                    "Write reply templates for frequent questions",
                    "Keep in touch with our brand ambassadors",
                    "Cut Reels for Instagram",
                ],
                ["Experience in community management"],
            ),
        ),
    ],
    ids=["de", "en"],
)
def test_ten_community_tasks_and_one_reels_bullet_are_no_kitchen_sink(
    title: str, body: str
) -> None:
    report = check(title, body)
    assert report.social_media_role
    assert "kitchen_sink" not in codes(report)
    assert report.score == 100


@pytest.mark.parametrize(
    ("ad", "tipped"),
    [(PLATFORMS_DE, "6 Plattformen (Schwelle 6)"), (PLATFORMS_EN, "6 platforms (threshold 6)")],
    ids=["de", "en"],
)
def test_six_demanded_platforms_are_a_kitchen_sink_tipped_by_platforms(ad: Ad, tipped: str) -> None:
    report = ad.report()
    assert len(report.networks_demanded) == 6
    flag = get(report, "kitchen_sink")
    assert tipped in flag.message
    assert "Berufe (Schwelle" not in flag.message and "professions (threshold" not in flag.message
    platform_item = ad.description.splitlines()[1].removeprefix("- ")
    assert platform_item in flag.evidence


@pytest.mark.parametrize(
    ("ad", "tipped", "names"),
    [
        (
            PROFESSIONS_DE,
            "5 Berufe (Schwelle 3)",
            ["Grafikdesign", "Fotografie", "Webentwicklung", "Eventmanagement"],
        ),
        (
            PROFESSIONS_EN,
            "5 professions (threshold 3)",
            ["graphic design", "photography", "web development", "event management"],
        ),
    ],
    ids=["de", "en"],
)
def test_several_professions_are_a_kitchen_sink_tipped_by_professions(
    ad: Ad, tipped: str, names: list[str]
) -> None:
    report = ad.report()
    flag = get(report, "kitchen_sink")
    assert tipped in flag.message
    assert (
        "Plattformen (Schwelle" not in flag.message and "platforms (threshold" not in flag.message
    )
    for name in names:
        assert name in flag.message
        assert name in flag.suggestion  # the suggestion splits them off
    flyer = next(line for line in ad.description.splitlines() if "lyer" in line)
    assert flyer.removeprefix("- ") in flag.evidence


@pytest.mark.parametrize(
    "settings",
    [
        SETTINGS.assign(["kitchen_sink_min_platforms=7"]),
        SETTINGS.replace(kitchen_sink_min_platforms=7),
    ],
    ids=["assign", "replace"],
)
def test_raising_the_platform_threshold_switches_the_platform_case_off(
    settings: Settings,
) -> None:
    assert settings.kitchen_sink_min_platforms == 7
    for ad in (PLATFORMS_DE, PLATFORMS_EN):
        assert "kitchen_sink" in codes(ad.report())
        assert "kitchen_sink" not in codes(ad.report(settings))


def test_thresholds_move_the_kitchen_sink_both_ways() -> None:
    assert "kitchen_sink" not in codes(
        PROFESSIONS_DE.report(SETTINGS.replace(kitchen_sink_min_professions=6))
    )
    lowered = SETTINGS.assign(["kitchen_sink_min_platforms=2"])
    report = analyze(
        JobAd(
            "Social Media Manager (m/w/d)",
            COMMUNITY_DE.replace("Instagram-Kanal", "Instagram- und TikTok-Kanal"),
        ),
        settings=lowered,
    )
    assert set(report.networks_demanded) == {"instagram", "tiktok"}
    assert "2 Plattformen (Schwelle 2)" in get(report, "kitchen_sink").message


def test_skills_asked_only_in_the_profile_do_not_make_a_kitchen_sink() -> None:
    body = de_ad(
        [
            "Du betreust unsere Kanäle auf Instagram und LinkedIn",
            "Du beantwortest Kommentare und Nachrichten",
            "Du planst Inhalte im Redaktionsplan",
        ],
        [
            "Kenntnisse in Photoshop, InDesign und WordPress",
            "Erfahrung in der Produktfotografie",
            "Erfahrung im Organisieren von Messen",
        ],
    )
    assert "kitchen_sink" not in codes(check("Social Media Manager (m/w/d)", body))


def test_librarian_ad_only_mentions_the_library_facebook_group() -> None:
    body = """Ihre Aufgaben
- Sie beraten Leserinnen und Leser an der Ausleihtheke
- Sie katalogisieren Neuerwerbungen
- Sie betreuen unsere Lesungen für Kinder

Ihr Profil
- Abgeschlossenes Studium Bibliothekswesen

Wir bieten
- Vergütung nach TVöD E9b

Neuigkeiten aus dem Haus finden Sie in der Facebook-Gruppe der Stadtbibliothek."""
    report = check("Bibliothekar (m/w/d)", body)
    assert "facebook" in report.networks_mentioned
    assert "facebook" not in report.networks_demanded
    assert "side_job" not in codes(report)
    assert report.flags == []


# --- defunct_network ------------------------------------------------------------------------------


def test_google_plus_in_a_2020_ad_is_defunct_but_not_in_2018() -> None:
    late = check("Online-Redakteur (m/w/d)", GOOGLE_PLUS_DE, date_posted=date(2020, 3, 1))
    flag = get(late, "defunct_network")
    assert "Google+" in flag.message and "02.04.2019" in flag.message
    assert flag.evidence == ["Du betreust unsere Kanäle auf Facebook und Google+"]
    early = check("Online-Redakteur (m/w/d)", GOOGLE_PLUS_DE, date_posted=date(2018, 6, 1))
    assert "google_plus" in early.networks_demanded
    assert "defunct_network" not in codes(early)


def test_vine_and_periscope_in_an_english_ad_are_defunct_after_their_shutdown() -> None:
    late = check("Social Media Editor", VINE_EN, date_posted=date(2022, 5, 1))
    flag = get(late, "defunct_network")
    assert "Vine" in flag.message and "Periscope" in flag.message
    assert "2022-05-01" in flag.message
    early = check("Social Media Editor", VINE_EN, date_posted=date(2016, 5, 1))
    assert "defunct_network" not in codes(early)


def test_a_defunct_network_only_mentioned_in_a_footer_is_not_flagged() -> None:
    body = (
        de_ad(
            ["Du schreibst Beiträge für unseren Blog", "Du pflegst unsere Facebook-Seite"],
            ["Erfahrung in der Online-Redaktion"],
        )
        + "\n\nBesuchen Sie uns auch auf Google+ und Facebook!"
    )
    report = check("Online-Redakteur (m/w/d)", body, date_posted=date(2020, 3, 1))
    assert "google_plus" in report.networks_mentioned
    assert "defunct_network" not in codes(report)


def test_an_undated_ad_is_judged_at_the_reference_date() -> None:
    assert "defunct_network" in codes(check("Social Media Editor", VINE_EN))
    before = Settings(reference_date=date(2016, 5, 1))
    assert "defunct_network" not in codes(check("Social Media Editor", VINE_EN, before))


# --- impossible_experience ------------------------------------------------------------------------


def test_three_years_of_tiktok_in_2018_are_impossible_but_not_in_2021() -> None:
    report = check("Social Media Manager (m/w/d)", TIKTOK_DE, date_posted=date(2018, 3, 1))
    flag = get(report, "impossible_experience")
    assert "TikTok" in flag.message and "3 Jahre" in flag.message
    assert flag.evidence == ["Mind. 3 Jahre Erfahrung mit TikTok"]
    later = check("Social Media Manager (m/w/d)", TIKTOK_DE, date_posted=date(2021, 3, 1))
    assert "impossible_experience" not in codes(later)


def test_five_years_of_threads_in_2025_are_impossible_five_of_instagram_are_not() -> None:
    flag = get(
        check("Social Media Manager", THREADS_EN, date_posted=date(2025, 3, 1)),
        "impossible_experience",
    )
    assert "5 years" in flag.message and "Threads" in flag.message and "2023-07-05" in flag.message
    instagram = THREADS_EN.replace("5+ years of Threads", "5+ years of Instagram")
    report = check("Social Media Manager", instagram, date_posted=date(2025, 3, 1))
    assert "impossible_experience" not in codes(report)


@pytest.mark.parametrize(
    ("profile_line", "day"),
    [
        ("Du bringst seit mindestens drei Jahren Erfahrung mit TikTok mit", date(2019, 1, 15)),
        ("Du hast drei Jahre Erfahrung mit Instagram Reels", date(2022, 3, 1)),
        ("Sie verfügen über zwei Jahre Praxis mit CapCut", date(2020, 6, 1)),
    ],
)
def test_years_written_as_words_are_read(profile_line: str, day: date) -> None:
    body = de_ad(["Du produzierst Reels und TikToks", "Du beantwortest Kommentare"], [profile_line])
    flag = get(
        check("Social Media Manager (m/w/d)", body, date_posted=day), "impossible_experience"
    )
    assert flag.evidence == [profile_line]


def test_company_subject_with_a_demand_verb_still_demands() -> None:
    body = en_ad(
        ["Edit short videos in CapCut", "Reply to comments on TikTok"],
        ["We expect 3 years of experience with CapCut"],
    )
    report = check("Social Media Manager", body, date_posted=date(2021, 1, 1))
    assert "CapCut" in get(report, "impossible_experience").message


def test_undated_experience_demand_uses_the_reference_date() -> None:
    body = de_ad(
        ["Du betreust unsere Kanäle auf Instagram und Facebook", "Du beantwortest Kommentare"],
        ["Mind. 3 Jahre Erfahrung mit Threads"],
    )
    title = "Social Media Manager (m/w/d)"
    assert "impossible_experience" not in codes(
        check(title, body)
    )  # 2026: Threads is 3.3 years old
    earlier = check(title, body, Settings(reference_date=date(2025, 6, 1)))
    assert "01.06.2025" in get(earlier, "impossible_experience").message


@pytest.mark.parametrize(
    "sentence",
    [
        "Wir sind seit über 50 Jahren auf dem Markt und seit 2012 auf Facebook aktiv",
        "Seit 15 Jahren begeistern wir unsere Kundschaft auf YouTube",
        "Unser Familienbetrieb ist seit 20 Jahren auf Facebook aktiv",
        "Since 1908 we have been roasting coffee, and for twelve years we have shared it on Instagram",
        "For 18 years our bakery has posted its daily bread on Facebook",
    ],
)
def test_a_companys_own_age_is_no_experience_demand(sentence: str) -> None:
    assert experience_demands([sentence]) == []


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("mind. 3 Jahre Erfahrung", 3),
        ("drei Jahre Berufserfahrung", 3),
        ("seit mindestens drei Jahren", 3),
        ("3-5 Jahre Erfahrung", 3),
        ("5+ years of experience", 5),
        ("anderthalb Jahre Praxis", 1.5),
        ("three years of hands-on experience", 3),
        ("Erfahrung im Social Media Management", None),
    ],
)
def test_years_of_reads_digits_ranges_and_words(text: str, years: float | None) -> None:
    assert years_of(text) == years


def test_a_text_without_a_unit_has_no_number_of_years() -> None:
    """has_unit rules out YEARS by a unit's first letters in the lowered text: each unit's
    pattern begins with them, and every character that re.IGNORECASE equates with one of
    their letters lowers to that letter (so lower() keeps the letters in place)."""
    import sys

    from jobscope import experience

    for start, pattern in experience._UNITS.items():
        assert pattern.startswith(re.escape(start))
    letters = sorted(set("".join(experience._UNITS)) - {"."})
    same = re.compile(f"[{''.join(letters)}]", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if same.fullmatch(char):
            assert char.lower() in letters, hex(code)
    for text in [*_word_list_texts(), "3 JAHRE", "5 Yrs", "2 J. Erfahrung", "drei Jahre"]:
        if experience.YEARS.search(text):
            assert experience.has_unit(text), text


def test_an_experience_cue_makes_a_demand_a_company_age_does_not() -> None:
    assert is_demand("Mind. 3 Jahre Erfahrung mit TikTok")
    assert is_demand("You have 3 years of experience with TikTok")
    assert not is_demand("Wir sind seit über 30 Jahren auf dem Markt")
    assert not is_demand("Since 1908 we have been roasting coffee in Bristol")


def test_bespielst_threads_seit_drei_jahren_in_2025_is_impossible() -> None:
    body = de_ad(
        ["Du betreust unsere Kanäle auf Instagram und Facebook", "Du beantwortest Kommentare"],
        ["Du bespielst Threads schon seit mindestens drei Jahren"],
    )
    report = check("Social Media Manager (m/w/d)", body, date_posted=date(2025, 3, 1))
    assert "impossible_experience" in codes(report)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager (m/w/d)",
            de_ad(
                [
                    "Du betreust den Instagram-Kanal unseres Familienbetriebs, der seit 25 Jahren in Köln zu Hause ist",
                    "Du beantwortest Kommentare",
                ]
            ),
        ),
        (
            "Social Media Manager",
            en_ad(
                [
                    "You will run the Instagram account of our bakery, which has been in Leeds for 30 years",
                    "Reply to comments",
                ]
            ),
        ),
    ],
    ids=["de", "en"],
)
def test_company_age_in_a_task_addressing_the_candidate_is_no_demand(title: str, body: str) -> None:
    assert "impossible_experience" not in codes(check(title, body))


# --- side_job -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ad", [OFFICE_DE, RECEPTION_EN], ids=["de", "en"])
def test_an_office_role_that_also_posts_is_a_side_job(ad: Ad) -> None:
    report = ad.report()
    assert not report.social_media_role
    flag = get(report, "side_job")
    assert all("Instagram" in e or "Facebook" in e for e in flag.evidence)
    assert not any("Telefon" in e or "phone" in e for e in flag.evidence)


def test_a_side_job_in_prose_is_found() -> None:
    body = """Deine Aufgaben
Als Assistenz der Geschäftsführung organisierst du den Büroalltag und koordinierst Termine. Außerdem postest du zweimal pro Woche Neuigkeiten auf unserem Instagram-Kanal und beantwortest die Kommentare.

Dein Profil
Du hast eine kaufmännische Ausbildung und arbeitest gern strukturiert.

Wir bieten
- Gehalt: 40.000 - 44.000 EUR brutto/Jahr"""
    flag = get(check("Assistenz der Geschäftsführung (m/w/d)", body), "side_job")
    assert len(flag.evidence) == 1 and "Instagram-Kanal" in flag.evidence[0]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Leiter Marketing (m/w/d)",
            de_ad(
                [
                    "Sie verantworten unser Marketingbudget und die Markenführung",
                    "Sie briefen unsere Social-Media-Agentur und stimmen die Redaktionspläne mit ihr ab",
                    "Sie steuern Messen, Print und Website",
                ],
                ["Mehrjährige Erfahrung im Marketing"],
                ["Gehalt: 70.000 - 85.000 EUR brutto/Jahr"],
                sie=True,
            ),
        ),
        (
            "Head of Marketing",
            en_ad(
                [
                    "Own the marketing budget and brand",
                    "Brief our social media agency and review their monthly reports",
                    "Steer events, print and the website",
                ],
                ["Several years of marketing experience"],
            ),
        ),
    ],
    ids=["de", "en"],
)
def test_briefing_the_social_media_agency_is_no_side_job(title: str, body: str) -> None:
    assert "side_job" not in codes(check(title, body))


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager (m/w/d)",
            de_ad(
                [
                    "Du postest Beiträge auf Instagram",
                    "Du beantwortest Kommentare auf Facebook",
                    "Du organisierst nebenbei das Büro",
                ]
            ),
        ),
        ("Social Media Manager", COMMUNITY_EN),
    ],
    ids=["de", "en"],
)
def test_a_social_media_manager_is_never_a_side_job(title: str, body: str) -> None:
    report = check(title, body)
    assert report.social_media_role
    assert "side_job" not in codes(report)


# --- missing_gender_tag ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Social Media Manager",
        "Redakteur Social Media",
        "Werkstudent Social Media",
        "Community Manager",
    ],
)
def test_german_ad_title_without_marker_is_flagged(title: str) -> None:
    flag = get(check(title, COMMUNITY_DE), "missing_gender_tag")
    assert flag.evidence == [title]
    assert f"{title} (m/w/d)" in flag.suggestion


MARKED_TITLES = [
    "Social Media Manager (m/w/d)",
    "Social Media Manager (w/m/d)",
    "Social Media Manager (m/f/d)",
    "Social Media Manager (d/w/m)",
    "Social Media Manager (all genders)",
    "Social Media Manager (gn)",
    "Social Media Manager:in",
    "Redakteur*in Social Media",
    "Mitarbeiter_innen Kommunikation",
    "Referentin/Referent Öffentlichkeitsarbeit",
    "MitarbeiterInnen im Marketing",
]


@pytest.mark.parametrize("title", MARKED_TITLES)
def test_gender_markers_are_recognised(title: str) -> None:
    assert has_gender_marker(title)
    assert "missing_gender_tag" not in codes(check(title, COMMUNITY_DE))


def test_english_ad_without_marker_is_not_flagged_but_an_english_title_on_german_body_is() -> None:
    assert "missing_gender_tag" not in codes(check("Social Media Manager", COMMUNITY_EN))
    assert "missing_gender_tag" in codes(check("Social Media Manager", COMMUNITY_DE))


@pytest.mark.parametrize(
    "title",
    ["Social Media Manager Berlin", "Redakteur Online-Magazin", "Social Media Managerin"],
)
def test_a_word_ending_in_in_is_no_gender_marker(title: str) -> None:
    assert "missing_gender_tag" in codes(check(title, COMMUNITY_DE))


# --- buzzword_title -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Social-Media-Ninja (m/w/d)", COMMUNITY_DE, "Ninja"),
        ("Content-Rockstar (m/w/d)", COMMUNITY_DE, "Rockstar"),
        ("Instagram-Guru (m/w/d)", COMMUNITY_DE, "Guru"),
        ("TikTok-Wizard (m/w/d)", COMMUNITY_DE, "Wizard"),
        ("Social Media Superhero (m/w/d)", COMMUNITY_DE, "Superhero"),
        ("Social-Media-Unicorn (m/w/d)", COMMUNITY_DE, "Unicorn"),
        ("Social Media Ninja", COMMUNITY_EN, "Ninja"),
        ("Social Media Rockstar", COMMUNITY_EN, "Rockstar"),
        ("Instagram Guru", COMMUNITY_EN, "Guru"),
        ("Community Wizard", COMMUNITY_EN, "Wizard"),
        ("Marketing Superhero", COMMUNITY_EN, "Superhero"),
        ("Content Unicorn", COMMUNITY_EN, "Unicorn"),
    ],
)
def test_buzzword_titles_are_flagged(title: str, body: str, word: str) -> None:
    flag = get(check(title, body), "buzzword_title")
    assert word in flag.message
    assert flag.evidence == [title]
    example = re.search(r'"([^"]+)"', flag.suggestion)
    assert example and word not in example.group(1)  # the suggested title drops it


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Social Media Manager (m/w/d)", COMMUNITY_DE),
        ("Community Manager (m/w/d)", COMMUNITY_DE),
        ("Social Media Manager", COMMUNITY_EN),
        ("Community Manager", COMMUNITY_EN),
    ],
)
def test_plain_job_titles_are_no_buzzwords(title: str, body: str) -> None:
    assert "buzzword_title" not in codes(check(title, body))


# --- always_on ------------------------------------------------------------------------------------


def test_evenings_and_weekends_without_compensation_are_always_on() -> None:
    flag = get(check("Social Media Manager (m/w/d)", ALWAYS_DE), "always_on")
    assert flag.evidence == ["Du bist auch abends und am Wochenende erreichbar"]
    flag = get(check("Social Media Manager", ALWAYS_EN), "always_on")
    assert flag.evidence == ["Availability on evenings and weekends as needed"]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager (m/w/d)",
            ALWAYS_DE + "\n- Einsätze am Wochenende gleichen wir mit Freizeit aus",
        ),
        (
            "Social Media Manager (m/w/d)",
            COMMUNITY_DE.replace(
                "Erfahrung im Community Management",
                "Erfahrung im Community Management\n- Keine Wochenendarbeit, feste Zeiten von 9 bis 17 Uhr",
            ),
        ),
        (
            "Social Media Manager (m/w/d)",
            COMMUNITY_DE.replace(
                "Erfahrung im Community Management",
                "Wochenenddienste nach Dienstplan im Wechsel mit dem Team",
            ),
        ),
        ("Social Media Manager", ALWAYS_EN + "\n- Weekend work is paid at time and a half"),
        (
            "Social Media Manager",
            COMMUNITY_EN.replace(
                "Experience in community management",
                "Weekend shifts on a rota with the rest of the team",
            ),
        ),
        (
            "Social Media Manager",
            COMMUNITY_EN.replace(
                "Experience in community management", "Happy to work long hours in a busy team"
            ),
        ),
    ],
    ids=[
        "de-freizeitausgleich",
        "de-keine",
        "de-dienstplan",
        "en-paid",
        "en-rota",
        "en-long-hours",
    ],
)
def test_compensated_negated_or_scheduled_hours_are_not_always_on(title: str, body: str) -> None:
    assert "always_on" not in codes(check(title, body))


def test_staendig_erreichbar_in_sie_form_is_always_on() -> None:
    body = de_ad(
        ["Sie betreuen unseren Facebook-Auftritt", "Sie beantworten Kommentare"],
        ["Sie sind für unsere Community ständig erreichbar"],
        sie=True,
    )
    assert get(check("Social Media Manager (m/w/d)", body), "always_on").evidence == [
        "Sie sind für unsere Community ständig erreichbar"
    ]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager",
            en_ad(
                ["Run our Instagram channel and reply to comments", "Update the FAQ page as needed"]
            ),
        ),
        (
            "Social Media Manager (m/w/d)",
            de_ad(
                [
                    "Du betreust unseren Instagram-Kanal",
                    "Du bist für Rückfragen per E-Mail erreichbar",
                ]
            ),
        ),
    ],
    ids=["en-as-needed", "de-erreichbar"],
)
def test_availability_words_without_out_of_hours_are_not_always_on(title: str, body: str) -> None:
    assert "always_on" not in codes(check(title, body))


def test_covering_evening_events_is_always_on_in_german() -> None:
    body = de_ad(
        [
            "Du betreust unseren Instagram-Kanal",
            "Du begleitest unsere Abendveranstaltungen mit Stories",
        ]
    )
    assert "always_on" in codes(check("Social Media Manager (m/w/d)", body))


# --- no_salary and salary parsing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("45.000 - 55.000 EUR brutto/Jahr", (45000, 55000, "EUR", "YEAR", None)),
        ("3.500 EUR/Monat", (3500, 3500, "EUR", "MONTH", None)),
        ("Gehalt: 60-70k", (60000, 70000, None, "YEAR", None)),
        ("ab 18 EUR pro Stunde", (18, None, "EUR", "HOUR", None)),
        ("$70,000 – $85,000 per year", (70000, 85000, "$", "YEAR", None)),
        ("£28k–£32k", (28000, 32000, "GBP", "YEAR", None)),
        ("CHF 95'000", (95000, 95000, "CHF", "YEAR", None)),
        ("Vergütung nach TVöD E11", (None, None, "EUR", None, "TVöD E11")),
        ("Bezahlung nach TV-L EG 13", (None, None, "EUR", None, "TV-L EG 13")),
        ("Stundenlohn 14,50 €", (14.5, 14.5, "EUR", "HOUR", None)),
    ],
)
def test_salaries_as_ads_write_them(line: str, expected: tuple) -> None:
    salary = parse_salary([line])
    assert salary is not None
    got = (salary["min"], salary["max"], salary["currency"], salary["unit"], salary["pay_grade"])
    assert got == expected
    assert salary["source"] == "text"


@pytest.mark.parametrize(
    "line",
    [
        "attraktive Vergütung",
        "competitive salary",
        "ein Budget von 300 € pro Jahr für Bücher",
        "A learning budget of $500 per year",
        "Du verwaltest ein Werbebudget von 5.000 € im Monat",
        "Mehr als 20k Follower auf Instagram",
        "Wir haben 250 Mitarbeitende in 12 Ländern",
        "30 Tage Urlaub und ein 13. Monatsgehalt",
    ],
)
def test_vague_pay_budgets_and_other_numbers_are_no_salary(line: str) -> None:
    assert parse_salary([line]) is None


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Social Media Manager (m/w/d)",
            de_ad(
                ["Du betreust unseren Instagram-Kanal"], offer=["3.500 EUR/Monat", "30 Tage Urlaub"]
            ),
            (3500, 3500, "EUR", "MONTH"),
        ),
        (
            "Referent Öffentlichkeitsarbeit (m/w/d)",
            de_ad(
                ["Sie betreuen unseren Instagram-Kanal"],
                offer=["Vergütung nach TVöD E11", "Betriebliche Altersvorsorge"],
                sie=True,
            ),
            (None, None, "EUR", None),
        ),
        (
            "Social Media Manager",
            en_ad(["Run our Instagram channel"], offer=["$70,000 – $85,000 per year"]),
            (70000, 85000, "$", "YEAR"),
        ),
        (
            "Social Media Executive",
            en_ad(["Run our Instagram channel"], offer=["£28k–£32k plus pension"]),
            (28000, 32000, "GBP", "YEAR"),
        ),
    ],
    ids=["de-month", "de-tvoed", "en-usd", "en-gbp"],
)
def test_a_stated_salary_is_no_flag_and_lands_in_the_report(
    title: str, body: str, expected: tuple
) -> None:
    report = check(title, body)
    assert "no_salary" not in codes(report)
    assert report.salary is not None
    assert (
        report.salary["min"],
        report.salary["max"],
        report.salary["currency"],
        report.salary["unit"],
    ) == expected


@pytest.mark.parametrize(
    ("key", "phrase"),
    [
        (("no_salary", "de"), "Eine attraktive Vergütung"),
        (("no_salary", "en"), "A competitive salary"),
    ],
    ids=["de", "en"],
)
def test_vague_pay_is_no_salary_and_quoted_as_evidence(key: tuple[str, str], phrase: str) -> None:
    report = POSITIVES[key].report()
    assert report.salary is None
    assert get(report, "no_salary").evidence == [phrase]


def test_a_book_budget_is_no_salary() -> None:
    body = de_ad(
        ["Du betreust unseren Instagram-Kanal", "Du beantwortest Kommentare"],
        offer=["Ein Budget von 300 € pro Jahr für Bücher", "30 Tage Urlaub"],
    )
    report = check("Social Media Manager (m/w/d)", body)
    assert report.salary is None
    assert "no_salary" in codes(report)


def test_an_ad_without_any_pay_line_has_empty_evidence() -> None:
    body = en_ad(["Run our Instagram channel"], offer=["25 days of holiday", "A friendly team"])
    assert get(check("Social Media Manager", body), "no_salary").evidence == []


def test_a_jsonld_salary_counts() -> None:
    salary = salary_from_jsonld(
        {
            "@type": "MonetaryAmount",
            "currency": "EUR",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": 42000,
                "maxValue": 50000,
                "unitText": "YEAR",
            },
        }
    )
    body = de_ad(["Du betreust unseren Instagram-Kanal"], offer=["Eine attraktive Vergütung"])
    report = check("Social Media Manager (m/w/d)", body, salary=salary, structured="jsonld")
    assert "no_salary" not in codes(report)
    assert report.salary == salary


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Social Media Manager (m/w/d)",
            "Deine Aufgaben\n- Du betreust unseren Instagram-Kanal\n\nWir bieten\nGehalt: 60-70k",
        ),
        (
            "Referent Social Media (m/w/d)",
            "Ihre Aufgaben\n- Sie betreuen unseren Instagram-Kanal\n\nWir bieten\n"
            "- 30 Tage Urlaub\n\nVergütung nach TVöD E11",
        ),
        (
            "Social Media Manager",
            "Your tasks\n- Run our Instagram channel\n\nWhat we offer\n"
            "Salary: $70,000 – $85,000 per year",
        ),
    ],
    ids=["de-gehalt", "de-tvoed", "en-salary"],
)
def test_a_pay_line_on_its_own_line_is_a_salary(title: str, body: str) -> None:
    report = check(title, body)
    assert "no_salary" not in codes(report)


# --- severities, disabled flags, --fail-on --------------------------------------------------------

MANY_FLAGS_DE = Ad(
    "Social-Media-Ninja",
    de_ad(
        [
            "Du postest Beiträge auf Instagram, Facebook, TikTok, LinkedIn, Pinterest und Google+",
            "Du beantwortest Kommentare und Nachrichten",
        ],
        ["Mind. 3 Jahre Erfahrung mit TikTok", "Du bist auch abends und am Wochenende erreichbar"],
        ["Eine attraktive Vergütung"],
    ),
    date(2019, 6, 1),
)


def test_default_severities() -> None:
    report = MANY_FLAGS_DE.report()
    severity = {f.code: f.severity for f in report.flags}
    assert severity["kitchen_sink"] == "error"
    assert severity["defunct_network"] == "error"
    assert severity["no_salary"] == "warning"
    assert severity["buzzword_title"] == "warning"


def test_flag_severity_setting_changes_one_severity() -> None:
    ad = POSITIVES[("no_salary", "de")]
    assert get(ad.report(), "no_salary").severity == "warning"
    raised = ad.report(SETTINGS.replace(flag_severity={"no_salary": "error"}))
    assert get(raised, "no_salary").severity == "error"
    lowered = ad.report(SETTINGS.assign(["flag_severity.no_salary=info"]))
    assert get(lowered, "no_salary").severity == "info"
    other = MANY_FLAGS_DE.report(SETTINGS.replace(flag_severity={"no_salary": "error"}))
    assert get(other, "buzzword_title").severity == "warning"  # the others keep their default


def test_fail_on_reads_the_worst_severity() -> None:
    ad = POSITIVES[("no_salary", "en")]
    flags = ad.report().flags
    assert codes(ad.report()) == ["no_salary"]
    assert worst_at_least(flags, "warning") and worst_at_least(flags, "info")
    assert not worst_at_least(flags, "error")
    strict = ad.report(SETTINGS.replace(flag_severity={"no_salary": "error"})).flags
    assert worst_at_least(strict, "error")
    assert not worst_at_least([], "info")


@pytest.mark.parametrize(
    "settings",
    [
        SETTINGS.replace(flags_disabled=("no_salary", "buzzword_title")),
        SETTINGS.assign(["flags_disabled=no_salary,buzzword_title"]),
    ],
    ids=["replace", "assign"],
)
def test_disabled_flags_are_not_raised_and_cost_nothing(settings: Settings) -> None:
    full = MANY_FLAGS_DE.report()
    assert {"no_salary", "buzzword_title"} <= set(codes(full))
    quiet = MANY_FLAGS_DE.report(settings)
    assert not {"no_salary", "buzzword_title"} & set(codes(quiet))
    assert set(codes(quiet)) == set(codes(full)) - {"no_salary", "buzzword_title"}
    assert full.score is not None
    refund = DEFAULT_PENALTY["no_salary"] + DEFAULT_PENALTY["buzzword_title"]
    assert quiet.score == min(100, full.score + refund)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Settings(flag_severity={"salary": "error"}),
        lambda: Settings(flag_severity={"no_salary": "fatal"}),
        lambda: Settings(flags_disabled=("nosalary",)),
        lambda: Settings(score_penalty={"kitchensink": 5}),
        lambda: Settings().assign(["flag_severity.bogus=error"]),
        lambda: Settings().assign(["flags_disabled=side_jobs"]),
        lambda: Settings(message_language="fr"),
    ],
    ids=[
        "severity-code",
        "severity-level",
        "disabled",
        "penalty",
        "assign-severity",
        "assign-disabled",
        "lang",
    ],
)
def test_unknown_codes_in_settings_are_a_usage_error(make: Callable[[], Settings]) -> None:
    with pytest.raises(UsageError):
        make()


# --- realism score --------------------------------------------------------------------------------


def test_score_drops_with_each_flag() -> None:
    report = MANY_FLAGS_DE.report()
    assert len(report.flags) >= 5
    scores = [
        realism_score(report, report.flags[:k], SETTINGS) for k in range(len(report.flags) + 1)
    ]
    assert all(a > b for a, b in pairwise(scores)), scores
    assert scores[-1] == report.score


def test_one_flag_costs_its_penalty() -> None:
    report = POSITIVES[("no_salary", "en")].report()
    assert codes(report) == ["no_salary"]
    assert report.score == 100 - DEFAULT_PENALTY["no_salary"]
    custom = POSITIVES[("no_salary", "en")].report(
        SETTINGS.replace(score_penalty={"no_salary": 25})
    )
    assert custom.score == 75


def test_score_never_drops_below_zero() -> None:
    harsh = SETTINGS.replace(score_penalty=dict.fromkeys(FLAG_CODES, 60))
    report = MANY_FLAGS_DE.report(harsh)
    assert report.score == 0
    assert realism_score(report, report.flags, harsh) == 0


def test_an_ad_with_more_flags_scores_lower() -> None:
    few = POSITIVES[("no_salary", "de")].report()
    many = MANY_FLAGS_DE.report()
    assert len(many.flags) > len(few.flags)
    assert many.score is not None and few.score is not None
    assert many.score < few.score < 100


def test_detect_flags_follows_the_flag_code_order() -> None:
    report = MANY_FLAGS_DE.report()
    flags = detect_flags(report, SETTINGS)
    assert [f.code for f in flags] == [c for c in FLAG_CODES if c in {f.code for f in flags}]
    assert [f.code for f in flags] == codes(report)


@pytest.mark.parametrize(
    "title",
    [
        "Social Media Manager (Pirate Radio)",
        "Community Manager at Heroes Bar",
        "Video Editor – Magic Wizard Games",
    ],
)
def test_a_buzzword_in_the_company_or_place_is_no_buzzword_title(title: str) -> None:
    body = en_ad(["Run our Instagram channel and reply to comments"])
    assert "buzzword_title" not in codes(check(title, body))


@pytest.mark.parametrize(
    ("line", "low", "high"),
    [
        ("Ab 18 EUR pro Stunde", 18.0, None),
        ("Bis zu 4.000 € im Monat", None, 4000.0),
        ("Up to £35,000 a year", None, 35000.0),
        ("Starting at $25 per hour", 25.0, None),
    ],
)
def test_salary_lead_words_work_capitalised(
    line: str, low: float | None, high: float | None
) -> None:
    salary = parse_salary([line])
    assert salary is not None
    assert (salary["min"], salary["max"]) == (low, high)


# --- prefiltered word lists: the same answers as their patterns, sooner -------------------------


def _word_list_texts() -> list[str]:
    """Lines and sentences of the example and fixture ads, and texts made to trip a prefilter."""
    from jobscope.segment import split_sentences
    from tests.conftest import case_ads

    texts = [
        "Du bist abends und am Wochenende erreichbar",
        "ERREICHBARKEIT AM WOCHENENDE",  # case
        "Gehalt: 45.000 – 55.000 EUR brutto/Jahr",
        "Ein Verein (e.V.) und eine GmbH & Co. KG",  # whole words next to dots
        "Wir sind ein Team; we are a team",
        "mit.",  # a hedge at the end of a line
        "Du unterstützt ab und zu bei Events",
        "Erfahrung mit Threads: 5+ years",
        "ı, ſ and İ fold like i, s and i",
    ]
    for ad in case_ads():
        for line in f"{ad.title}\n{ad.description}".splitlines():
            texts += [line, *split_sentences(line)]
    return texts


def _prefiltered_lists() -> list[Any]:
    from jobscope import experience, flags, salary, segment
    from jobscope.platforms import mention_cue

    lists: list[Any] = []
    for value in flags._lists().values():
        lists += value.values() if isinstance(value, dict) else [value]
    patterns = segment._patterns()
    lists += [*patterns.headings.values(), *patterns.prose.values(), patterns.optional_item]
    lists += [salary._rules()["cues"], salary._rules()["benefits"], *experience._rules().values()]
    lists += [mention_cue()]
    return [wl for wl in lists if hasattr(wl, "possible")]


def test_prefiltered_word_lists_answer_as_their_patterns() -> None:
    """Also when a word list runs only the entries a text can match (Prefiltered.narrowed)."""
    from jobscope.normalize import fold_case
    from jobscope.prefilter import needles_in

    texts = _word_list_texts()
    for word_list in _prefiltered_lists():
        for text in texts:
            expected = [m.span() for m in word_list.pattern.finditer(text)]
            assert [m.span() for m in word_list.finditer(text)] == expected, text
            assert [m.span() for m in word_list.finditer_with(text, needles_in(text))] == expected
            assert bool(word_list.search(text)) == bool(expected), text
            assert word_list.sub("#", text) == word_list.pattern.sub("#", text), text
            if expected:
                assert word_list.possible(text)
                assert word_list.may_occur_in(fold_case(text)), text


@pytest.mark.parametrize(
    ("pattern", "terms"),
    [
        (r"gehalt|salary", [[["gehalt"]], [["salary"]]]),
        (r"\bab und zu\b", [[[" ab"], [" und"], [" zu"]]]),
        (r"\b(gmbh|e\.\s?v\.|ag)\b", [[[" gmbh"]], [[" e"]], [[" ag"]]]),  # whole words
        (r"(spät)?abends\b", [[["abends"]]]),
        (r"\bmit(helfen|planen)\w*", [[["mithelfen"]], [["mitplanen"]]]),
    ],
)
def test_required_terms_name_the_words_every_match_has(pattern: str, terms: list) -> None:
    from jobscope.prefilter import required_terms

    found = required_terms(re.compile(pattern, re.IGNORECASE))
    assert found is not None
    assert [[sorted(clause) for clause in term] for term in found] == terms


def test_a_pattern_with_an_alternative_without_letters_is_not_prefiltered() -> None:
    from jobscope.prefilter import required_terms, word_list

    assert required_terms(re.compile(r"gehalt|\d+ €", re.IGNORECASE)) is None
    assert word_list([r"gehalt", r"\d+ €"]).possible("nichts davon")


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Gehalt: 45.000 – 55.000 EUR brutto/Jahr", True),
        ("Gehalt: 60-70k", True),
        ("Stundenlohn 18 €", True),
        ("Wir sind 25 Leute in 3 Städten", False),  # digits without money
        ("Gehalt nach Vereinbarung", False),  # money words without digits
    ],
)
def test_salary_lines_without_digits_or_money_marks_are_skipped_alike(
    line: str, found: bool
) -> None:
    assert (parse_salary([line]) is not None) == found


def test_prefilters_stay_exact_when_their_memory_fills(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobscope import prefilter

    monkeypatch.setattr(prefilter, "_WORD_CACHE_SIZE", 3)
    monkeypatch.setattr(prefilter, "_TEXT_CACHE_SIZE", 2)
    monkeypatch.setattr(prefilter, "_NARROWED_CACHE_SIZE", 2)
    monkeypatch.setattr(prefilter, "_COMPILED_CACHE_SIZE", 1)
    texts = _word_list_texts()[:200]
    for word_list in _prefiltered_lists()[:12]:
        for text in texts:
            expected = [m.span() for m in word_list.pattern.finditer(text)]
            assert [m.span() for m in word_list.finditer(text)] == expected, text


def test_a_word_list_runs_only_the_entries_a_text_can_match() -> None:
    from jobscope.prefilter import needles_in, word_list

    cues = word_list([r"\bvon vorteil\b", r"wäre (sehr )?schön", r"\bis a plus\b"])
    text = "Englisch wäre schön, Spanisch ist von Vorteil"
    narrowed = cues.narrowed(needles_in(text))
    assert narrowed is not None and narrowed is not cues.pattern
    assert [m.group(0) for m in narrowed.finditer(text)] == ["wäre schön", "von Vorteil"]
    assert "plus" not in narrowed.pattern
    assert [m.span() for m in cues.finditer(text)] == [
        m.span() for m in cues.pattern.finditer(text)
    ]
    assert cues.narrowed(needles_in("Du planst Posts")) is None
    # What findall and sub answer with may name groups, numbered in the whole list: there
    # they run the whole list.
    grouped = word_list([r"(pl)us", r"(v)on (v)orteil"])
    text = "von Vorteil, a plus"
    assert (
        grouped.findall(text) == grouped.pattern.findall(text) == [("", "v", "V"), ("pl", "", "")]
    )
    assert grouped.sub(r"<\1>", text) == grouped.pattern.sub(r"<\1>", text) == "<>, a <pl>"
    assert grouped.sub(lambda m: str(m.lastindex), text) == "3, a 1"
    assert grouped.sub("#", text) == "#, a #"
    # A backreference names its group by its number in the whole list, where "\1" is "(x)",
    # unset when the second entry runs: such a list runs whole. Alone, that entry would match.
    backreference = word_list([r"(x)y", r"(a)\1b"])
    assert backreference.narrowed(needles_in("aab")) is backreference.pattern
    assert list(backreference.finditer("aab")) == []
    assert word_list([r"(a)\1b"]).search("aab")


def test_a_word_list_rules_out_a_text_by_substrings_without_learning_its_needles() -> None:
    from jobscope.normalize import fold_case
    from jobscope.prefilter import word_list

    cues = word_list([r"\bvon vorteil\b", r"wäre schön", r"\bis a plus\b"])
    assert not cues.may_occur_in(fold_case("Du planst Posts für Instagram"))
    assert cues.may_occur_in(fold_case("Erfahrung mit TikTok ist VON VORTEIL"))
    assert cues.may_occur_in(fold_case("Spanish is a plus"))
    # Necessary, not sufficient: "vorteil" inside another word passes the test, and the
    # pattern itself decides.
    assert cues.may_occur_in(fold_case("Vorteilhaft"))
    assert not cues.search("Vorteilhaft")

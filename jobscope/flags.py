"""Red flags and the realism score: one small detector per flag of LABELS.md, each returning
its evidence (the quoted text of the ad), a message and a concrete suggestion in the ad's
language.

The detectors read a finished :class:`Report` (requirement items with their labels, sections,
platform hits, the role decision); word lists are package data (`data/flags.json`), messages
are in `data/messages.json`, thresholds and severities in :class:`Settings`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache, reduce
from itertools import chain
from operator import or_
from typing import Any

from jobscope.experience import experience_demands, sentences
from jobscope.language import detect_language
from jobscope.model import FLAG_CODES, SEVERITIES, Flag, Report, Requirement
from jobscope.normalize import has_gender_form
from jobscope.platforms import display_name, platforms
from jobscope.prefilter import Needles, Prefiltered, needles_in, needles_in_all, word_list
from jobscope.resources import load_json
from jobscope.salary import parse_salary
from jobscope.settings import Settings

MAX_EVIDENCE = 8
_TASK_SECTIONS = frozenset({"tasks", "other"})
_DEMAND_SECTIONS = frozenset({"tasks", "profile", "other"})


@lru_cache(maxsize=1)
def _lists() -> dict[str, Any]:
    data = load_json("flags.json")
    always = data["always_on"]
    gender = data["gender"]
    return {
        "professions": {
            name: word_list(patterns)
            for name, patterns in data["professions"].items()
            if not name.startswith("_")
        },
        "buzzwords": word_list(data["buzzword_title"]),
        "always_cues": word_list(always["cues"]),
        "always_negations": word_list(always["negations"]),
        "shift_plan": word_list(always["shift_plan"]),
        "compensation": word_list(always["compensation"]),
        "gender_markers": word_list(gender["markers"]),
        "neutral_titles": word_list(gender["neutral_titles"]),
        "person_noun": re.compile(gender["person_noun"]),
        "not_person": frozenset(gender["not_person"]),
        "vague_salary": word_list(data["salary"]["vague"]),
        "hedges": word_list(data["hedges"]),
        "short_form_video": word_list(data["short_form_video"]),
        "long_form_video": word_list(data["long_form_video"]),
        "supervise": word_list(data["side_job"]["supervise"]),
    }


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    data: dict[str, Any] = load_json("messages.json")
    return data


@dataclass
class AdView:
    """What the detectors read from a report, computed once."""

    report: Report
    settings: Settings
    lang: str
    ad_date: date
    lines: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, report: Report, settings: Settings) -> AdView:
        lang = settings.message_language or (report.language if report.language == "de" else "en")
        day = report.date_posted or settings.reference_date or date.today()
        lines = [report.title] if report.title else []
        for section in report.sections:
            if section.heading:  # "Gehalt: 60-70k" may stand alone and read as a heading
                lines.append(section.heading)
            lines += [block.text for block in section.blocks]
        return cls(report, settings, lang, day, lines)

    @cached_property
    def professions(self) -> dict[str, str]:
        return professions(self)

    @cached_property
    def social_work(self) -> list[str]:
        """personal_social_work of the task sections (professions and side_job ask)."""
        return personal_social_work(self)

    @cached_property
    def needles(self) -> Needles:
        """The prefilters' needles of all the ad's lines. Every line, item and sentence the
        detectors read is part of a line, so a word list that these needles rule out matches
        none of them (a cheap test that spares the detectors their loops)."""
        return needles_in_all(self.lines)

    def may_match(self, word_list: Prefiltered) -> bool:
        """False only when `word_list` matches nowhere in the ad."""
        return word_list.possible_with(self.needles)

    @cached_property
    def stated_salary(self) -> dict[str, Any] | None:
        """The salary the ad's text states (parsed once: apply_flags and no_salary ask)."""
        return parse_salary(self.lines)

    def demanded(self, sections: frozenset[str]) -> list[Requirement]:
        return [r for r in self.report.requirements if not r.optional and r.section in sections]

    def text(self, key: str, **values: Any) -> str:
        """A message of messages.json in the view's language, its fields filled in."""
        node: Any = _messages()
        for part in key.split("."):
            if part not in node and self.lang in node:
                node = node[self.lang]
            node = node[part]
        template: str = node[self.lang] if isinstance(node, dict) else node
        return template.format(**values)

    def join(self, words: list[str]) -> str:
        if not words:
            return self.text("none")
        if len(words) == 1:
            return words[0]
        return f"{', '.join(words[:-1])} {self.text('and')} {words[-1]}"

    def flag(self, code: str, message: str, evidence: list[str], suggestion: str) -> Flag:
        return Flag(
            code=code,
            severity=self.settings.severity(code),  # type: ignore[arg-type]
            message=message,
            evidence=list(dict.fromkeys(evidence))[:MAX_EVIDENCE],
            suggestion=suggestion,
        )

    def when(self, day: date) -> str:
        return day.strftime("%d.%m.%Y") if self.lang == "de" else day.isoformat()

    def number(self, value: float, spec: str = "g") -> str:
        """A number as the view's language writes it (a decimal comma in German)."""
        text = format(value, spec)
        return text.replace(".", ",") if self.lang == "de" else text

    @cached_property
    def platform_evidence(self) -> dict[str, str]:
        """Each demanded platform's first demanding passage."""
        first: dict[str, str] = {}
        for hit in self.report.platform_hits:
            if hit.demanded:
                first.setdefault(hit.platform, hit.evidence)
        return first


# --- kitchen_sink --------------------------------------------------------------------------------


def personal_social_work(view: AdView, sections: frozenset[str] = _TASK_SECTIONS) -> list[str]:
    """Demanded items in which the candidate does social-media work personally: items with a
    specialism label that do not only brief or steer a social team or agency."""
    supervise = _lists()["supervise"]
    return [
        r.text for r in view.demanded(sections) if r.specialisms and not supervise.search(r.text)
    ]


_DESIGN_FOR_POSTS = frozenset({"graphic_design", "photography"})


def professions(view: AdView) -> dict[str, str]:
    """The professions whose core work the ad's tasks ask for, each with the first task that
    asks for it (LABELS.md, kitchen_sink).

    Social-media management comes from items with strategy, community or analytics labels;
    video production from video items, unless they are short-form social video (Reels,
    TikToks, clips), which is social-media work. The other professions come from word lists;
    graphics and photos in an item that the model labels as social work are content for posts,
    occasional or helping tasks ("ab und zu", "help with") are not core work, and neither is
    work the candidate only steers (an agency, an external designer)."""
    lists = _lists()
    hedges, supervise = lists["hedges"], lists["supervise"]
    found: dict[str, str] = {}
    social = set(view.social_work)
    tasks = view.demanded(_TASK_SECTIONS)
    present = [needles_in(req.text) for req in tasks]  # each task's needles, for every list
    core: dict[int, bool] = {}

    def core_work(index: int) -> bool:
        """Is a task core work: not hedged, not only steered? An item of `social` is known not
        to be steered (personal_social_work asked). Asked only of the tasks that would count
        (a profession's first match, social or video items), once each."""
        if index not in core:
            text, needles = tasks[index].text, present[index]
            core[index] = not hedges.search_with(text, needles) and (
                text in social or not supervise.search_with(text, needles)
            )
        return core[index]

    for index, req in enumerate(tasks):
        labels = set(req.labels)
        if (
            req.text in social
            and {"strategy", "community", "analytics"} & labels
            and core_work(index)
        ):
            found.setdefault("social_media", req.text)
        if "video" in labels and core_work(index):
            text = req.text
            if lists["long_form_video"].search(text) or not lists["short_form_video"].search(text):
                found.setdefault("video_production", text)
            elif text in social:
                found.setdefault("social_media", text)
    in_tasks = reduce(or_, present, 0)  # a list none of the tasks can match is not tried
    for name, pattern in lists["professions"].items():
        if not pattern.possible_with(in_tasks):
            continue
        for index, req in enumerate(tasks):
            if name in _DESIGN_FOR_POSTS and req.specialisms:
                continue
            if pattern.search_with(req.text, present[index]) and core_work(index):
                found[name] = req.text
                break
    order = ["social_media", "video_production", *lists["professions"]]
    return {name: found[name] for name in order if name in found}


def _platform_names(ids: list[str]) -> list[str]:
    return [display_name(pid) for pid in ids]


def kitchen_sink(view: AdView) -> Flag | None:
    settings, report = view.settings, view.report
    found = view.professions
    demanded = report.networks_demanded
    tipped = []
    # jobscope judges social-media work: professions tip the flag only in an ad that asks for
    # social-media work of the candidate's own (a press officer who also runs events is not
    # judged here; see corpus/LABELING.md).
    social_work = bool({"social_media", "video_production"} & set(found))
    by_professions = social_work and len(found) >= settings.kitchen_sink_min_professions
    by_platforms = len(demanded) >= settings.kitchen_sink_min_platforms
    if by_professions:
        tipped.append(
            view.text(
                "tipped.professions", n=len(found), limit=settings.kitchen_sink_min_professions
            )
        )
    if by_platforms:
        tipped.append(
            view.text(
                "tipped.platforms", n=len(demanded), limit=settings.kitchen_sink_min_platforms
            )
        )
    if not tipped:
        return None
    names = _messages()["professions"]
    label = {name: names[name][view.lang] for name in found}
    message = view.text(
        "flags.kitchen_sink.message",
        n_professions=len(found),
        professions=", ".join(label.values()) or view.text("none"),
        n_platforms=len(demanded),
        platforms=", ".join(_platform_names(demanded)) or view.text("none"),
        n_specialisms=len(report.demanded_specialisms),
        tipped=view.join(tipped),
    )
    suggestions = []
    if by_professions:
        core = _core_professions(report, found)
        split = [label[name] for name in found if name not in core]
        suggestions.append(view.text("flags.kitchen_sink.split", split=view.join(split)))
    evidence = list(found.values())
    if by_platforms:
        hits = Counter(h.platform for h in report.platform_hits if h.demanded)
        ranked = sorted(demanded, key=lambda pid: (-hits[pid], demanded.index(pid)))
        keep = ranked[: settings.kitchen_sink_keep_platforms]
        drop = [pid for pid in demanded if pid not in keep]
        suggestions.append(
            view.text(
                "flags.kitchen_sink.platforms",
                keep=view.join(_platform_names(keep)),
                drop=view.join(_platform_names(drop)),
            )
        )
        evidence += list(view.platform_evidence.values())
    return view.flag("kitchen_sink", message, evidence, " ".join(suggestions))


def _core_professions(report: Report, found: dict[str, str]) -> set[str]:
    """The professions the role is about: social-media management (with video production when
    video is the primary specialism) in a social-media role, else the first other profession."""
    if report.social_media_role:
        core = {"social_media"}
        if report.primary_specialism == "video" or "social_media" not in found:
            core.add("video_production")
        return core
    others = [name for name in found if name not in {"social_media", "video_production"}]
    return {others[0]} if others else set()


# --- dates: defunct_network, impossible_experience -----------------------------------------------


def defunct_network(view: AdView) -> Flag | None:
    table = platforms()
    gone = [
        table[pid]
        for pid in view.report.networks_demanded
        if pid in table
        and table[pid].shutdown is not None
        and not table[pid].status_uncertain
        and table[pid].shutdown < view.ad_date  # type: ignore[operator]
    ]
    if not gone:
        return None
    evidence = [view.platform_evidence[p.id] for p in gone]
    names = view.join([p.name for p in gone])
    shutdown = view.join([view.when(p.shutdown) for p in gone if p.shutdown])
    return view.flag(
        "defunct_network",
        view.text(
            "flags.defunct_network.message",
            name=names,
            shutdown=shutdown,
            ad_date=view.when(view.ad_date),
        ),
        evidence,
        view.text("flags.defunct_network.suggestion", name=names),
    )


def impossible_experience(view: AdView) -> Flag | None:
    texts = [r.text for r in view.demanded(_DEMAND_SECTIONS)]
    found = [d for d in experience_demands(texts) if d.impossible_on(view.ad_date)]
    if not found:
        return None
    first = max(found, key=lambda d: d.years - d.age_on(view.ad_date))
    return view.flag(
        "impossible_experience",
        view.text(
            "flags.impossible_experience.message",
            years=view.number(first.years),
            name=first.subject.name,
            ad_date=view.when(view.ad_date),
            age=view.number(first.age_on(view.ad_date), ".1f"),
            launched=view.when(first.subject.launched),
        ),
        [d.evidence for d in found],
        view.text("flags.impossible_experience.suggestion", name=first.subject.name),
    )


# --- the role: side_job --------------------------------------------------------------------------


def side_job(view: AdView) -> Flag | None:
    if view.report.social_media_role:
        return None
    social = view.social_work
    if not social:
        return None
    return view.flag(
        "side_job",
        view.text("flags.side_job.message", count=len(social)),
        social,
        view.text("flags.side_job.suggestion"),
    )


# --- the title: missing_gender_tag, buzzword_title ------------------------------------------------


def has_gender_marker(title: str) -> bool:
    """(m/w/d), (w/m/d), (m/f/d), (d/w/m), (all genders), (gn), Manager:in, Redakteur*in,
    Mitarbeiter_innen, Referent/-in, MitarbeiterInnen, "Referentin / Referent"."""
    if has_gender_form(title) or _lists()["gender_markers"].search(title):
        return True
    words = [w.lower() for w in re.findall(r"[\wäöüß]+", title)]
    return any(f"{w}in" in words or f"{w}innen" in words for w in words if len(w) > 2)


def needs_gender_marker(title: str) -> bool:
    """Titles without a person noun ("Minijob: Social Media im Verein", "Praktikum im
    Marketing") need no marker."""
    lists = _lists()
    if not lists["neutral_titles"].search(title):
        return True
    return any(
        m.group(0).lower() not in lists["not_person"] for m in lists["person_noun"].finditer(title)
    )


def missing_gender_tag(view: AdView) -> Flag | None:
    title = view.report.title
    if not title or has_gender_marker(title) or not needs_gender_marker(title):
        return None
    body = "\n".join(view.lines[1:])
    if detect_language(body) != "de":
        return None
    example = f"{title.strip()} (m/w/d)"
    return view.flag(
        "missing_gender_tag",
        view.text("flags.missing_gender_tag.message"),
        [title],
        view.text("flags.missing_gender_tag.suggestion", example=example),
    )


_TITLE_TAIL = re.compile(r"\s*\([^)]*\)|\s+(?:at|bei|@|–|—|-|\|)\s+.*$")


def _title_head(title: str) -> str:
    """The job title without parentheses and what follows "at", "bei" or a dash (a company or
    place: "Video Editor – Magic Wizard Games", "Social Media Manager (Pirate Radio)")."""
    return _TITLE_TAIL.sub(" ", title).strip() or title


def buzzword_title(view: AdView) -> Flag | None:
    title = view.report.title
    head = _title_head(title)
    words = [m.group(0) for m in _lists()["buzzwords"].finditer(head)] if head else []
    if not words:
        return None
    example = _lists()["buzzwords"].sub("Manager", title)
    example = re.sub(r"\s{2,}", " ", example).strip()
    if example == title or "Manager" not in example:
        example = "Social Media Manager"
    return view.flag(
        "buzzword_title",
        view.text("flags.buzzword_title.message", words=", ".join(dict.fromkeys(words))),
        [title],
        view.text("flags.buzzword_title.suggestion", example=example),
    )


# --- hours and pay: always_on, no_salary ----------------------------------------------------------


def out_of_hours_demands(view: AdView) -> list[str]:
    """Sentences of the task, profile and other sections that demand work or availability
    outside normal hours (not negated, not part of a shift plan)."""
    lists = _lists()
    found: list[str] = []
    if not view.may_match(lists["always_cues"]):
        return found
    for section in view.report.sections:
        if section.kind not in _DEMAND_SECTIONS or section.optional:
            continue
        for block in section.blocks:
            if not lists["always_cues"].possible(block.text):
                continue  # nor in any of its sentences
            for sentence in sentences(block.text):
                cues = lists["always_cues"].finditer(sentence)
                first = next(cues, None)
                if first is None or lists["shift_plan"].search(sentence):
                    continue  # the shift plan is read only in a sentence with a cue
                for m in chain([first], cues):
                    around = sentence[max(0, m.start() - 30) : m.end() + 20]
                    if not lists["always_negations"].search(around):
                        found.append(sentence)
                        break
    return found


def always_on(view: AdView) -> Flag | None:
    demands = out_of_hours_demands(view)
    if not demands:
        return None
    compensation = _lists()["compensation"]
    if view.may_match(compensation) and any(compensation.search(line) for line in view.lines):
        return None
    return view.flag(
        "always_on",
        view.text("flags.always_on.message"),
        demands,
        view.text("flags.always_on.suggestion"),
    )


def salary_of(view: AdView) -> dict[str, Any] | None:
    """The ad's salary: its structured data (JSON-LD baseSalary) first, else its text."""
    if view.report.salary:
        return view.report.salary
    return view.stated_salary


def no_salary(view: AdView) -> Flag | None:
    if salary_of(view) is not None:
        return None
    vague_salary = _lists()["vague_salary"]
    vague = (
        [line for line in view.lines if vague_salary.search(line)]
        if view.may_match(vague_salary)
        else []
    )
    return view.flag(
        "no_salary",
        view.text("flags.no_salary.message"),
        vague,
        view.text("flags.no_salary.suggestion"),
    )


DETECTORS: dict[str, Callable[[AdView], Flag | None]] = {
    "kitchen_sink": kitchen_sink,
    "defunct_network": defunct_network,
    "impossible_experience": impossible_experience,
    "side_job": side_job,
    "missing_gender_tag": missing_gender_tag,
    "buzzword_title": buzzword_title,
    "always_on": always_on,
    "no_salary": no_salary,
}
assert tuple(DETECTORS) == FLAG_CODES


def detect_flags(report: Report, settings: Settings | None = None) -> list[Flag]:
    """Every flag that holds for a report, in the order of FLAG_CODES."""
    return _detect(AdView.of(report, settings or Settings()))


def _detect(view: AdView) -> list[Flag]:
    settings = view.settings
    out = []
    for code, detector in DETECTORS.items():
        if code in settings.flags_disabled:
            continue
        flag = detector(view)
        if flag is not None:
            out.append(flag)
    return out


def realism_score(report: Report, flags: list[Flag], settings: Settings | None = None) -> int:
    """100 minus each raised flag's penalty, minus a breadth penalty for platforms and
    professions beyond a realistic number (capped), never below 0. See the README."""
    return _score(AdView.of(report, settings or Settings()), flags)


def _score(view: AdView, flags: list[Flag]) -> int:
    settings, report = view.settings, view.report
    lost = sum(settings.penalty(flag.code) for flag in flags)
    extra_platforms = max(0, len(report.networks_demanded) - settings.score_platforms_free)
    extra_professions = max(0, len(view.professions) - settings.score_professions_free)
    breadth = (
        extra_platforms * settings.score_per_platform
        + extra_professions * settings.score_per_profession
    )
    lost += min(breadth, settings.score_breadth_cap)
    return max(0, min(100, 100 - lost))


def worst_at_least(flags: list[Flag], level: str) -> bool:
    """Is any flag of severity `level` or worse raised (`check --fail-on`)?"""
    rank_of = {name: i for i, name in enumerate(SEVERITIES)}
    return any(rank_of[flag.severity] >= rank_of[level] for flag in flags)


def rank(reports: list[Report]) -> list[Report]:
    """Reports from the most to the least realistic ad (score, then fewer errors, then title)."""
    return sorted(
        reports,
        key=lambda r: (
            -(r.score if r.score is not None else -1),
            sum(f.severity == "error" for f in r.flags),
            r.title.lower(),
        ),
    )


def apply_flags(report: Report, settings: Settings | None = None) -> Report:
    """Fill a report's flags, score and (when the text states one) salary."""
    view = AdView.of(report, settings or Settings())
    if report.salary is None:
        report.salary = salary_of(view)
    report.flags = _detect(view)
    report.score = _score(view, report.flags)
    return report

"""JobAd -> Report: the whole pipeline for one ad.

segment -> requirement items -> classify -> specialism profile -> platforms -> role decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from jobscope.errors import JobscopeError
from jobscope.flags import apply_flags
from jobscope.language import detect_language
from jobscope.model import SPECIALISMS, JobAd, Report, Requirement, Section
from jobscope.normalize import clean_text, fold_gender, one_line
from jobscope.platforms import detect, split_demanded
from jobscope.resources import any_of, load_json
from jobscope.segment import Item, requirement_items, segment
from jobscope.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from jobscope.classify import Classifier, Predictor

_CLASSIFIERS: dict[tuple[object, ...], Classifier] = {}


def get_classifier(settings: Settings) -> Classifier:
    """One verified classifier per process and model setting."""
    from jobscope.classify import load_classifier

    key = (settings.model_path, settings.label_threshold, settings.cache_dir)
    if key not in _CLASSIFIERS:
        _CLASSIFIERS[key] = load_classifier(settings)
    return _CLASSIFIERS[key]


@lru_cache(maxsize=1)
def _social_context() -> dict[str, re.Pattern[str]]:
    data = load_json("social_context.json")
    keys = ("patterns", "others", "oversee", "generic_social", "other_channels", "affinity")
    return {key: any_of(data[key]) for key in keys}


def has_social_context(text: str) -> bool:
    """Does an item name a platform, a format or social-media work of the candidate's own?

    Not: a mention of the social team or agency ("Infos an das Social-Media-Team liefern"), a
    line about interest ("Interesse an Social Media"), nor social media as one channel in a list
    the role only oversees ("Koordination der Kanäle Website, Messen und Social Media")."""
    from jobscope.platforms import find_platforms

    rules = _social_context()
    text = rules["others"].sub(" ", text)
    platforms = any(not link for *_, link in find_platforms(text))
    if not platforms and rules["affinity"].search(text):
        return False
    if (
        not platforms
        and rules["oversee"].search(text)
        and len(rules["other_channels"].findall(text)) >= 2
        and not rules["patterns"].search(rules["generic_social"].sub(" ", text))
    ):
        return False
    return platforms or bool(rules["patterns"].search(text))


def apply_role_context(requirements: list[Requirement], social_role: bool) -> None:
    """Outside a social-media role, an item is social-media work only when it says so.

    The four specialisms describe communication work on social platforms; the same words in
    another trade (a controller's KPI report, a sales strategy) are general (LABELS.md). In a
    social-media role the platform context is implicit; elsewhere the item must name it.
    """
    if social_role:
        return
    for req in requirements:
        if req.labels != ["general"] and not has_social_context(req.text):
            req.labels = ["general"]
            req.context_rule = True


@lru_cache(maxsize=1)
def _social_title() -> re.Pattern[str]:
    return any_of(load_json("roles.json")["social_title"])


@lru_cache(maxsize=1)
def _content_title() -> re.Pattern[str]:
    return any_of(load_json("roles.json")["content_title"])


def specialism_profile(requirements: list[Requirement]) -> dict[str, float]:
    """Share of the ad's specialism work per specialism: each demanded item counts once,
    split equally over its specialisms; sums to 1, or all 0 when there is none."""
    weights = dict.fromkeys(SPECIALISMS, 0.0)
    for req in requirements:
        specs = req.specialisms
        if req.optional or not specs:
            continue
        for label in specs:
            weights[label] += 1.0 / len(specs)
    total = sum(weights.values())
    return {k: (v / total if total else 0.0) for k, v in weights.items()}


def primary_specialism(requirements: list[Requirement], profile: dict[str, float]) -> str:
    """The specialism with the largest share; on a tie the one the ad names first."""
    best = max(profile.values())
    if best <= 0:
        return "none"
    tied = [k for k, v in profile.items() if abs(v - best) < 1e-9]
    if len(tied) == 1:
        return tied[0]
    for req in requirements:
        for label in req.labels:
            if label in tied and not req.optional:
                return label
    return tied[0]


def is_social_media_role(title: str, requirements: list[Requirement], settings: Settings) -> bool:
    """A social-media role by its title, or by the share of its items that are social work;
    a content or online-communication title needs only the minimum number of such items."""
    folded = fold_gender(title)
    if _social_title().search(folded):
        return True
    demanded = [r for r in requirements if not r.optional]
    social = [r for r in demanded if r.specialisms]
    if len(social) < settings.social_role_min_items:
        return False
    if _content_title().search(folded):
        return True
    return len(social) / max(len(demanded), 1) >= settings.social_role_min_share


def title_of(ad: JobAd) -> str:
    return one_line(clean_text(ad.title)) if ad.title else ""


_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
"""ASCII digits, punctuation, spaces and control characters: what a repost may change."""
_TYPOGRAPHY = "–—‐‑„“”‚‘’«»‹›…•·"
"""Dashes, quotes, ellipses and bullets, which boards turn into ASCII or back."""


def _by_lead(marks: str) -> dict[bytes, frozenset[int]]:
    """The marks' UTF-8 by all bytes but the last ("–", "—": b"\\xe2\\x80" -> 0x93, 0x94)."""
    found: dict[bytes, set[int]] = {}
    for mark in marks:
        code = mark.encode()
        found.setdefault(code[:-1], set()).add(code[-1])
    return {lead: frozenset(lasts) for lead, lasts in found.items()}


_TYPOGRAPHY_BY_LEAD = _by_lead(_TYPOGRAPHY)


def _drop_typography(folded: bytes) -> bytes:
    """UTF-8 text without the characters of _TYPOGRAPHY.

    They all start with one of two byte sequences (the general punctuation block and
    Latin-1's), so the text is cut at those and each mark's last byte dropped: two scans of
    the text where a `replace` per mark costs seventeen. In valid UTF-8 a lead sequence occurs
    only at the start of a character, so nothing else is cut."""
    for lead, lasts in _TYPOGRAPHY_BY_LEAD.items():
        if lead not in folded:
            continue
        pieces = folded.split(lead)
        kept = [pieces[0]]
        for piece in pieces[1:]:
            if piece and piece[0] in lasts:
                kept.append(piece[1:])
            else:
                kept += (lead, piece)
        folded = b"".join(kept)
    return folded


def fingerprint(title: str, company: str | None, body: str) -> str:
    """A key that is equal for reposts of one ad: the same title, company and text under
    another URL or date. Case, punctuation, spacing and digits (dates, reference numbers)
    are ignored.

    Works on the UTF-8 bytes, where one `bytes.translate` drops every ASCII non-letter: a
    regular expression over the characters costs about six times as much, per ad."""
    import hashlib

    parts = []
    for part in (title, company or "", body):
        folded = _drop_typography(part.lower().encode("utf-8", "surrogatepass"))
        parts.append(folded.translate(None, _NOT_LETTERS))
    return hashlib.blake2b(b"\x1f".join(parts), digest_size=8).hexdigest()


def analyze(
    ad: JobAd,
    *,
    settings: Settings | None = None,
    explain: bool = False,
    classifier: Predictor | None = None,
) -> Report:
    """Analyse one ad and return its report, with its flags and realism score."""
    settings = settings or Settings()
    model = classifier or get_classifier(settings)
    sections, items = _read(ad)
    labels, scores = model.predict([item.text for item in items])
    return _finish(ad, sections, items, labels, scores, model, settings=settings, explain=explain)


def analyze_ads(
    ads: Sequence[JobAd | JobscopeError],
    *,
    settings: Settings | None = None,
    classifier: Predictor | None = None,
) -> list[Report | JobscopeError]:
    """Analyse many ads with one model call for all their items (the model's cost per call
    is far larger than its cost per item). An ad that fails gives its error in its place;
    errors passed in are passed through, so callers can keep records and outcomes aligned."""
    settings = settings or Settings()
    model = classifier or get_classifier(settings)
    read: list[tuple[JobAd, list[Section], list[Item]] | JobscopeError] = []
    for ad in ads:
        if isinstance(ad, JobscopeError):
            read.append(ad)
            continue
        try:
            read.append((ad, *_read(ad)))
        except JobscopeError as exc:
            read.append(exc)
    texts = [
        item.text for entry in read if not isinstance(entry, JobscopeError) for item in entry[2]
    ]
    labels, scores = model.predict(texts) if texts else ([], [])
    out: list[Report | JobscopeError] = []
    start = 0
    for entry in read:
        if isinstance(entry, JobscopeError):
            out.append(entry)
            continue
        ad, sections, items = entry
        end = start + len(items)
        try:
            out.append(
                _finish(
                    ad,
                    sections,
                    items,
                    labels[start:end],
                    scores[start:end],
                    model,
                    settings=settings,
                    explain=False,
                )
            )
        except JobscopeError as exc:
            out.append(exc)
        start = end
    return out


def _read(ad: JobAd) -> tuple[list[Section], list[Item]]:
    sections = segment(ad)
    return sections, requirement_items(sections)


def _finish(
    ad: JobAd,
    sections: list[Section],
    items: list[Item],
    labels: list[list[str]],
    scores: list[dict[str, float]],
    model: Predictor,
    *,
    settings: Settings,
    explain: bool,
) -> Report:
    """Everything after the model: role, profile, platforms, language, flags."""
    requirements = [
        Requirement(
            text=item.text,
            section=item.section,
            labels=item_labels,
            scores=item_scores,
            optional=item.optional,
            explanation=model.explain(item.text) if explain else None,
        )
        for item, item_labels, item_scores in zip(items, labels, scores, strict=True)
    ]
    title = title_of(ad)
    social_role = is_social_media_role(title, requirements, settings)
    apply_role_context(requirements, social_role)
    profile = specialism_profile(requirements)
    demanded_specs = [k for k in SPECIALISMS if profile[k] > 0]

    chunks: list[tuple[str, str, bool]] = [(title, "title", True)] if title else []
    requirement_sections = {item.section for item in items}
    for section in sections:
        for block in section.blocks:
            if section.kind in {"tasks", "profile"} or (
                section.kind == "other" and "other" in requirement_sections
            ):
                continue  # read below, item by item
            chunks.append((block.text, section.kind, False))
    chunks.extend((req.text, req.section, not req.optional) for req in requirements)
    chunks.extend((line, "page", False) for line in ad.context.splitlines() if line.strip())
    hits = detect(chunks)
    demanded, mentioned = split_demanded(hits)

    body = "\n".join(block.text for s in sections for block in s.blocks)
    report = Report(
        id=ad.id,
        title=title,
        language=detect_language(f"{title}\n{body}"),
        date_posted=ad.date_posted,
        source_kind=ad.source_kind,
        source_location=ad.source_location,
        social_media_role=social_role,
        primary_specialism=primary_specialism(requirements, profile),
        demanded_specialisms=demanded_specs,
        specialisms=profile,
        requirements=requirements,
        networks_demanded=demanded,
        networks_mentioned=mentioned,
        sections=sections,
        platform_hits=hits,
        company=ad.company,
        location=ad.location,
        salary=ad.salary,
        fingerprint=fingerprint(title, ad.company, body),
        url=ad.url,
    )
    return apply_flags(report, settings)


def analyze_source(
    source: str, *, settings: Settings | None = None, explain: bool = False
) -> Report:
    """Read one ad from a path, "-" or a URL and analyse it."""
    from jobscope.ingest import load_ad

    settings = settings or Settings()
    return analyze(load_ad(source, settings=settings), settings=settings, explain=explain)


def analyze_many(
    sources: Iterable[str], *, settings: Settings | None = None
) -> Iterator[tuple[str, Report | JobscopeError]]:
    """Analyse several ads one by one: (source, report) or (source, the error that stopped it),
    so that one unreadable ad does not lose the others."""
    settings = settings or Settings()
    for source in sources:
        try:
            yield source, analyze_source(source, settings=settings)
        except JobscopeError as exc:
            yield source, exc

"""The domain's data: a job ad as read, its sections and requirement items, and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

SCHEMA = "jobscope.report/1"
SPECIALISMS: tuple[str, ...] = ("strategy", "video", "analytics", "community")
LABELS: tuple[str, ...] = (*SPECIALISMS, "general")
FLAG_CODES: tuple[str, ...] = (
    "kitchen_sink",
    "defunct_network",
    "impossible_experience",
    "side_job",
    "missing_gender_tag",
    "buzzword_title",
    "always_on",
    "no_salary",
)
"""The flags of LABELS.md; the codes are stable."""
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
SECTION_KINDS: tuple[str, ...] = ("tasks", "profile", "benefits", "about", "application", "other")

SourceKind = Literal["file", "stdin", "url", "record"]
DescriptionFormat = Literal["html", "text", "markdown"]


@dataclass
class JobAd:
    """One job ad as read from a file, stdin, a URL or a record, before analysis."""

    title: str
    description: str
    description_format: DescriptionFormat = "text"
    id: str = ""
    company: str | None = None
    location: str | None = None
    date_posted: date | None = None
    salary: dict[str, Any] | None = None
    url: str | None = None
    source_kind: SourceKind = "file"
    source_location: str = ""
    structured: str | None = None
    """Where the fields came from: "jsonld", "microdata", "record" or None (the visible text)."""
    context: str = ""
    """Text around the ad on its page (navigation, footer, link targets): read for platform
    mentions only, never for requirements."""


@dataclass
class Block:
    """One line-level unit of an ad: a heading, a bullet item or a paragraph."""

    kind: Literal["heading", "bullet", "para"]
    text: str


@dataclass
class Section:
    kind: str
    heading: str | None
    blocks: list[Block] = field(default_factory=list)
    optional: bool = False
    """A "nice to have" part of the profile: its items demand nothing."""


@dataclass
class Requirement:
    text: str
    section: str
    labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    optional: bool = False
    """A "nice to have" / "von Vorteil" item: shown, but it demands nothing."""
    explanation: dict[str, list[str]] | None = None
    context_rule: bool = False
    """The model saw specialism work, but the item names no social platform in a role that is
    not a social-media role, so it counts as general (see analyze.apply_role_context)."""

    @property
    def specialisms(self) -> list[str]:
        """The item's labels that are specialisms (empty for general work)."""
        return [label for label in self.labels if label in SPECIALISMS]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "section": self.section,
            "labels": list(self.labels),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "optional": self.optional,
        }
        if self.explanation is not None:
            data["explanation"] = self.explanation
        return data


@dataclass
class PlatformHit:
    """One occurrence of a platform in an ad, with the text around it as evidence."""

    platform: str
    alias: str
    demanded: bool
    evidence: str
    section: str


@dataclass
class Flag:
    code: str
    severity: Literal["info", "warning", "error"]
    message: str
    evidence: list[str] = field(default_factory=list)
    suggestion: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": list(self.evidence),
            "suggestion": self.suggestion,
        }


@dataclass
class Report:
    """What jobscope decided about one ad. :meth:`to_dict` is the stable JSON contract."""

    id: str
    title: str
    language: str
    date_posted: date | None
    source_kind: str
    source_location: str
    social_media_role: bool
    primary_specialism: str
    demanded_specialisms: list[str]
    specialisms: dict[str, float]
    requirements: list[Requirement]
    networks_demanded: list[str]
    networks_mentioned: list[str]
    sections: list[Section] = field(default_factory=list)
    platform_hits: list[PlatformHit] = field(default_factory=list)
    company: str | None = None
    location: str | None = None
    salary: dict[str, Any] | None = None
    flags: list[Flag] = field(default_factory=list)
    score: int | None = None
    fingerprint: str = ""
    """Equal for reposts of one ad (same title, company and text under another URL or date)."""
    url: str | None = None
    """Where the ad was published, when the input says so."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "date_posted": self.date_posted.isoformat() if self.date_posted else None,
            "source": {"kind": self.source_kind, "location": self.source_location},
            "social_media_role": self.social_media_role,
            "primary_specialism": self.primary_specialism,
            "demanded_specialisms": list(self.demanded_specialisms),
            "specialisms": {k: round(self.specialisms.get(k, 0.0), 4) for k in SPECIALISMS},
            "requirements": [r.to_dict() for r in self.requirements],
            "networks": {
                "demanded": list(self.networks_demanded),
                "mentioned": list(self.networks_mentioned),
            },
            "flags": [f.to_dict() for f in self.flags],
            "score": self.score,
            "company": self.company,
            "location": self.location,
            "salary": self.salary,
            "url": self.url,
            "fingerprint": self.fingerprint,
            "sections": [
                {
                    "kind": s.kind,
                    "heading": s.heading,
                    "optional": s.optional,
                    "blocks": len(s.blocks),
                }
                for s in self.sections
            ],
        }

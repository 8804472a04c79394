"""Report -> text (with bars), JSON, Markdown."""

from __future__ import annotations

import json
from typing import Any

from jobscope.model import SPECIALISMS, Report

_BAR_WIDTH = 30


class Style:
    """ANSI styling, switched off for pipes and when NO_COLOR is set."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self(text, "1")

    def dim(self, text: str) -> str:
        return self(text, "2")


def bar(share: float, width: int = _BAR_WIDTH) -> str:
    """A horizontal bar of `width` cells for a share between 0 and 1 (eighth-cell steps)."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return ("█" * full + partial).ljust(width)


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def _labels(labels: list[str]) -> str:
    return ", ".join(labels)


def to_text(report: Report, *, color: bool = False) -> str:
    s = Style(color)
    data = report.to_dict()
    lines = [s.bold(report.title or "(untitled ad)")]
    facts = [f"language: {report.language}"]
    if report.company:
        facts.append(f"company: {report.company}")
    if report.location:
        facts.append(f"location: {report.location}")
    if report.date_posted:
        facts.append(f"posted: {report.date_posted.isoformat()}")
    facts.append(f"source: {report.source_kind} {report.source_location}")
    lines.append(s.dim(" · ".join(facts)))
    lines.append("")
    role = "yes" if report.social_media_role else "no"
    lines.append(f"{s.bold('Social-media role:')} {role}")
    lines.append(f"{s.bold('Primary specialism:')} {report.primary_specialism}")
    lines.append("")
    lines.append(s.bold("Specialism profile"))
    for name in SPECIALISMS:
        share = data["specialisms"][name]
        lines.append(f"  {name:<10} {s(bar(share), '36')} {share * 100:5.1f} %")
    lines.append("")
    lines.append(s.bold("Platforms"))
    lines.append(f"  demanded:  {', '.join(report.networks_demanded) or '-'}")
    lines.append(f"  mentioned: {', '.join(report.networks_mentioned) or '-'}")
    lines.append("")
    lines.append(s.bold("Sections"))
    for section in report.sections:
        heading = f' "{section.heading}"' if section.heading else ""
        lines.append(f"  {section.kind:<12}{heading} ({len(section.blocks)} blocks)")
    lines.append("")
    lines.append(s.bold(f"Requirements ({len(report.requirements)})"))
    for req in report.requirements:
        tag = _labels(req.labels) + (", optional" if req.optional else "")
        marker = s("●", "33") if any(label in SPECIALISMS for label in req.labels) else s.dim("○")
        lines.append(f"  {marker} [{req.section}] {req.text}")
        lines.append(s.dim(f"      → {tag}"))
        if req.explanation:
            for label, terms in req.explanation.items():
                lines.append(s.dim(f"        {label}: {', '.join(terms)}"))
    if report.flags:
        lines.append("")
        lines.append(s.bold("Flags"))
        for flag in report.flags:
            lines.append(f"  [{flag.severity}] {flag.code}: {flag.message}")
    if report.score is not None:
        lines.append("")
        lines.append(f"{s.bold('Realism score:')} {report.score}/100")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(report: Report) -> str:
    data: dict[str, Any] = report.to_dict()
    lines = [f"# {report.title or '(untitled ad)'}", ""]
    lines += [
        f"- **Language:** {report.language}",
        f"- **Social-media role:** {'yes' if report.social_media_role else 'no'}",
        f"- **Primary specialism:** {report.primary_specialism}",
        f"- **Demanded specialisms:** {', '.join(report.demanded_specialisms) or '-'}",
        f"- **Platforms demanded:** {', '.join(report.networks_demanded) or '-'}",
        f"- **Platforms mentioned:** {', '.join(report.networks_mentioned) or '-'}",
    ]
    if report.company:
        lines.append(f"- **Company:** {report.company}")
    if report.date_posted:
        lines.append(f"- **Posted:** {report.date_posted.isoformat()}")
    lines += ["", "## Specialism profile", "", "| specialism | share | |", "|---|---:|---|"]
    for name in SPECIALISMS:
        share = data["specialisms"][name]
        lines.append(f"| {name} | {share * 100:.1f} % | `{bar(share, 20)}` |")
    lines += ["", "## Requirements", "", "| section | item | labels |", "|---|---|---|"]
    for req in report.requirements:
        labels = _labels(req.labels) + (" (optional)" if req.optional else "")
        lines.append(f"| {req.section} | {_md_escape(req.text)} | {labels} |")
    if report.flags:
        lines += ["", "## Flags", ""]
        lines += [f"- **{f.code}** ({f.severity}): {f.message}" for f in report.flags]
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    return to_text(report, color=color)

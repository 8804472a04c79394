"""Report -> text (with bars), JSON, Markdown."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from jobscope.model import SPECIALISMS, Flag, Report

_BAR_WIDTH = 30
_WRAP = 98


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
    if report.salary:
        facts.append(f"salary: {salary_text(report.salary)}")
    facts.append(f"source: {report.source_kind} {report.source_location}")
    lines.append(s.dim(" · ".join(facts)))
    lines.append("")
    if report.score is not None:
        lines.append(f"{s.bold('Realism score:')} {_score_color(s, report.score)}/100")
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
        marker = s("●", "33") if req.specialisms else s.dim("○")
        lines.append(f"  {marker} [{req.section}] {req.text}")
        lines.append(s.dim(f"      → {tag}"))
        if req.explanation:
            for label, terms in req.explanation.items():
                lines.append(s.dim(f"        {label}: {', '.join(terms)}"))
    lines.append("")
    lines.append(s.bold(f"Flags ({len(report.flags)})"))
    if not report.flags:
        lines.append("  none")
    for flag in report.flags:
        head = f"[{flag.severity}] {flag.code}: "
        wrapped = textwrap.wrap(head + flag.message, _WRAP, subsequent_indent="    ")
        lines.append(f"  {_severity(s, flag)} {s.bold(flag.code)}: " + wrapped[0][len(head) :])
        lines += [f"  {line}" for line in wrapped[1:]]
        for quote in flag.evidence:
            lines.append(s.dim(f"      » {quote}"))
        if flag.suggestion:
            lines += textwrap.wrap(
                flag.suggestion, _WRAP, initial_indent="      → ", subsequent_indent="        "
            )
    return "\n".join(lines)


_SEVERITY_COLOR = {"error": "31", "warning": "33", "info": "36"}


def _severity(s: Style, flag: Flag) -> str:
    return s(f"[{flag.severity}]", _SEVERITY_COLOR.get(flag.severity, "0"))


def _score_color(s: Style, score: int) -> str:
    return s(str(score), "32" if score >= 70 else "33" if score >= 40 else "31")


def salary_text(salary: dict[str, Any]) -> str:
    """ "45000–55000 EUR/YEAR", "TVöD E11", "from 18 EUR/HOUR"."""
    low, high = salary.get("min"), salary.get("max")
    parts = []
    if low is not None or high is not None:
        if low is not None and high is not None and low != high:
            amount = f"{low:g}–{high:g}"
        elif low is not None and high is None:
            amount = f"from {low:g}"
        elif low is None:
            amount = f"up to {high:g}"
        else:
            amount = f"{low:g}"
        unit = f"/{salary['unit']}" if salary.get("unit") else ""
        parts.append(f"{amount} {salary.get('currency') or ''}".strip() + unit)
    if salary.get("pay_grade"):
        parts.append(str(salary["pay_grade"]))
    return ", ".join(parts) or "given"


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
    if report.salary:
        lines.append(f"- **Salary:** {salary_text(report.salary)}")
    if report.score is not None:
        lines.append(f"- **Realism score:** {report.score}/100")
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
        for f in report.flags:
            lines.append(f"- **{f.code}** ({f.severity}): {f.message}")
            lines += [f"  > {_md_escape(quote)}" for quote in f.evidence]
            if f.suggestion:
                lines.append(f"  *Suggestion:* {f.suggestion}")
    return "\n".join(lines) + "\n"


def ranking_rows(reports: list[Report]) -> list[dict[str, Any]]:
    """One row per ad for `jobscope score`, in the order given."""
    return [
        {
            "rank": n,
            "score": r.score,
            "title": r.title,
            "source": r.source_location,
            "primary_specialism": r.primary_specialism,
            "networks_demanded": list(r.networks_demanded),
            "flags": [f.code for f in r.flags],
            "salary": r.salary,
        }
        for n, r in enumerate(reports, start=1)
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_ranking(reports: list[Report], fmt: str, *, color: bool = False) -> str:
    """The ranking of `jobscope score` as a text table, JSON or a Markdown table."""
    rows = ranking_rows(reports)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        lines = [
            "| # | score | title | primary | platforms | flags |",
            "|---:|---:|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {row['rank']} | {row['score']} | {_md_escape(row['title'])} | "
                f"{row['primary_specialism']} | {', '.join(row['networks_demanded']) or '-'} | "
                f"{', '.join(row['flags']) or '-'} |"
            )
        return "\n".join(lines) + "\n"
    s = Style(color)
    header = f"{'#':>2}  {'score':>5}  {'title':<40}  {'primary':<10}  {'platforms':<28}  flags"
    lines = [s.bold(header)]
    for row, report in zip(rows, reports, strict=True):
        score = _score_color(s, report.score) if report.score is not None else "-"
        pad = " " * (5 - len(str(report.score if report.score is not None else "-")))
        lines.append(
            f"{row['rank']:>2}  {pad}{score}  {_cut(row['title'] or '(untitled)', 40):<40}  "
            f"{row['primary_specialism']:<10}  "
            f"{_cut(', '.join(row['networks_demanded']) or '-', 28):<28}  "
            f"{', '.join(row['flags']) or '-'}"
        )
    return "\n".join(lines)


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    return to_text(report, color=color)

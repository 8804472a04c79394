"""The corpus summary (:meth:`jobscope.summary.Summary.as_dict`) as Markdown and as one HTML page.

The HTML page is self-contained so that it can be mailed, archived and opened offline: inline CSS,
charts drawn here as inline SVG, no script, no link to anything. Company names and other text in
the data come from scraped ads, so every piece of it is escaped (HTML, or Markdown punctuation).
Each chart has a title for screen readers and a data table beside it, which also prints.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any

from jobscope.model import SPECIALISMS
from jobscope.render import bar

TITLE = "jobscope corpus summary"
MD_BAR_WIDTH = 20
TREND_MIN_ADS = 30
"""The lead compares the first and the last month only when both have this many ads."""
PLATFORM_COUNT_CAP = 8
"""Ads demanding this many platforms or more share one column ("8+")."""
MENTIONED_ONLY_SHOWN = 8

CHART_WIDTH = 640
WIDE_CHART_WIDTH = 1040
"""Charts over months take the page's full width."""
LABEL_WIDTH = 160
LABEL_CHARS = 24
VALUE_WIDTH = 110
ROW_HEIGHT = 26
BAR_HEIGHT = 16
PLOT_HEIGHT = 180
AXIS_LEFT = 48
AXIS_BOTTOM = 30
LEGEND_HEIGHT = 26
PAD = 10
MAX_X_LABELS = 10
"""Category labels under a chart of CHART_WIDTH; wider charts show proportionally more."""
DOT_MIN_SLOT = 14
"""Lines get a dot (with a tooltip) per point when the points are this far apart."""
GRID_STEPS = 4
FONT_SIZE = 12
CHAR_WIDTH = 7
"""Approximate width of one character at FONT_SIZE, for laying out legends."""

SPECIALISM_CLASSES = {s: f"s-{s}" for s in (*SPECIALISMS, "none")}
SERIES_CLASSES = ("c0", "c1", "c2", "c3", "c4")
LIGHT = {
    "bg": "#f6f7f9",
    "card": "#ffffff",
    "fg": "#1c2230",
    "muted": "#5c6677",
    "line": "#dde2ea",
    "grid": "#e7eaf0",
    "accent": "#3f6fb5",
    "warn": "#c4502f",
    "strategy": "#3f6fb5",
    "video": "#e07b28",
    "analytics": "#3c9a5f",
    "community": "#9a5bb0",
    "none": "#9aa1ad",
    "c0": "#3f6fb5",
    "c1": "#e07b28",
    "c2": "#3c9a5f",
    "c3": "#c4502f",
    "c4": "#9a5bb0",
}
DARK = {
    "bg": "#12151b",
    "card": "#1a1f27",
    "fg": "#e4e8ef",
    "muted": "#9aa4b5",
    "line": "#2b323d",
    "grid": "#28303b",
    "accent": "#74a3ea",
    "warn": "#f08462",
    "strategy": "#74a3ea",
    "video": "#f3a15c",
    "analytics": "#6cc78f",
    "community": "#c596d6",
    "none": "#7d8594",
    "c0": "#74a3ea",
    "c1": "#f3a15c",
    "c2": "#6cc78f",
    "c3": "#f08462",
    "c4": "#c596d6",
}

_CSS = """
:root{color-scheme:light dark;%(light)s}
@media (prefers-color-scheme:dark){:root{%(dark)s}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
 font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:2rem 1.25rem 3rem}
h1{font-size:1.7rem;margin:0 0 .2rem}
h2{font-size:1.2rem;margin:0 0 .75rem}
h3{font-size:.95rem;margin:1rem 0 .4rem;color:var(--muted);font-weight:600}
p{margin:.4rem 0}
.meta,.note{color:var(--muted);font-size:.875rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:.75rem;
 margin:1.25rem 0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.7rem 1rem}
.kpi b{display:block;font-size:1.55rem;font-variant-numeric:tabular-nums;line-height:1.2}
.kpi span{color:var(--muted);font-size:.8rem}
section.panel{background:var(--card);border:1px solid var(--line);border-radius:12px;
 padding:1.1rem 1.3rem;margin:1rem 0}
.lead li{margin:.2rem 0}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5rem;align-items:start}
@media (max-width:820px){.pair{grid-template-columns:1fr}}
figure{margin:0}
svg.chart{display:block;width:100%%;height:auto;margin:.25rem 0 .5rem}
.chart text{fill:var(--fg);font-size:%(font)spx}
.chart text.muted{fill:var(--muted)}
.chart .grid{stroke:var(--grid);stroke-width:1}
.chart .axis{stroke:var(--line);stroke-width:1}
.chart .line{fill:none;stroke-width:2.5}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%%;font-size:.85rem;font-variant-numeric:tabular-nums}
th,td{padding:.28rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
.n{text-align:right}
td.n{white-space:nowrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{color:var(--muted);font-size:.8rem;margin-top:2rem}
@media print{:root{%(light)s --bg:#fff}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 main{max-width:none;padding:0}figure,.pair,tr,.kpi{break-inside:avoid}h2,h3{break-after:avoid}
 .scroll{overflow:visible}table{font-size:.75rem}}
"""


# -- numbers and text -------------------------------------------------------------------------


def _int(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f} %"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _cut(text: str, width: int = LABEL_CHARS) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_MD_SPECIAL = re.compile(r"[\\`*\[\]<>|#~]|(?<![^\W_])_|_(?![^\W_])")
"""Markdown punctuation that could start a link, HTML, emphasis or a column break; an
underscore only at a word's edge (inside a word, as in kitchen_sink, it is plain text)."""


def _md(text: Any) -> str:
    """Untrusted text as one Markdown table cell: one line, punctuation escaped."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m[0], " ".join(str(text).split()))


def _md_bar(share: float) -> str:
    return f"`{bar(share, MD_BAR_WIDTH)}`"


def _generated(generated: str | None) -> str:
    if generated is not None:
        return generated
    return "generated " + datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# -- SVG charts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart: its label, length (in the chart's units), the text
    shown at its end and its CSS colour class."""

    label: str
    value: float
    text: str
    css: str = "accent"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    css: str


def _nice_step(top: float, *, integer: bool) -> float:
    """A round grid step (1, 2, 2.5 or 5 times a power of ten) for an axis up to `top`."""
    raw = top / GRID_STEPS
    if raw <= 0:
        return 1.0 if integer else 0.25
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = m * power
        if step >= raw and (not integer or step == int(step)):
            return step
    return 10.0 * power


def _axis_top(top: float, *, integer: bool) -> tuple[float, float]:
    step = _nice_step(top, integer=integer)
    return step, max(step, step * math.ceil(top / step - 1e-9))


def _tick(value: float, *, share: bool) -> str:
    return f"{value * 100:.0f} %" if share else _int(round(value))


def _svg(chart_id: str, title: str, width: float, height: float, body: Iterable[str]) -> str:
    """An accessible inline SVG: role=img with a <title> that screen readers announce. It
    shrinks with the page but never grows beyond its drawn size, so text keeps its size."""
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="max-width:{width:.0f}px" role="img" aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{cls}>{_esc(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, css: str, tip: str = "") -> str:
    inner = f"<title>{_esc(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'class="{css}" rx="2">{inner}</rect>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{css}"/>'


def _legend(names: Sequence[str], classes: Sequence[str]) -> list[str]:
    body, x = [], float(AXIS_LEFT)
    for name, css in zip(names, classes, strict=True):
        label = _cut(name, LABEL_CHARS)
        body += [_rect(x, 6, 12, 12, css), _text(x + 17, 16, label)]
        x += 17 + CHAR_WIDTH * len(label) + 18
    return body


def hbar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, share: bool = True) -> str:
    """Horizontal bars with their labels on the left, values at the bar ends and a grid."""
    label_w = min(LABEL_WIDTH, CHAR_WIDTH * max((len(_cut(b.label)) for b in bars), default=4) + 14)
    plot_w = CHART_WIDTH - label_w - VALUE_WIDTH
    step, top = _axis_top(max((b.value for b in bars), default=0.0), integer=not share)
    axis_y = PAD + len(bars) * ROW_HEIGHT
    body: list[str] = []
    for i in range(round(top / step) + 1):
        x = label_w + plot_w * i * step / top
        tick = _tick(i * step, share=share)
        body += [
            _line(x, PAD - 4, x, axis_y, "grid"),
            _text(x, axis_y + 16, tick, anchor="middle", css="muted"),
        ]
    for row, b in enumerate(bars):
        y = PAD + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = plot_w * b.value / top
        body.append(_text(label_w - 8, y + BAR_HEIGHT - 4, _cut(b.label), anchor="end"))
        body.append(_rect(label_w, y, width, BAR_HEIGHT, b.css, f"{b.label}: {b.text}"))
        body.append(_text(label_w + width + 6, y + BAR_HEIGHT - 4, b.text))
    return _svg(chart_id, title, CHART_WIDTH, axis_y + AXIS_BOTTOM, body)


@dataclass(frozen=True)
class _Plot:
    """The frame of a chart over categories (months, score bins): one slot per label, a y grid
    on the left, the labels below and, if asked, room for a legend on top."""

    labels: Sequence[str]
    width: int = CHART_WIDTH
    legend: bool = False

    @property
    def top(self) -> float:
        return PAD + (LEGEND_HEIGHT if self.legend else 0)

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    @property
    def slot(self) -> float:
        return (self.width - PAD - AXIS_LEFT) / max(1, len(self.labels))

    def x(self, i: int, at: float = 0.5) -> float:
        """A point inside slot `i`: 0 its left edge, 0.5 its middle."""
        return AXIS_LEFT + self.slot * (i + at)

    def y(self, value: float, scale: float) -> float:
        return self.bottom - PLOT_HEIGHT * value / scale

    def frame(self, step: float, scale: float, *, share: bool) -> list[str]:
        """Grid lines with their ticks, the base line and the (thinned out) category labels."""
        right = self.width - PAD
        body = []
        for i in range(round(scale / step) + 1):
            y = self.y(i * step, scale)
            tick = _tick(i * step, share=share)
            body += [
                _line(AXIS_LEFT, y, right, y, "grid"),
                _text(AXIS_LEFT - 6, y + 4, tick, anchor="end", css="muted"),
            ]
        body.append(_line(AXIS_LEFT, self.bottom, right, self.bottom, "axis"))
        every = max(1, math.ceil(len(self.labels) * CHART_WIDTH / self.width / MAX_X_LABELS))
        body += [
            _text(self.x(i), self.bottom + 18, label, anchor="middle", css="muted")
            for i, label in enumerate(self.labels)
            if i % every == 0
        ]
        return body

    def svg(self, chart_id: str, title: str, body: list[str]) -> str:
        return _svg(chart_id, title, self.width, self.bottom + AXIS_BOTTOM, body)


def column_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: int = CHART_WIDTH,
) -> str:
    """Counts as vertical columns over categories (months, score bins, numbers of things)."""
    plot = _Plot(labels, width)
    step, scale = _axis_top(max(values, default=0.0), integer=True)
    body = plot.frame(step, scale, share=False)
    for i, value in enumerate(values):
        y = plot.y(value, scale)
        tip = f"{labels[i]}: {_int(round(value))}"
        body.append(_rect(plot.x(i, 0.15), y, plot.slot * 0.7, plot.bottom - y, "accent", tip))
    return plot.svg(chart_id, title, body)


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = CHART_WIDTH,
) -> str:
    """Shares (0..1) over months as lines, with a legend on top."""
    plot = _Plot(labels, width, legend=True)
    step, scale = _axis_top(max((v for s in series for v in s.values), default=0.0), integer=False)
    body = _legend([s.name for s in series], [s.css for s in series])
    body += plot.frame(step, scale, share=True)
    for s in series:
        points = [(plot.x(i), plot.y(v, scale)) for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" class="line l-{s.css}"/>')
        if plot.slot >= DOT_MIN_SLOT:
            body += [
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="{s.css}"><title>'
                f"{_esc(s.name)} {_esc(label)}: {_pct(v)}</title></circle>"
                for (x, y), label, v in zip(points, labels, s.values, strict=True)
            ]
    return plot.svg(chart_id, title, body)


def stacked_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    stacks: Sequence[Sequence[float]],
    legend: Sequence[tuple[str, str]],
    *,
    width: int = CHART_WIDTH,
) -> str:
    """100 % stacked columns: each column's parts (shares summing to 1, or all 0) bottom up;
    `legend` names each part and its CSS colour class."""
    plot = _Plot(labels, width, legend=True)
    body = _legend([n for n, _ in legend], [c for _, c in legend])
    body += plot.frame(0.25, 1.0, share=True)
    for i, parts in enumerate(stacks):
        bottom = plot.bottom
        for (name, css), part in zip(legend, parts, strict=True):
            h = PLOT_HEIGHT * part
            tip = f"{labels[i]} {name}: {_pct(part)}"
            body.append(_rect(plot.x(i, 0.12), bottom - h, plot.slot * 0.76, h, css, tip))
            bottom -= h
    return plot.svg(chart_id, title, body)


# -- what stands out (shared by both renderers) -----------------------------------------------


def highlights(data: dict[str, Any]) -> list[str]:
    """A few plain sentences on what the corpus shows; empty when no ad was counted."""
    ads = data["totals"]["ads"]
    if not ads:
        return []
    lines = [
        f"{_pct(data['kitchen_sink']['share'])} of ads are kitchen sinks: one position asked "
        f"to do several jobs ({_int(data['kitchen_sink']['ads'])} of {_int(ads)})."
    ]
    top = data["platforms"]["top"]
    if top:
        first = f"{top[0]['name']} is the most demanded platform ({_pct(top[0]['share'])} of ads)"
        rest = [f"{p['name']} ({_pct(p['share'])})" for p in top[1:3]]
        lines.append(first + (", followed by " + " and ".join(rest) if rest else "") + ".")
    spec = data["specialisms"]
    if spec["role_ads"]:
        four = spec["demanded_count"][-1]["share"]
        lines.append(
            f"{_pct(spec['three_or_more']['share'])} of social-media roles demand three or more "
            f"of the four specialisms; {_pct(four)} demand all four."
        )
    primary = [p for p in data["primary_specialisms"] if p["specialism"] != "none" and p["ads"]]
    if primary:
        most = max(primary, key=lambda p: p["ads"])
        lines.append(
            f"The most common primary specialism is {most['specialism']} "
            f"({_pct(most['share'])} of ads)."
        )
    no_salary = next((f for f in data["flags"] if f["code"] == "no_salary"), None)
    if no_salary and no_salary["ads"]:
        lines.append(f"{_pct(no_salary['share'])} of ads name no salary.")
    lines += _trend(data["months"])
    if data["totals"]["reposts"]:
        lines.append(
            f"{_int(data['totals']['reposts'])} reposts (the same ad under another URL or date) "
            "were counted once."
        )
    return lines


def _trend(months: dict[str, Any]) -> list[str]:
    rows = months["rows"]
    if not months["show"] or rows[0]["ads"] < TREND_MIN_ADS or rows[-1]["ads"] < TREND_MIN_ADS:
        return []
    first, last = rows[0], rows[-1]
    return [
        f"The kitchen-sink share went from {_pct(first['kitchen_sink_share'])} in "
        f"{first['month']} to {_pct(last['kitchen_sink_share'])} in {last['month']}."
    ]


def _platform_count_rows(data: dict[str, Any]) -> list[tuple[str, int, float]]:
    """The distribution of platforms demanded per ad, the long tail folded into "8+"."""
    rows: list[tuple[str, int, float]] = []
    tail_ads, tail_share = 0, 0.0
    for row in data["platforms"]["demanded_count"]:
        if row["count"] < PLATFORM_COUNT_CAP:
            rows.append((str(row["count"]), row["ads"], row["share"]))
        else:
            tail_ads += row["ads"]
            tail_share += row["share"]
    if tail_ads:
        rows.append((f"{PLATFORM_COUNT_CAP}+", tail_ads, round(tail_share, 4)))
    return rows


def _totals_sentence(data: dict[str, Any]) -> str:
    totals = data["totals"]
    parts = [f"{_int(totals['ads'])} ads counted from {_int(totals['rows'])} analysed rows"]
    if totals["reposts"] is None:
        parts.append("reposts kept (no dedupe)")
    else:
        parts.append(f"{_int(totals['reposts'])} reposts counted once")
    if totals["failed"]:
        parts.append(f"{_int(totals['failed'])} records could not be analysed")
    return "; ".join(parts) + "."


def _dates_note(data: dict[str, Any]) -> str:
    months = data["months"]
    return (
        f"{_int(months['ads_with_date'])} of {_int(data['totals']['ads'])} ads carry a date, "
        f"in {len(months['rows'])} month(s); at least 2 months are needed"
    )


def _companies_note(data: dict[str, Any]) -> str:
    comp = data["companies"]
    return (
        f"{_int(comp['ads_with_company'])} of {_int(data['totals']['ads'])} ads name a company, "
        f"{_int(comp['distinct'])} distinct; at least 2 companies are needed"
    )


def _approximate_note() -> str:
    return (
        "There were too many companies to tally them all in bounded memory: the ones with the "
        "fewest ads were dropped along the way, so a company's counts may miss some early ads "
        "(a range such as 14–24 gives the least and the most it may have had)."
    )


def _method_note(data: dict[str, Any]) -> str:
    dedupe = (
        "Reposts (equal fingerprints) are counted once, as first seen."
        if data["dedupe"]
        else "Reposts are kept (no dedupe)."
    )
    return (
        f"Shares are of the {_int(data['totals']['ads'])} ads counted unless stated otherwise; "
        f"the specialism mix is over social-media roles. {dedupe}"
    )


# -- the parts of the summary, shared by both renderers -----------------------------------------


@dataclass(frozen=True)
class Table:
    """One data table, its cells plain text; each renderer escapes them for its format."""

    caption: str
    head: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Collection[int] = ()
    """Columns of numbers, right-aligned."""
    bars: Sequence[float] = ()
    """One share per row, drawn as a text bar in Markdown (none: no bar column)."""


@dataclass(frozen=True)
class Block:
    """A subheading with a data table, an (HTML) chart of the same numbers, or both."""

    subheading: str = ""
    table: Table | None = None
    chart: Callable[[], str] | None = None


@dataclass(frozen=True)
class Part:
    """One section of the summary; without a heading it is just its note (a part not shown)."""

    heading: str
    blocks: Sequence[Block] = ()
    note: str = ""


def _share_table(
    caption: str, label: str, items: Iterable[tuple[str, int, float]], count: str = "ads"
) -> Table:
    """label | ads | share, with a bar per row."""
    rows = list(items)
    return Table(
        caption,
        [label, count, "share"],
        [[name, _int(n), _pct(share)] for name, n, share in rows],
        {1, 2},
        [share for _, _, share in rows],
    )


def _count_share(n: int, share: float) -> str:
    return f"{_int(n)} · {_pct(share)}"


def _share_bars(items: Iterable[tuple[str, int, float]], css: Callable[[str], str]) -> list[Bar]:
    return [Bar(name, share, _count_share(n, share), css(name)) for name, n, share in items]


def _accent(_: str) -> str:
    return "accent"


def _languages_part(data: dict[str, Any]) -> Part:
    langs = data["languages"]
    table = Table(
        "Ads by language and social-media role",
        ["language", "ads", "share", "social-media role", "other role"],
        [
            [
                lang["language"],
                _int(lang["ads"]),
                _pct(lang["share"]),
                _int(lang["social_media_role"]),
                _int(lang["other_role"]),
            ]
            for lang in langs
        ],
        {1, 2, 3, 4},
        [lang["share"] for lang in langs],
    )
    items = [(lang["language"], lang["ads"], lang["share"]) for lang in langs]
    chart = partial(hbar_chart, "chart-languages", "Ads by language", _share_bars(items, _accent))
    prim = [(p["specialism"], p["ads"], p["share"]) for p in data["primary_specialisms"]]
    prim_bars = _share_bars(prim, SPECIALISM_CLASSES.__getitem__)
    role = data["social_media_role"]
    return Part(
        "Languages, roles and primary specialisms",
        [
            Block("Ads by language", table, chart),
            Block(
                "Primary specialism",
                _share_table("Primary specialisms", "primary specialism", prim),
                partial(hbar_chart, "chart-primary", "Primary specialism of the ads", prim_bars),
            ),
        ],
        f"Social-media roles: {_int(role['ads'])} ({_pct(role['share'])}).",
    )


def _specialisms_part(data: dict[str, Any]) -> Part:
    spec = data["specialisms"]
    mean = spec["mean_share"]
    mix = Table(
        "Specialism mix and demand",
        ["specialism", "roles demanding it", "share", "mean share of the work"],
        [
            [d["specialism"], _int(d["ads"]), _pct(d["share"]), _pct(mean[d["specialism"]])]
            for d in spec["demanded"]
        ],
        {1, 2, 3},
        [mean[s] for s in SPECIALISMS],
    )
    mix_bars = [Bar(s, mean[s], _pct(mean[s]), SPECIALISM_CLASSES[s]) for s in SPECIALISMS]
    counts = spec["demanded_count"]
    count_chart = partial(
        column_chart,
        "chart-specialism-count",
        "Social-media roles by the number of specialisms they demand",
        [str(c["count"]) for c in counts],
        [c["ads"] for c in counts],
    )
    count_table = _share_table(
        "Specialisms demanded per role",
        "specialisms demanded",
        [(str(c["count"]), c["ads"], c["share"]) for c in counts],
        count="roles",
    )
    return Part(
        "Specialism mix of social-media roles",
        [
            Block(
                "Mean share of the work",
                mix,
                partial(
                    hbar_chart, "chart-mix", "Mean specialism mix of social-media roles", mix_bars
                ),
            ),
            Block(
                "Specialisms demanded per role: one person for everything?",
                count_table,
                count_chart,
            ),
        ],
        f"Over {_int(spec['role_ads'])} social-media roles; the mean share is over the "
        f"{_int(spec['profiled_ads'])} with a specialism profile. Three or more specialisms: "
        f"{_pct(spec['three_or_more']['share'])}.",
    )


def _platforms_part(data: dict[str, Any]) -> Part:
    plat = data["platforms"]
    top = plat["top"]
    table = Table(
        "Platforms demanded",
        ["platform", "ads", "share", "mentioned only"],
        [[p["name"], _int(p["ads"]), _pct(p["share"]), _int(p["mentioned_only"])] for p in top],
        {1, 2, 3},
        [p["share"] for p in top],
    )
    bars = _share_bars([(p["name"], p["ads"], p["share"]) for p in top], _accent)
    title = f"Platforms demanded, top {data['top']} (share of ads)"
    counts = _platform_count_rows(data)
    count_chart = partial(
        column_chart,
        "chart-platform-count",
        "Ads by the number of platforms they demand",
        [c[0] for c in counts],
        [c[1] for c in counts],
    )
    shown = plat["mentioned_only"][:MENTIONED_ONLY_SHOWN]
    mentioned = ", ".join(f"{p['name']} {_int(p['ads'])}" for p in shown) or "none"
    return Part(
        f"Platforms demanded (top {data['top']})",
        [
            Block("", table, partial(hbar_chart, "chart-platforms", title, bars) if bars else None),
            Block(
                f"Platforms demanded per ad (mean {_num(plat['mean_demanded'], 2)})",
                _share_table("Platforms demanded per ad", "platforms demanded", counts),
                count_chart,
            ),
        ],
        "Mentioned but not demanded (company presentation, footers, application channels): "
        f"{mentioned}.",
    )


def _flags_part(data: dict[str, Any]) -> Part:
    items = [(f["code"], f["ads"], f["share"]) for f in data["flags"]]
    bars = _share_bars(items, lambda code: "warn" if code == "kitchen_sink" else "accent")
    return Part(
        "How often each flag fires",
        [
            Block(
                "",
                _share_table("Flags", "flag", items),
                partial(hbar_chart, "chart-flags", "Flags (share of ads)", bars),
            )
        ],
    )


def _score_part(data: dict[str, Any]) -> Part:
    score = data["score"]
    items = [(f"{b['from']}–{b['to']}", b["ads"], b["share"]) for b in score["histogram"]]
    chart = partial(
        column_chart,
        "chart-score",
        "Ads by realism score",
        [i[0] for i in items],
        [i[1] for i in items],
    )
    return Part(
        "Realism score",
        [Block("", _share_table("Realism score", "score", items), chart)],
        f"Mean {_num(score['mean'])} over {_int(score['scored_ads'])} scored ads "
        "(0 = unrealistic, 100 = realistic).",
    )


def _month_blocks(months: dict[str, Any]) -> list[Block]:
    """Ads, kitchen-sink share, specialism mix and the top platforms, month by month."""
    rows = months["rows"]
    labels = [m["month"] for m in rows]
    sinks = [Series("kitchen sinks", [m["kitchen_sink_share"] for m in rows], "warn")]
    platforms = [
        Series(p["name"], [m["platforms"][p["id"]] for m in rows], css)
        for p, css in zip(months["platforms"], SERIES_CLASSES, strict=False)
    ]
    mix = [[m["mix"][s] for s in SPECIALISMS] for m in rows]
    legend = [(s, SPECIALISM_CLASSES[s]) for s in SPECIALISMS]
    wide = {"width": WIDE_CHART_WIDTH}
    ads = [m["ads"] for m in rows]
    return [
        Block(
            "Ads per month",
            chart=partial(column_chart, "chart-months-ads", "Ads per month", labels, ads, **wide),
        ),
        Block(
            "Kitchen-sink share per month",
            chart=partial(
                line_chart,
                "chart-months-sinks",
                "Kitchen-sink share per month",
                labels,
                sinks,
                **wide,
            ),
        ),
        Block(
            "Specialism mix of social-media roles per month",
            chart=partial(
                stacked_chart,
                "chart-months-mix",
                "Specialism mix per month",
                labels,
                mix,
                legend,
                **wide,
            ),
        ),
        Block(
            "Share of ads demanding each of the top platforms per month",
            chart=partial(
                line_chart,
                "chart-months-platforms",
                "Top platforms per month",
                labels,
                platforms,
                **wide,
            ),
        ),
    ]


def _months_part(data: dict[str, Any]) -> Part:
    months = data["months"]
    if not months["show"]:
        return Part("", note=f"Over time: not shown ({_dates_note(data)}).")
    followed = months["platforms"]
    head = ["month", "ads", "kitchen sinks", *SPECIALISMS, *(p["name"] for p in followed)]
    table = Table(
        "Per month",
        head,
        [
            [
                m["month"],
                _int(m["ads"]),
                _pct(m["kitchen_sink_share"]),
                *(_pct(m["mix"][s]) for s in SPECIALISMS),
                *(_pct(m["platforms"][p["id"]]) for p in followed),
            ]
            for m in months["rows"]
        ],
        set(range(1, len(head))),
    )
    return Part(
        "Over time",
        [*_month_blocks(months), Block("Per month", table)],
        f"{_int(months['ads_with_date'])} of {_int(data['totals']['ads'])} ads carry a date. "
        "The specialism columns are the mean mix of the month's social-media roles; the "
        "platform columns the share of the month's ads demanding each.",
    )


def _companies_part(data: dict[str, Any]) -> Part:
    comp = data["companies"]
    if not comp["show"]:
        return Part("", note=f"By company: not shown ({_companies_note(data)}).")
    rows = comp["rows"]
    table = Table(
        "By company",
        ["company", "ads", "kitchen sinks", "primary specialism", "mean platforms", "mean score"],
        [
            [
                c["company"],
                _company_ads(c),
                _pct(c["kitchen_sink_share"]),
                c["primary_specialism"],
                _num(c["mean_platforms"]),
                _num(c["mean_score"]),
            ]
            for c in rows
        ],
        {1, 2, 4, 5},
    )
    bars = [Bar(c["company"], c["ads"], _int(c["ads"])) for c in rows]
    title = f"Ads per company, top {data['top']}"
    chart = partial(hbar_chart, "chart-companies", title, bars, share=False)
    note = f"{_int(comp['ads_with_company'])} of {_int(data['totals']['ads'])} ads name a company."
    if comp["approximate"]:
        note += " " + _approximate_note()
    return Part(f"By company (top {data['top']})", [Block(chart=chart), Block(table=table)], note)


def _company_ads(row: dict[str, Any]) -> str:
    """ "120", or "14–24" when the company may have had up to 10 ads before it was tallied."""
    if not row["missed_up_to"]:
        return _int(row["ads"])
    return f"{_int(row['ads'])}–{_int(row['ads'] + row['missed_up_to'])}"


def _failures_part(data: dict[str, Any]) -> Part | None:
    failures = data["totals"]["failures"]
    if not failures:
        return None
    table = Table(
        "Failed records", ["reason", "records"], [[r, _int(n)] for r, n in failures.items()], {1}
    )
    return Part("Records that could not be analysed", [Block(table=table)])


def summary_parts(data: dict[str, Any]) -> list[Part]:
    """The sections of the summary in order, as both renderers show them."""
    parts: list[Part] = []
    if data["totals"]["ads"]:
        builders = (
            _languages_part,
            _specialisms_part,
            _platforms_part,
            _flags_part,
            _score_part,
            _months_part,
            _companies_part,
        )
        parts += [build(data) for build in builders]
    failures = _failures_part(data)
    return [*parts, failures] if failures else parts


# -- Markdown ---------------------------------------------------------------------------------


def _md_table(table: Table) -> list[str]:
    head = [_md(h) for h in table.head]
    align = ["---:" if i in table.numeric else "---" for i in range(len(head))]
    rows = [[_md(cell) for cell in row] for row in table.rows]
    if table.bars:
        head.append("")
        align.append("---")
        for row, share in zip(rows, table.bars, strict=True):
            row.append(_md_bar(share))
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _md_part(part: Part) -> list[str]:
    if not part.heading:
        return [f"*{_md(part.note)}*", ""]
    lines = [f"## {_md(part.heading)}", ""]
    for block in part.blocks:
        if block.subheading:
            lines += [f"### {_md(block.subheading)}", ""]
        if block.table:
            lines += _md_table(block.table)
    return lines + ([_md(part.note), ""] if part.note else [])


def summary_markdown(
    data: dict[str, Any], *, generated: str | None = None, title: str = TITLE
) -> str:
    """The summary as Markdown, for tickets, wikis and a quick look in a terminal: the same
    tables as the HTML report, with text bars instead of charts."""
    lines = [
        f"# {_md(title)}",
        "",
        f"*{_md(_generated(generated))}*",
        "",
        _md(_totals_sentence(data)),
        "",
    ]
    if not data["totals"]["ads"]:
        lines += ["No ads were counted, so there is nothing to summarise.", ""]
    else:
        lines += ["## What stands out", "", *(f"- {_md(line)}" for line in highlights(data)), ""]
    for part in summary_parts(data):
        lines += _md_part(part)
    lines.append(_md(_method_note(data)))
    return "\n".join(lines) + "\n"


# -- HTML ---------------------------------------------------------------------------------------


def _html_table(table: Table) -> str:
    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f"<{tag}{_NUMERIC if i in table.numeric else ''}>{_esc(c)}</{tag}>"
            for i, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in table.rows)
    return (
        f'<div class="scroll"><table><caption class="sr">{_esc(table.caption)}</caption>'
        f"<thead><tr>{cells('th', table.head)}</tr></thead><tbody>{body}</tbody></table></div>"
    )


_NUMERIC = ' class="n"'


def _html_block(block: Block) -> str:
    """A chart beside its table (below it on narrow screens), or either alone."""
    head = f"<h3>{_esc(block.subheading)}</h3>" if block.subheading else ""
    chart = f"<figure>{block.chart()}</figure>" if block.chart else ""
    table = _html_table(block.table) if block.table else ""
    if chart and table:
        return f'{head}<div class="pair">{chart}{table}</div>'
    return head + chart + table


def _html_part(part: Part) -> str:
    note = f'<p class="note">{_esc(part.note)}</p>' if part.note else ""
    if not part.heading:
        return note
    blocks = "".join(_html_block(block) for block in part.blocks)
    return f'<section class="panel"><h2>{_esc(part.heading)}</h2>{blocks}{note}</section>'


def _html_header(data: dict[str, Any], title: str, generated: str) -> str:
    totals = data["totals"]
    ads = totals["ads"]
    kpis = [
        (_int(ads), "ads counted"),
        (_int(totals["rows"]), "rows analysed"),
        ("–" if totals["reposts"] is None else _int(totals["reposts"]), "reposts counted once"),
        (_pct(data["social_media_role"]["share"] if ads else None), "social-media roles"),
        (_pct(data["kitchen_sink"]["share"] if ads else None), "kitchen sinks"),
        (_num(data["score"]["mean"]), "mean realism score"),
    ]
    if totals["failed"]:
        kpis.append((_int(totals["failed"]), "records failed"))
    cards = "".join(
        f'<div class="kpi"><b>{_esc(v)}</b><span>{_esc(k)}</span></div>' for v, k in kpis
    )
    meta = f"{generated} · {_totals_sentence(data)}"
    return (
        f'<header><h1>{_esc(title)}</h1><p class="meta">{_esc(meta)}</p>'
        f'<div class="kpis">{cards}</div></header>'
    )


def _html_lead(data: dict[str, Any]) -> str:
    if not data["totals"]["ads"]:
        return _html_part(
            Part("No ads", note="No ads were counted, so there is nothing to summarise.")
        )
    items = "".join(f"<li>{_esc(line)}</li>" for line in highlights(data))
    return f'<section class="panel"><h2>What stands out</h2><ul class="lead">{items}</ul></section>'


def _css() -> str:
    def block(colours: dict[str, str]) -> str:
        return "".join(f"--{k}:{v};" for k, v in colours.items())

    fills = "".join(
        f".chart .{css}{{fill:var(--{css})}}.chart .l-{css}{{stroke:var(--{css})}}"
        for css in ("accent", "warn", *SERIES_CLASSES)
    )
    fills += "".join(f".chart .{css}{{fill:var(--{s})}}" for s, css in SPECIALISM_CLASSES.items())
    return _CSS % {"light": block(LIGHT), "dark": block(DARK), "font": FONT_SIZE} + fills


def summary_html(data: dict[str, Any], *, generated: str | None = None, title: str = TITLE) -> str:
    """The summary as one self-contained HTML page (inline CSS and SVG, no script, no links),
    readable offline, in light and dark mode and on paper."""
    parts = [_html_header(data, title, _generated(generated)), _html_lead(data)]
    parts += [_html_part(part) for part in summary_parts(data)]
    parts.append(f"<footer>{_esc(_method_note(data))}</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{_esc(title)}</title><style>{_css()}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


__all__ = ["highlights", "summary_html", "summary_markdown"]

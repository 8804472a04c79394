"""What a corpus of analysed ads shows, for `jobscope batch --summary/--report`.

The batch run may read hundreds of thousands of ads, so :class:`Summary` keeps counters and small
per-key tallies only, never the rows: its memory does not grow with the number of ads, except for
the fingerprints of ads already counted (about 80 bytes an ad), which it needs to count a repost
once. Rows arrive flat, as in the CSV output, and may hold typed values or, on `--resume`, the
strings read back from that CSV; both aggregate alike.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jobscope.model import FLAG_CODES, SPECIALISMS
from jobscope.platforms import display_name

SUMMARY_SCHEMA = "jobscope.summary/1"
LANGUAGES: tuple[str, ...] = ("de", "en", "other")
PRIMARY_SPECIALISMS: tuple[str, ...] = (*SPECIALISMS, "none")
TOP_DEFAULT = 15
MONTH_PLATFORMS = 5
"""How many of the most demanded platforms are followed month by month."""
SCORE_BIN = 10
MIN_MONTHS = 2
"""The part over time is shown from this many distinct months on."""
MIN_COMPANIES = 2
"""The part by company is shown from this many distinct companies on."""
MAX_KEYS = 500
"""Distinct platform ids, flag codes and failure reasons kept apart; further ones count as
OTHER_KEY. The rows come from our own analysis, so this only guards against garbage input."""
OTHER_KEY = "(other)"
COMPANY_CAPACITY = 5000
"""Companies tallied at least; when twice as many are held, the ones with the fewest ads are
dropped back to this many, so that a long tail of one-ad companies cannot grow the memory
(10,000 tallies take about 3 MB)."""
COMPANY_CHARS = 200
"""Company names are cut to this length (for grouping and display)."""
FINGERPRINT_HEX = 16
"""Hex digits of a fingerprint kept for dedupe: 64 bits, a collision among a million ads is
about one in thirty million."""

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_MONTH = re.compile(r"(\d{4})-(\d{2})")


# -- coercion: typed values and the strings read back from CSV mean the same ------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def _number(value: Any) -> float | None:
    """A float from a number or its text; None for missing or unreadable values."""
    if type(value) is not float and type(value) is not int:  # bool is no number here
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    return float(value) if math.isfinite(value) else None


def _items(value: Any) -> tuple[str, ...]:
    """ "a;b" or ["a", "b"] -> ("a", "b"), without blanks and repeats (order kept)."""
    if not value:
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = value.split(";")
    elif isinstance(value, Iterable):
        parts = (v.get("code", "") if isinstance(v, Mapping) else v for v in value)
    else:
        parts = (value,)
    return tuple(dict.fromkeys(p for p in (str(p).strip() for p in parts) if p))


def _month(value: Any) -> str | None:
    """ "2024-03-12" (or a date, or "2024-03") -> "2024-03"; None when it is not a date."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    text = _text(value)
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        match = _MONTH.fullmatch(text)
        if match and 1 <= int(match[2]) <= 12:
            return text
        return None
    return f"{day.year:04d}-{day.month:02d}"


def _fingerprint_key(value: Any) -> int | None:
    """A fingerprint as a 64-bit int (compact in a set); None when the row has none."""
    text = _text(value)
    if not text:
        return None
    try:
        return int(text[:FINGERPRINT_HEX], 16)
    except ValueError:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big")


def _company_key(name: str) -> str:
    """Spelling variants of one company group together: whitespace and case are ignored."""
    return " ".join(name.split()).casefold()


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mean(total: float, count: int, digits: int = 4) -> float | None:
    return round(total / count, digits) if count else None


def _bump(counter: Counter[str], key: str, cap: int = MAX_KEYS) -> None:
    if key not in counter and len(counter) >= cap:
        key = OTHER_KEY
    counter[key] += 1


def _ranked(counter: Mapping[str, int]) -> list[tuple[str, int]]:
    """Most first; ties by key, so that the output is stable."""
    return sorted(((k, n) for k, n in counter.items() if n), key=lambda kv: (-kv[1], kv[0]))


# -- one row, read ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ad:
    """The parts of one flat row that the summary counts."""

    language: str
    role: bool
    primary: str
    demanded: tuple[str, ...]
    mix: tuple[float, ...] | None
    """Shares of the four specialisms, normalised to sum to 1; None when the ad has none."""
    platforms: tuple[str, ...]
    mentioned_only: tuple[str, ...]
    flags: tuple[str, ...]
    score: int | None
    month: str | None
    company: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> _Ad:
        language = _text(row.get("language")).lower()
        primary = _text(row.get("primary_specialism")).lower()
        shares = [max(0.0, _number(row.get(s)) or 0.0) for s in SPECIALISMS]
        total = sum(shares)
        demanded_platforms = _items(row.get("networks_demanded"))
        score = _number(row.get("score"))
        return cls(
            language=language if language in LANGUAGES else "other",
            role=_flag(row.get("social_media_role")),
            primary=primary if primary in PRIMARY_SPECIALISMS else "none",
            demanded=tuple(s for s in _items(row.get("demanded_specialisms")) if s in SPECIALISMS),
            mix=tuple(s / total for s in shares) if total > 0 else None,
            platforms=demanded_platforms,
            mentioned_only=tuple(
                p for p in _items(row.get("networks_mentioned")) if p not in demanded_platforms
            ),
            flags=_items(row.get("flags")),
            score=None if score is None else round(max(0.0, min(100.0, score))),
            month=_month(row.get("date_posted")),
            company=" ".join(_text(row.get("company")).split())[:COMPANY_CHARS],
        )


# -- tallies per month and per company ----------------------------------------------------------


class _MonthTally:
    __slots__ = ("ads", "kitchen_sinks", "mix", "platforms", "profiled")

    def __init__(self) -> None:
        self.ads = 0
        self.kitchen_sinks = 0
        self.profiled = 0
        self.mix = [0.0] * len(SPECIALISMS)
        self.platforms: Counter[str] = Counter()

    def add(self, ad: _Ad) -> None:
        self.ads += 1
        self.kitchen_sinks += "kitchen_sink" in ad.flags
        if ad.role and ad.mix:
            self.profiled += 1
            for i, share in enumerate(ad.mix):
                self.mix[i] += share
        for platform in ad.platforms:
            _bump(self.platforms, platform)


class _CompanyTally:
    __slots__ = (
        "ads",
        "kitchen_sinks",
        "missed",
        "name",
        "platforms",
        "primary",
        "score",
        "scored",
    )

    def __init__(self, name: str, missed: int) -> None:
        self.name = name
        """The first spelling seen."""
        self.missed = missed
        """Ads this company may have had before it was (again) tallied; 0 unless pruned."""
        self.ads = 0
        self.kitchen_sinks = 0
        self.primary = [0] * len(PRIMARY_SPECIALISMS)
        self.platforms = 0
        self.score = 0
        self.scored = 0

    def add(self, ad: _Ad) -> None:
        self.ads += 1
        self.kitchen_sinks += "kitchen_sink" in ad.flags
        self.primary[PRIMARY_SPECIALISMS.index(ad.primary)] += 1
        self.platforms += len(ad.platforms)
        if ad.score is not None:
            self.score += ad.score
            self.scored += 1

    def as_dict(self) -> dict[str, Any]:
        most = max(range(len(PRIMARY_SPECIALISMS)), key=lambda i: self.primary[i])
        return {
            "company": self.name,
            "ads": self.ads,
            "missed_up_to": self.missed,
            "kitchen_sinks": self.kitchen_sinks,
            "kitchen_sink_share": _share(self.kitchen_sinks, self.ads),
            "primary_specialism": PRIMARY_SPECIALISMS[most],
            "mean_platforms": _mean(self.platforms, self.ads, 2),
            "mean_score": _mean(self.score, self.scored, 1),
        }


# -- the aggregator -----------------------------------------------------------------------------


class Summary:
    """Counts what a corpus of analysed ads shows, one flat row at a time, in flat memory.

    With `dedupe` (the default) a row whose fingerprint was counted before is a repost: it is
    folded (counted in `reposts`, nothing else), so each ad counts once however often it was
    posted. The first copy seen is the one counted (its date and company).
    """

    def __init__(self, *, dedupe: bool = True, top: int = TOP_DEFAULT) -> None:
        self.dedupe = dedupe
        self.top = max(1, top)
        self.rows = 0
        self.ads = 0
        self.reposts = 0
        self.without_fingerprint = 0
        self.failures: Counter[str] = Counter()
        self._seen: set[int] = set()
        self._language_role: Counter[tuple[str, bool]] = Counter()
        self._primary: Counter[str] = Counter()
        self._role_ads = 0
        self._profiled = 0
        self._mix = [0.0] * len(SPECIALISMS)
        self._demanded: Counter[str] = Counter()
        self._demanded_count: Counter[int] = Counter()
        self._platforms: Counter[str] = Counter()
        self._mentioned_only: Counter[str] = Counter()
        self._platform_count: Counter[int] = Counter()
        self._flags: Counter[str] = Counter()
        self._score_bins = [0] * (100 // SCORE_BIN)
        self._score_sum = 0
        self._months: dict[str, _MonthTally] = {}
        self._companies: dict[str, _CompanyTally] = {}
        self._company_ads = 0
        self._company_floor = 0
        self._companies_pruned = False

    def add(self, row: Mapping[str, Any]) -> bool:
        """Count one analysed ad; False when it is a repost of an ad already counted."""
        self.rows += 1
        key = _fingerprint_key(row.get("fingerprint"))
        if key is None:
            self.without_fingerprint += 1
        elif self.dedupe:
            if key in self._seen:
                self.reposts += 1
                return False
            self._seen.add(key)
        self._count(_Ad.from_row(row))
        return True

    def add_failure(self, reason: str) -> None:
        """Count a record that could not be analysed, by its reason code ("broken_json", ...)."""
        _bump(self.failures, _text(reason) or "unknown")

    def _count(self, ad: _Ad) -> None:
        self.ads += 1
        self._language_role[ad.language, ad.role] += 1
        self._primary[ad.primary] += 1
        if ad.role:
            self._count_role(ad)
        for platform in ad.platforms:
            _bump(self._platforms, platform)
        for platform in ad.mentioned_only:
            _bump(self._mentioned_only, platform)
        self._platform_count[len(ad.platforms)] += 1
        for code in ad.flags:
            _bump(self._flags, code)
        if ad.score is not None:
            self._score_bins[min(ad.score // SCORE_BIN, len(self._score_bins) - 1)] += 1
            self._score_sum += ad.score
        if ad.month:
            month = self._months.get(ad.month)
            if month is None:
                month = self._months[ad.month] = _MonthTally()
            month.add(ad)
        if ad.company:
            self._count_company(ad)

    def _count_role(self, ad: _Ad) -> None:
        self._role_ads += 1
        for specialism in ad.demanded:
            self._demanded[specialism] += 1
        self._demanded_count[len(ad.demanded)] += 1
        if ad.mix:
            self._profiled += 1
            for i, share in enumerate(ad.mix):
                self._mix[i] += share

    def _count_company(self, ad: _Ad) -> None:
        self._company_ads += 1
        key = _company_key(ad.company)
        tally = self._companies.get(key)
        if tally is None:
            tally = self._companies[key] = _CompanyTally(ad.company, self._company_floor)
        tally.add(ad)
        if len(self._companies) > 2 * COMPANY_CAPACITY:
            self._prune_companies()

    def _prune_companies(self) -> None:
        """Drop the companies with the fewest ads back to COMPANY_CAPACITY (amortised cheap:
        one sort per COMPANY_CAPACITY new companies). A company dropped and seen again is
        tallied afresh and says how many ads it may have missed."""
        ranked = sorted(self._companies.items(), key=lambda kv: -(kv[1].ads + kv[1].missed))
        for key, tally in ranked[COMPANY_CAPACITY:]:
            self._company_floor = max(self._company_floor, tally.ads + tally.missed)
            del self._companies[key]
        self._companies_pruned = True

    # -- the result ---------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Everything the Markdown and HTML renderers need, JSON-serialisable, stable keys.

        Shares are fractions (0..1, four decimals) of the ads counted unless a key says
        otherwise; the specialism part is about social-media roles only.
        """
        return {
            "schema": SUMMARY_SCHEMA,
            "dedupe": self.dedupe,
            "top": self.top,
            "totals": self._totals(),
            "languages": self._languages(),
            "social_media_role": {
                "ads": self._role_ads,
                "share": _share(self._role_ads, self.ads),
            },
            "primary_specialisms": [
                {
                    "specialism": s,
                    "ads": self._primary[s],
                    "share": _share(self._primary[s], self.ads),
                }
                for s in PRIMARY_SPECIALISMS
            ],
            "specialisms": self._specialisms(),
            "platforms": self._platforms_part(),
            "flags": self._flags_part(),
            "kitchen_sink": {
                "ads": self._flags["kitchen_sink"],
                "share": _share(self._flags["kitchen_sink"], self.ads),
            },
            "score": self._score_part(),
            "months": self._months_part(),
            "companies": self._companies_part(),
        }

    def _totals(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "ads": self.ads,
            "reposts": self.reposts if self.dedupe else None,
            "without_fingerprint": self.without_fingerprint,
            "failed": sum(self.failures.values()),
            "failures": dict(_ranked(self.failures)),
        }

    def _languages(self) -> list[dict[str, Any]]:
        rows = []
        for language in LANGUAGES:
            role = self._language_role[language, True]
            other = self._language_role[language, False]
            rows.append(
                {
                    "language": language,
                    "ads": role + other,
                    "share": _share(role + other, self.ads),
                    "social_media_role": role,
                    "other_role": other,
                }
            )
        return rows

    def _specialisms(self) -> dict[str, Any]:
        base = self._role_ads
        three_plus = sum(n for k, n in self._demanded_count.items() if k >= 3)
        return {
            "role_ads": base,
            "profiled_ads": self._profiled,
            "mean_share": {
                s: _share(total, self._profiled)
                for s, total in zip(SPECIALISMS, self._mix, strict=True)
            },
            "demanded": [
                {
                    "specialism": s,
                    "ads": self._demanded[s],
                    "share": _share(self._demanded[s], base),
                }
                for s in SPECIALISMS
            ],
            "demanded_count": [
                {
                    "count": k,
                    "ads": self._demanded_count[k],
                    "share": _share(self._demanded_count[k], base),
                }
                for k in range(len(SPECIALISMS) + 1)
            ],
            "three_or_more": {"ads": three_plus, "share": _share(three_plus, base)},
        }

    def _platform_rows(self, counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"id": p, "name": display_name(p), "ads": n, "share": _share(n, self.ads)}
            for p, n in _ranked(counter)[: self.top]
        ]

    def _platforms_part(self) -> dict[str, Any]:
        top = self._platform_rows(self._platforms)
        for row in top:
            row["mentioned_only"] = self._mentioned_only[row["id"]]
        counts = self._platform_count
        return {
            "distinct": len(self._platforms),
            "top": top,
            "mentioned_only": self._platform_rows(self._mentioned_only),
            "demanded_count": [
                {"count": k, "ads": counts[k], "share": _share(counts[k], self.ads)}
                for k in range(max(counts, default=0) + 1)
            ],
            "mean_demanded": _mean(sum(k * n for k, n in counts.items()), self.ads, 2),
        }

    def _flags_part(self) -> list[dict[str, Any]]:
        codes = [*FLAG_CODES, *sorted(set(self._flags) - set(FLAG_CODES))]
        return [
            {"code": c, "ads": self._flags[c], "share": _share(self._flags[c], self.ads)}
            for c in codes
        ]

    def _score_part(self) -> dict[str, Any]:
        scored = sum(self._score_bins)
        last = len(self._score_bins) - 1
        return {
            "scored_ads": scored,
            "mean": _mean(self._score_sum, scored, 1),
            "histogram": [
                {
                    "from": i * SCORE_BIN,
                    "to": 100 if i == last else (i + 1) * SCORE_BIN - 1,
                    "ads": n,
                    "share": _share(n, scored),
                }
                for i, n in enumerate(self._score_bins)
            ],
        }

    def _months_part(self) -> dict[str, Any]:
        followed = [p for p, _ in _ranked(self._platforms)[:MONTH_PLATFORMS]]
        rows = []
        for month in sorted(self._months):
            tally = self._months[month]
            rows.append(
                {
                    "month": month,
                    "ads": tally.ads,
                    "kitchen_sinks": tally.kitchen_sinks,
                    "kitchen_sink_share": _share(tally.kitchen_sinks, tally.ads),
                    "profiled_ads": tally.profiled,
                    "mix": {
                        s: _share(total, tally.profiled)
                        for s, total in zip(SPECIALISMS, tally.mix, strict=True)
                    },
                    "platforms": {p: _share(tally.platforms[p], tally.ads) for p in followed},
                }
            )
        return {
            "show": len(rows) >= MIN_MONTHS,
            "ads_with_date": sum(t.ads for t in self._months.values()),
            "platforms": [{"id": p, "name": display_name(p)} for p in followed],
            "rows": rows,
        }

    def _companies_part(self) -> dict[str, Any]:
        ranked = sorted(
            self._companies.values(), key=lambda t: (-t.ads, _company_key(t.name), t.name)
        )
        held = len(self._companies)
        return {
            "show": self._companies_pruned or held >= MIN_COMPANIES,
            "ads_with_company": self._company_ads,
            "distinct": None if self._companies_pruned else held,
            "approximate": self._companies_pruned,
            "rows": [t.as_dict() for t in ranked[: self.top]],
        }


__all__ = ["SUMMARY_SCHEMA", "Summary"]

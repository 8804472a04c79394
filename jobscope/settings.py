"""All limits, thresholds and paths in one frozen dataclass.

Defaults are documented in the README. A user config file (TOML) can override
any field: `[jobscope]` table, keys named like the fields below.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jobscope import __version__
from jobscope.errors import UsageError
from jobscope.model import FLAG_CODES, SEVERITIES

PROJECT_URL = "https://github.com/jobscope/jobscope"


DEFAULT_SEVERITY: dict[str, str] = {
    "kitchen_sink": "error",
    "defunct_network": "error",
    "impossible_experience": "error",
    "missing_gender_tag": "error",
    "side_job": "warning",
    "always_on": "warning",
    "no_salary": "warning",
    "buzzword_title": "warning",
}
DEFAULT_PENALTY: dict[str, int] = {
    "kitchen_sink": 30,
    "defunct_network": 15,
    "impossible_experience": 15,
    "side_job": 10,
    "always_on": 10,
    "no_salary": 10,
    "missing_gender_tag": 5,
    "buzzword_title": 5,
}


_TABLES: dict[str, tuple[dict[str, Any], str]] = {
    "flag_severity": (DEFAULT_SEVERITY, "str"),
    "score_penalty": (DEFAULT_PENALTY, "int"),
}
"""Settings that are tables of flag codes: their defaults and the type of their values."""


_TUPLES = {
    "allowed_content_types",
    "page_content_types",
    "sitemap_content_types",
    "flags_disabled",
}
"""Settings that are lists (a TOML array becomes a tuple)."""


def _default_cache_dir() -> Path:
    env = os.environ.get("JOBSCOPE_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "jobscope"
    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "jobscope" / "cache"
    return Path.home() / ".cache" / "jobscope"


@dataclass(frozen=True)
class Settings:
    """Settings of one run. Build a changed copy with :meth:`replace`."""

    # Input limits
    max_input_bytes: int = 5_000_000
    """Largest file, stdin or HTTP body (decoded bytes) that is read."""

    # HTTP (`check URL` and `jobscope scrape`; README "Scraping job pages")
    connect_timeout: float = 5.0
    """Seconds to wait for a connection."""
    read_timeout: float = 20.0
    """Seconds to wait for the server's next bytes."""
    page_deadline: float = 60.0
    """Seconds for one page in all: redirects, retries, waits and reading the body."""
    max_redirects: int = 5
    allow_private: bool = False
    """Fetch from private, loopback and link-local addresses (off: refused, at every redirect)."""
    allowed_content_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "application/json",
        "application/ld+json",
    )
    """Content types `check URL` reads."""
    page_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    """Content types `scrape` reads as job pages and listing pages."""
    sitemap_content_types: tuple[str, ...] = (
        "application/xml",
        "text/xml",
        "text/plain",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
        "application/rss+xml",
        "application/atom+xml",
    )
    user_agent: str = f"jobscope/{__version__} (+{PROJECT_URL})"
    crawl_delay: float = 1.0
    """Seconds between two requests to one host, unless its robots.txt sets a Crawl-delay."""
    max_retries: int = 3
    """Retries of a request that got 429, a 5xx status, a timeout or a broken connection."""
    retry_backoff: float = 1.0
    """Seconds before the first retry; each further retry waits twice as long."""
    retry_after_max: float = 60.0
    """Longest Retry-After honoured; a server asking for more fails the page (rate_limited)."""
    robots_unavailable_wait: float = 600.0
    """When robots.txt fails with 5xx or a network error, the host counts as disallowed for
    this many seconds before robots.txt is asked again (RFC 9309, section 2.3.1.4)."""
    robots_max_age: float = 86400.0
    """Seconds a fetched robots.txt is trusted (RFC 9309 asks for no more than 24 hours)."""
    robots_max_bytes: int = 512_000
    """A larger robots.txt counts as unavailable (RFC 9309 asks crawlers to parse 500 KiB)."""
    http_cache: bool = True
    """Keep HTTP responses in cache_dir/http and revalidate them (ETag, Cache-Control)."""
    max_sitemaps: int = 100
    """Sitemap files (index files included) read in one `scrape --sitemap` run."""
    max_sitemap_bytes: int = 52_428_800
    """Largest sitemap read, decompressed (the sitemap protocol's limit, 50 MiB)."""

    # Batch runs (`jobscope batch`; README "Batch runs over many ads")
    batch_chunk_size: int = 64
    """Records a worker analyses together, with one model call for all their items (the
    model's cost per call is far larger than its cost per item)."""
    batch_chunks_in_flight: int = 4
    """Chunks handed to each worker ahead of the writer: enough to keep workers busy, few
    enough that memory stays flat however large the input."""

    # Classification
    label_threshold: float | None = None
    """An item carries a specialism when the model's score reaches this; None: the model
    card's per-specialism thresholds."""

    # Whole-ad decisions
    social_role_min_share: float = 0.5
    """Share of task/profile items with social-media work that makes a role a social-media role
    when its title does not say so."""
    social_role_min_items: int = 3

    # Flags (LABELS.md) and the realism score (README "Flags and the realism score")
    kitchen_sink_min_professions: int = 3
    """kitchen_sink when the tasks ask for the core work of this many professions (social-media
    management counts as one)."""
    kitchen_sink_min_platforms: int = 6
    """... or for active work on this many distinct platforms."""
    kitchen_sink_keep_platforms: int = 3
    """How many platforms the kitchen-sink suggestion proposes to keep."""
    flag_severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    """Severity (info, warning, error) per flag code; `check --fail-on` reads it."""
    flags_disabled: tuple[str, ...] = ()
    """Flag codes that are not raised at all (and cost no score)."""
    score_penalty: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PENALTY))
    """Points the realism score loses per raised flag."""
    score_platforms_free: int = 4
    """Demanded platforms beyond this many cost `score_per_platform` points each ..."""
    score_per_platform: int = 3
    score_professions_free: int = 2
    """... and professions beyond this many cost `score_per_profession` points each ..."""
    score_per_profession: int = 5
    score_breadth_cap: int = 20
    """... up to this many points in all."""
    message_language: str | None = None
    """Language of flag messages: "de", "en", or None for the ad's own language."""
    reference_date: date | None = None
    """The day an ad without a posting date is judged at (None: today)."""

    # Model
    model_path: Path | None = None
    """A model file named by the user (its card must sit beside it); None: the shipped model."""
    cache_dir: Path = field(default_factory=_default_cache_dir)
    """Where a model rebuilt from the corpus and the HTTP cache are kept."""

    def __post_init__(self) -> None:
        for name in _TABLES:
            value = getattr(self, name)
            if not isinstance(value, dict):
                raise UsageError(f"setting {name} must be a table of flag codes")
            unknown = sorted(set(value) - set(FLAG_CODES))
            if unknown:
                raise UsageError(f"setting {name}: unknown flag code {unknown[0]!r}")
        bad = [v for v in self.flag_severity.values() if v not in SEVERITIES]
        if bad:
            raise UsageError(f"setting flag_severity: {bad[0]!r} is not info, warning or error")
        unknown = [code for code in self.flags_disabled if code not in FLAG_CODES]
        if unknown:
            raise UsageError(f"setting flags_disabled: unknown flag code {unknown[0]!r}")
        if self.message_language not in (None, "de", "en"):
            raise UsageError(
                f"setting message_language must be de or en, not {self.message_language!r}"
            )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def severity(self, code: str) -> str:
        return self.flag_severity.get(code, DEFAULT_SEVERITY[code])

    def penalty(self, code: str) -> int:
        return int(self.score_penalty.get(code, DEFAULT_PENALTY[code]))

    def assign(self, assignments: list[str]) -> Settings:
        """A copy with `KEY=VALUE` assignments applied (`--set` on the command line):
        `kitchen_sink_min_platforms=8`, `flag_severity.no_salary=error`,
        `flags_disabled=no_salary,buzzword_title`, `reference_date=2025-06-01`."""
        changes: dict[str, Any] = {}
        names = {f.name: f for f in dataclasses.fields(self)}
        for assignment in assignments:
            key, sep, raw = assignment.partition("=")
            key, raw = key.strip(), raw.strip()
            name, _, sub = key.partition(".")
            if not sep or name not in names:
                raise UsageError(f"--set {assignment!r}: expected KEY=VALUE with a known setting")
            current = changes.get(name, getattr(self, name))
            if isinstance(current, dict):
                if not sub:
                    raise UsageError(f"--set {assignment!r}: use {name}.CODE=VALUE")
                changes[name] = {**current, sub: _coerce(raw, _TABLES[name][1], key)}
            else:
                changes[name] = _coerce(raw, _field_type(names[name].type), key)
        return self.replace(**changes)

    @classmethod
    def from_file(cls, path: Path, **overrides: Any) -> Settings:
        """Read a TOML config file's `[jobscope]` table; unknown keys are a usage error."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"config file {path} is not valid TOML: {exc}") from exc
        table = data.get("jobscope", data)
        names = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in names:
                raise UsageError(f"config file {path}: unknown setting {key!r}")
            if key in {"model_path", "cache_dir"}:
                value = Path(value)
            elif key in _TUPLES:
                value = tuple(value)
            elif key in _TABLES:
                value = {**_TABLES[key][0], **value}
            values[key] = value
        values.update(overrides)
        return cls(**values)


def _field_type(annotation: Any) -> str:
    """The base type named by a field's annotation (a string under `from __future__`)."""
    text = str(annotation)
    for name in ("tuple", "Path", "date", "bool", "int", "float"):
        if text.startswith(name):
            return name
    return "str"


def _coerce(raw: str, kind: str, key: str) -> Any:
    """A `--set` value as the setting's type (a name from :func:`_field_type`); "none" or
    "null" is None, and so is an empty value of a type other than text or a list."""
    if kind == "tuple":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if raw.lower() in {"none", "null"} or (not raw and kind != "str"):
        return None
    if kind == "str":
        return raw
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError(raw)
            return raw.lower() in {"true", "1", "yes"}
        if kind == "date":
            return date.fromisoformat(raw)
    except ValueError as exc:
        raise UsageError(f"--set {key}={raw}: not a valid {kind}") from exc
    return Path(raw)

"""Reading job ads from files, stdin, URLs and records (JSON, JSONL, CSV) -> JobAd."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jobscope.decode import decode_bytes
from jobscope.errors import (
    EmptyInputError,
    FormatError,
    InputError,
    InputTooLargeError,
    UsageError,
)
from jobscope.extract import (
    html_to_ad,
    iter_jobpostings,
    jobposting_to_ad,
    looks_like_html,
    parse_date,
    posting_date_from_text,
)
from jobscope.model import JobAd
from jobscope.normalize import clean_text, one_line
from jobscope.settings import Settings

# Field names of job-board exports, in order of preference (matched case-insensitively).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titel", "job_title", "jobtitle", "position", "stellenbezeichnung", "name"),
    "description": (
        "description",
        "description_html",
        "description_text",
        "text",
        "stellenbeschreibung",
        "beschreibung",
        "body",
        "content",
        "html",
    ),
    "company": (
        "company",
        "company_name",
        "hiringorganization",
        "hiring_organization",
        "arbeitgeber",
        "employer",
        "unternehmen",
        "firma",
    ),
    "date_posted": (
        "dateposted",
        "date_posted",
        "created_at",
        "posted_at",
        "published_at",
        "publication_date",
        "veroeffentlicht_am",
        "veröffentlicht_am",
        "date",
    ),
    "url": ("url", "link", "href", "job_url"),
    "id": ("id", "key", "slug", "refnr", "job_id", "jobid", "reference"),
    "location": ("location", "joblocation", "ort", "arbeitsort", "standort", "city"),
}

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MARKDOWN_SUFFIXES = {".md", ".markdown"}


def content_id(text: str) -> str:
    """A stable id from an ad's text (the same ad read twice gets the same id)."""
    return hashlib.sha256(one_line(text).encode("utf-8")).hexdigest()[:16]


def _lowered(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with its keys in lower case (field names are matched case-insensitively)."""
    return {str(k).lower(): v for k, v in record.items()}


def _pick(
    record: Mapping[str, Any],
    lowered: Mapping[str, Any],
    field: str,
    fields: Mapping[str, str] | None = None,
) -> Any:
    """The record's value for one of our fields: the name `fields` maps it to (a dotted path
    such as ``employer.name`` reaches into nested objects), else the first alias present in
    `lowered` (the record's :func:`_lowered` keys, made once per record)."""
    if fields and field in fields:
        return _lookup(record, fields[field])
    for name in FIELD_ALIASES[field]:
        value = lowered.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _lookup(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value[part] if part in value else _lowered(value).get(part.lower())
    return None if value in ("", [], {}) else value


def parse_field_map(pairs: list[str]) -> dict[str, str]:
    """`--field` values (``description=jobtext``, ``company=employer.name``) -> a mapping of
    our field names to the record's names; raises UsageError on an unknown field."""
    out: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        ours, theirs = ours.strip().lower(), theirs.strip()
        if not sep or not theirs:
            raise UsageError(f"--field {pair!r}: expected FIELD=NAME, e.g. description=jobtext")
        if ours not in FIELD_ALIASES:
            known = ", ".join(FIELD_ALIASES)
            raise UsageError(f"--field {pair!r}: unknown field {ours!r} (one of: {known})")
        out[ours] = theirs
    return out


def record_to_ad(
    record: Any,
    *,
    source_kind: str = "record",
    location: str = "",
    fields: Mapping[str, str] | None = None,
) -> JobAd:
    """A JSON object (schema.org JobPosting or a job-board record) -> JobAd; `fields` maps
    our field names to unusual names of the record (see :func:`parse_field_map`)."""
    ad = _record_to_ad(record, source_kind=source_kind, location=location, fields=fields)
    _replace_lone_surrogates(ad)
    return ad


def _record_to_ad(
    record: Any, *, source_kind: str, location: str, fields: Mapping[str, str] | None
) -> JobAd:
    if not isinstance(record, dict):
        raise FormatError(
            f"{location or 'record'}: expected a JSON object, got {type(record).__name__}"
        )
    postings = list(iter_jobpostings(record))
    if postings:
        return jobposting_to_ad(postings[0], source_kind=source_kind, source_location=location)
    lowered = _lowered(record)

    def pick(field: str) -> Any:
        return _pick(record, lowered, field, fields)

    description = pick("description")
    title = pick("title")
    if isinstance(description, (dict, list)):
        description = json.dumps(description, ensure_ascii=False)
    if not description or not str(description).strip():
        what = location or "record"
        looked = (
            fields["description"]
            if fields and "description" in fields
            else "description, text, body, ..."
        )
        raise EmptyInputError(f"{what}: no description (looked for: {looked})")
    description = str(description)
    fmt = "html" if looks_like_html(description) else "markdown"
    company = pick("company")
    if isinstance(company, dict):
        company = company.get("name")
    place = pick("location")
    if isinstance(place, dict):
        place = place.get("name") or place.get("addressLocality")
    ident = pick("id")
    date_value = pick("date_posted")
    url = pick("url")
    return JobAd(
        title=one_line(clean_text(str(title))) if title else "",
        description=description,
        description_format=fmt,  # type: ignore[arg-type]
        id=str(ident) if ident is not None else "",
        company=str(company) if company else None,
        location=str(place) if place else None,
        date_posted=(
            parse_date(str(date_value)) if date_value else posting_date_from_text(description)
        ),
        url=str(url) if url else None,
        salary=_record_salary(record.get("salary")),
        source_kind=source_kind,  # type: ignore[arg-type]
        source_location=location,
        structured="record",
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(text: str) -> str:
    try:
        text.encode("utf-8")  # fast, and fails only on a lone surrogate
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def _replace_lone_surrogates(ad: JobAd) -> None:
    """A JSON string may escape half of a surrogate pair ("\\ud83d" without its partner);
    Python keeps it as a lone surrogate, which no UTF-8 output can hold. Each becomes U+FFFD,
    so that the ad is analysed and its report written like any other."""
    for name in ("id", "title", "description", "company", "location", "url"):
        value = getattr(ad, name)
        if value:
            setattr(ad, name, _valid_text(value))
    if ad.salary:
        ad.salary = {
            _valid_text(str(key)): _valid_text(value) if isinstance(value, str) else value
            for key, value in ad.salary.items()
        }


def _record_salary(value: Any) -> dict[str, Any] | None:
    """A record's salary when it is already parsed ({min, max, currency, unit}, as scrape
    records carry it); salary text is left to the salary stage, which reads the description."""
    if isinstance(value, dict) and (value.get("min") is not None or value.get("max") is not None):
        return value
    return None


def iter_records(text: str, *, kind: str, what: str) -> Iterator[tuple[int, Any]]:
    """Records of a JSON, JSONL or CSV text as (record number, record); numbers count from 1.

    A broken JSONL line yields a FormatError in its place, so a caller can go on.
    """
    if kind == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, FormatError(f"{what} line {number}: broken JSON ({exc.msg})")
    elif kind == "csv":
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel  # type: ignore[assignment]
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        for number, row in enumerate(reader, start=1):
            yield number, row
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"{what}: broken JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
            ) from exc
        if isinstance(data, list):
            yield from enumerate(data, start=1)
        elif isinstance(data, dict) and "@graph" not in data and isinstance(data.get("jobs"), list):
            yield from enumerate(data["jobs"], start=1)
        else:
            yield 1, data


def _single_record(text: str, *, kind: str, what: str, source_kind: str) -> JobAd:
    records = list(iter_records(text, kind=kind, what=what))
    if not records:
        raise FormatError(f"{what} holds no records")
    if len(records) > 1:
        raise UsageError(
            f"{what} holds {len(records)} records; `jobscope check` reads one ad "
            "(pass a file with a single record)"
        )
    _, record = records[0]
    if isinstance(record, Exception):
        raise record
    return record_to_ad(record, source_kind=source_kind, location=what)


def _sniff_kind(text: str, suffix: str, content_type: str = "") -> str:
    if suffix in _HTML_SUFFIXES or "html" in content_type:
        return "html"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".csv" or content_type == "text/csv":
        return "csv"
    if suffix == ".json" or "json" in content_type:
        return "json"
    if suffix in _MARKDOWN_SUFFIXES or content_type == "text/markdown":
        return "markdown"
    head = text.lstrip()[:200].lower()
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith(("<!doctype html", "<html")) or looks_like_html(text):
        return "html"
    return "text"


def ad_from_text(
    text: str, *, suffix: str = "", content_type: str = "", source_kind: str, location: str
) -> JobAd:
    """Decoded text of any supported kind -> JobAd."""
    kind = _sniff_kind(text, suffix, content_type)
    if kind == "html":
        ad = html_to_ad(text, source_kind=source_kind, source_location=location)
    elif kind in {"json", "jsonl", "csv"}:
        ad = _single_record(text, kind=kind, what=location, source_kind=source_kind)
    else:
        body = clean_text(text)
        if not body:
            raise InputError(f"{location} holds no text")
        first, _, rest = body.partition("\n")
        title = first.lstrip("#*_ ").rstrip("*_ ").strip()
        ad = JobAd(
            title=title,
            description=rest,
            description_format="markdown",
            date_posted=posting_date_from_text(body),
            source_kind=source_kind,  # type: ignore[arg-type]
            source_location=location,
        )
    if not ad.id:
        ad.id = content_id(ad.title + "\n" + ad.description)
    return ad


def _read_limited(stream: Any, limit: int, what: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputTooLargeError(f"{what} is larger than {limit:,} bytes")
    return bytes(data)


def load_ad(source: str, *, settings: Settings | None = None) -> JobAd:
    """Read one ad from a path, "-" (stdin) or an http(s) URL."""
    from jobscope.scrape import is_url

    settings = settings or Settings()
    if source == "-":
        data = _read_limited(sys.stdin.buffer, settings.max_input_bytes, "standard input")
        text, _ = decode_bytes(data, what="standard input", html=True)
        return ad_from_text(text, source_kind="stdin", location="-")
    if is_url(source):
        from jobscope.scrape import fetch

        page = fetch(source, settings)
        text, _ = decode_bytes(
            page.body, declared=page.charset, what=page.url, html="html" in page.content_type
        )
        suffix = Path(page.url.split("?", 1)[0]).suffix.lower()
        ad = ad_from_text(
            text,
            suffix=suffix,
            content_type=page.content_type,
            source_kind="url",
            location=page.url,
        )
        ad.url = ad.url or page.url
        return ad
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(f"{source} is a directory, not an ad file")
        size = path.stat().st_size
        if size > settings.max_input_bytes:
            raise InputTooLargeError(f"{source} is larger than {settings.max_input_bytes:,} bytes")
        with path.open("rb") as handle:
            data = _read_limited(handle, settings.max_input_bytes, source)
    except FileNotFoundError as exc:
        raise InputError(f"no such file: {source}") from exc
    except PermissionError as exc:
        raise InputError(f"permission denied: {source}") from exc
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    text, _ = decode_bytes(data, what=source, html=suffix in _HTML_SUFFIXES)
    return ad_from_text(text, suffix=suffix, source_kind="file", location=source)

"""HTML and structured data -> JobAd fields: schema.org JobPosting first, visible text second."""

from __future__ import annotations

import contextlib
import html as html_lib
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from jobscope.errors import FormatError
from jobscope.model import JobAd
from jobscope.normalize import clean_text, one_line

if TYPE_CHECKING:  # pragma: no cover
    from bs4 import BeautifulSoup, Tag

# Elements that never hold the ad: code, chrome, navigation, forms.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "form",
    "nav",
    "footer",
    "header",
    "aside",
    "button",
    "select",
    "input",
    "head",
    "dialog",
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"}
_CHROME_HINT = re.compile(
    r"(^|[\s_-])(cookie|consent|gdpr|newsletter-signup|breadcrumb|skip-link|share|social-share|"
    r"navbar|menu|sidebar|site-footer|site-header)([\s_-]|$)",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "table",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
_HTML_HINT = re.compile(r"<(p|br|li|ul|ol|div|h[1-6]|strong|b|span|table)\b[^>]*>", re.IGNORECASE)
_ESCAPED_HTML_HINT = re.compile(r"&lt;(p|br|li|ul|ol|div|h[1-6]|strong|b)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text[:20000]))


def soup_of(markup: str) -> BeautifulSoup:
    """Parse HTML with lxml when installed, else with Python's html.parser.

    Raises FormatError (and nothing else) for markup neither parser accepts."""
    from bs4 import BeautifulSoup, ParserRejectedMarkup  # lazy: bs4 costs start-up time

    with contextlib.suppress(Exception):  # lxml is the optional "fast" extra
        return BeautifulSoup(markup, "lxml")
    # html.parser rejects some broken "<![" sections; read those as text instead.
    for candidate in (markup, markup.replace("<![", "&lt;![")):
        with contextlib.suppress(ParserRejectedMarkup):
            return BeautifulSoup(candidate, "html.parser")
    raise FormatError("the HTML cannot be parsed")


def parse_date(value: Any) -> date | None:
    """ISO dates and datetimes, and German dd.mm.yyyy; None when the value is no date."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = re.match(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})", text)
        if not match:
            return None
        d, m, y = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        return None


_POSTED_CUE = re.compile(
    r"(?:stellenanzeige vom|anzeige vom|ver[öo]ffentlicht(?: am)?|online seit|ausschreibungsdatum|"
    r"datum der ver[öo]ffentlichung|date posted|posted(?: on)?|published(?: on)?|publication date)"
    r"\s*:?\s*(?P<date>\d{1,2}\.\s*\d{1,2}\.\s*\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


def posting_date_from_text(text: str) -> date | None:
    """A posting date the ad states in its text ("Stellenanzeige vom 12.03.2026").
    Start dates and deadlines ("zum 01.11.", "bis zum 15.10.") are not posting dates."""
    match = _POSTED_CUE.search(text)
    return parse_date(match.group("date")) if match else None


# --- JSON-LD ------------------------------------------------------------------------------------


_JSON_START = re.compile(r"[{\[]")
_MAX_DEPTH = 32
"""How deep JobPostings and @id nodes are looked for in JSON-LD (deeper is junk, not data)."""


def _json_values(text: str) -> list[Any]:
    """The JSON values in `text`, skipping junk before, between and after them; a broken value
    is skipped too, so the valid values around (and inside) it survive."""
    decoder = json.JSONDecoder(strict=False)  # raw newlines and tabs inside strings are common
    values: list[Any] = []
    pos = failures = 0
    while failures < 100 and (match := _JSON_START.search(text, pos)):
        try:
            value, pos = decoder.raw_decode(text, match.start())
            values.append(value)
        except (ValueError, RecursionError):  # broken, or nested too deeply ("[[[[...")
            pos, failures = match.start() + 1, failures + 1
    return values


def _load_json_lenient(text: str) -> list[Any] | None:
    """Parse a JSON-LD block; recover trailing junk and HTML-escaped blocks where possible."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    for candidate in (text, html_lib.unescape(text)):
        values = _json_values(candidate)
        if values:
            return values
    return None


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    # "JobPosting", "https://schema.org/JobPosting", "schema:JobPosting"
    return [re.split(r"[/#:]", str(v))[-1] for v in values]


def iter_jobpostings(data: Any, _depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every schema.org JobPosting node in parsed JSON-LD (lists, @graph, nested nodes)."""
    if _depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from iter_jobpostings(item, _depth + 1)
    elif isinstance(data, dict):
        if "JobPosting" in _types(data):
            yield data
            return
        for key, value in data.items():
            if key != "@context" and isinstance(value, (dict, list)):
                yield from iter_jobpostings(value, _depth + 1)


def _index_ids(data: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            _index_ids(item, index, depth + 1)
    elif isinstance(data, dict):
        if isinstance(data.get("@id"), str) and len(data) > 1:
            index.setdefault(data["@id"], data)
        for value in data.values():
            if isinstance(value, (dict, list)):
                _index_ids(value, index, depth + 1)


def _resolve(node: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> Any:
    """Replace {"@id": ...} references by the nodes they name (hiringOrganization in @graph)."""
    if depth > 4:
        return node
    if isinstance(node, dict):
        if set(node) == {"@id"} and node["@id"] in index:
            return _resolve(index[node["@id"]], index, depth + 1)
        return {k: _resolve(v, index, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, index, depth + 1) for v in node]
    return node


def jsonld_jobpostings(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """JobPosting nodes of all JSON-LD blocks; a broken block never loses the valid ones."""
    blocks: list[Any] = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)}):
        blocks.extend(_load_json_lenient(script.string or script.get_text() or "") or [])
    index: dict[str, dict[str, Any]] = {}
    _index_ids(blocks, index)
    return [_resolve(node, index) for node in iter_jobpostings(blocks)]


# --- microdata ----------------------------------------------------------------------------------

# Elements whose microdata value is an attribute, not their text (<time> also has datetime).
_ITEM_VALUE_ATTR = {
    "meta": "content",
    **dict.fromkeys(("a", "area", "link"), "href"),
    **dict.fromkeys(("audio", "embed", "iframe", "img", "source", "track", "video"), "src"),
    "object": "data",
    **dict.fromkeys(("data", "meter"), "value"),
}


def _item_types(tag: Tag) -> list[str]:
    return [t.rsplit("/", 1)[-1] for t in str(tag.get("itemtype") or "").split()]


def microdata_jobpostings(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """schema.org JobPosting items of the page's microdata, as dicts shaped like JSON-LD nodes."""
    return [
        _microdata_item(tag)
        for tag in soup.find_all(itemscope=True)
        if "JobPosting" in _item_types(tag)
    ]


def _microdata_item(scope: Tag, depth: int = 0) -> dict[str, Any]:
    properties: dict[str, list[Any]] = {}
    for tag in _item_properties(scope):
        nested = tag.has_attr("itemscope") and depth < _MAX_DEPTH
        value = _microdata_item(tag, depth + 1) if nested else _microdata_value(tag)
        for name in str(tag.get("itemprop")).split():
            properties.setdefault(name.rsplit("/", 1)[-1], []).append(value)
    types = _item_types(scope)
    item: dict[str, Any] = {"@type": types[0] if len(types) == 1 else types} if types else {}
    item.update(
        (name, values[0] if len(values) == 1 else values) for name, values in properties.items()
    )
    return item


def _item_properties(scope: Tag) -> Iterator[Tag]:
    """The elements holding the properties of `scope`, in document order: its descendants with
    an itemprop, but not inside a nested item (whose properties are the nested item's own)."""
    from bs4 import Tag

    pending = [c for c in reversed(scope.contents) if isinstance(c, Tag)]
    while pending:
        tag = pending.pop()
        if tag.has_attr("itemprop"):
            yield tag
        if not tag.has_attr("itemscope"):
            pending.extend(c for c in reversed(tag.contents) if isinstance(c, Tag))


def _microdata_value(tag: Tag) -> str:
    attr = "datetime" if tag.name == "time" else _ITEM_VALUE_ATTR.get(tag.name)
    if attr and tag.has_attr(attr):
        return str(tag[attr]).strip()
    if "description" in str(tag.get("itemprop")).split():
        return tag.decode_contents().strip()  # keep the headings and bullets
    return one_line(tag.get_text())


# --- JobPosting -> JobAd ------------------------------------------------------------------------


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return one_line(clean_text(value)) or None
    if isinstance(value, dict):
        return _text_of(value.get("name") or value.get("value") or value.get("@value"))
    if isinstance(value, list):
        parts = [p for p in (_text_of(v) for v in value) if p]
        return "; ".join(dict.fromkeys(parts)) or None
    return str(value)


def _location(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [p for p in (_location(v) for v in value) if p]
        return "; ".join(dict.fromkeys(parts)) or None
    if isinstance(value, dict):
        address = value.get("address", value)
        if isinstance(address, dict):
            fields = (
                _text_of(address.get(k))
                for k in ("addressLocality", "addressRegion", "addressCountry")
            )
            joined = ", ".join(p for p in fields if p)
            return joined or _text_of(address.get("name"))
        return _text_of(address)
    return _text_of(value)


_GROUPED = re.compile(r"\d{1,3}(?:([.,' ])\d{3})+(?:([.,])\d+)?")


def _number(value: Any) -> float | None:
    """A number as structured data gives it: 42000, "42000.50", "42.000" (German grouping),
    "42,000" (English grouping), "42.000,50", "3,5"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", " ")
    grouped = _GROUPED.fullmatch(text)
    if grouped and grouped.group(1) != grouped.group(2):
        text = text.replace(grouped.group(1), "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def salary_from_jsonld(value: Any) -> dict[str, Any] | None:
    """schema.org baseSalary (MonetaryAmount or a number) -> {min, max, currency, unit}."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        return salary_from_jsonld(value)
    if not isinstance(value, dict):
        number = _number(value)
        return {"min": number, "max": number, "currency": None, "unit": None} if number else None
    currency = value.get("currency")
    inner = value.get("value", value)
    if isinstance(inner, dict):
        low = _number(inner.get("minValue", inner.get("value")))
        high = _number(inner.get("maxValue", inner.get("value")))
        unit = inner.get("unitText") or value.get("unitText")
    else:
        low = high = _number(inner)
        unit = value.get("unitText")
    if low is None and high is None:
        return None
    return {"min": low, "max": high, "currency": currency, "unit": unit}


def jobposting_to_ad(node: dict[str, Any], **source: Any) -> JobAd:
    """One schema.org JobPosting node -> JobAd."""
    description = node.get("description") or ""
    if not isinstance(description, str):
        description = _text_of(description) or ""
    if _ESCAPED_HTML_HINT.search(description) and "<" not in description:
        description = html_lib.unescape(description)
    title = _text_of(node.get("title") or node.get("name")) or ""
    if not description.strip() and not title:
        raise FormatError("the JobPosting has neither a title nor a description")
    ident = node.get("identifier")
    if isinstance(ident, dict):
        ident = ident.get("value") or ident.get("name")
    return JobAd(
        title=title,
        description=description,
        description_format="html" if looks_like_html(description) else "text",
        id=str(ident) if ident else "",
        company=_text_of(node.get("hiringOrganization")),
        location=_location(node.get("jobLocation")),
        date_posted=parse_date(node.get("datePosted")),
        salary=salary_from_jsonld(node.get("baseSalary")),
        url=node.get("url") if isinstance(node.get("url"), str) else None,
        structured="jsonld",
        **source,
    )


# --- visible text -------------------------------------------------------------------------------


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _DROP_TAGS:
        return True
    attrs = getattr(tag, "attrs", None) or {}
    if str(attrs.get("role", "")).lower() in _DROP_ROLES or attrs.get("aria-hidden") == "true":
        return True
    hint = " ".join([str(attrs.get("id", "")), " ".join(attrs.get("class", []) or [])])
    return bool(hint.strip()) and bool(_CHROME_HINT.search(hint))


def strip_chrome(soup: BeautifulSoup | Tag) -> None:
    """Remove the page's chrome: the outermost chrome elements, with all they hold."""
    # (A walk that skips what is removed anyway: Tag.decomposed searches the whole subtree.)
    chrome: list[Tag] = []
    pending = [soup]
    while pending:
        for child in pending.pop().find_all(True, recursive=False):
            (chrome if _is_chrome(child) else pending).append(child)
    for tag in chrome:
        tag.decompose()


def _only_bold(tag: Tag) -> bool:
    """A paragraph whose whole text is bold reads as a heading."""
    if _holds_more_than(tag, 40):
        return False  # too much inside for a heading (and deep nesting stays linear)
    text = tag.get_text(" ", strip=True)
    if not text or len(text) > 90:
        return False
    bold = " ".join(b.get_text(" ", strip=True) for b in tag.find_all(["strong", "b"]))
    return one_line(bold) == one_line(text)


def _holds_more_than(tag: Tag, limit: int) -> bool:
    """Does `tag` hold more than `limit` elements and strings? (Tag.descendants would first
    walk to the last descendant, however deep.)"""
    pending = list(tag.contents)
    for _ in range(limit):
        if not pending:
            return False
        pending.extend(getattr(pending.pop(), "contents", ()))
    return bool(pending)


def html_to_marked_text(markup: str | Tag) -> str:
    """HTML -> text whose lines are marked: "# " headings, "- " list items, plain paragraphs."""
    from bs4 import Tag
    from bs4.element import PreformattedString

    soup = soup_of(markup) if isinstance(markup, str) else markup
    lines: list[str] = []
    # A stack, not recursion: unclosed <div>s nest thousands deep. None ends a block element.
    pending: list[Any] = list(reversed(soup.contents))
    while pending:
        child = pending.pop()
        if child is None:
            lines.append("")
            continue
        name = getattr(child, "name", None)
        if name is None or not isinstance(child, Tag):
            text = str(child)
            # Comments, doctypes and <![if ...]> declarations are not text.
            if text.strip() and not isinstance(child, PreformattedString):
                _append_inline(lines, text)
            continue
        if name in {"script", "style", "template"}:
            continue
        if name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            lines.extend(["", "# " + one_line(child.get_text(" ", strip=True)), ""])
        elif name == "li":
            text = one_line(child.get_text(" ", strip=True))
            if text:
                lines.extend(["", "- " + text, ""])
        elif name in {"p", "div", "dt", "dd", "td", "th", "blockquote"} and _only_bold(child):
            lines.extend(["", "# " + one_line(child.get_text(" ", strip=True)), ""])
        elif name == "br":
            lines.append("")
        elif name in _BLOCK_TAGS:
            lines.append("")
            pending.append(None)
            pending.extend(reversed(child.contents))
        else:
            _append_inline(lines, child.get_text(" "))
    return "\n".join(lines)


def _append_inline(lines: list[str], text: str) -> None:
    """Inline text continues the current line (text nodes between block elements)."""
    text = text.replace("\n", " ")
    if lines and lines[-1] and not lines[-1].startswith(("# ", "- ")):
        lines[-1] = lines[-1] + text
    else:
        lines.append(text)


def html_to_ad(markup: str, **source: Any) -> JobAd:
    """An HTML page or fragment -> JobAd: its JobPosting data, else its visible text."""
    soup = soup_of(markup)
    found = _structured_posting(soup)
    if found is None:
        return _visible_text_ad(soup, **source)[0]
    kind, posting = found
    ad = jobposting_to_ad(posting, **source)
    ad.structured = kind
    organisation = posting.get("hiringOrganization")
    same_as = organisation.get("sameAs", []) if isinstance(organisation, dict) else []
    same_as = [same_as] if isinstance(same_as, str) else same_as
    ad.context = "\n".join([page_context(soup, whole_page=True), *map(str, same_as)])
    return ad


def _structured_posting(soup: BeautifulSoup) -> tuple[str, dict[str, Any]] | None:
    """The page's JobPosting and where it came from ("jsonld" before "microdata"); with several
    postings on the page, the one with the longest description."""
    for kind, find in (("jsonld", jsonld_jobpostings), ("microdata", microdata_jobpostings)):
        postings = find(soup)
        if postings:
            return kind, max(postings, key=lambda n: len(str(n.get("description") or "")))
    return None


def _visible_text_ad(soup: BeautifulSoup, **source: Any) -> tuple[JobAd, Tag | BeautifulSoup]:
    """A page without JobPosting data -> JobAd of its visible text, and the element read
    (main / role=main / article / body, after strip_chrome)."""
    title = _page_title(soup)
    context = page_context(soup, whole_page=False)
    strip_chrome(soup)
    main = soup.find("main") or soup.find(role="main") or soup.find("article")
    body = main or soup.body or soup
    text = html_to_marked_text(body)
    if not clean_text(text):
        raise FormatError("the HTML page has no visible text")
    ad = JobAd(
        title=title,
        description=text,
        description_format="markdown",
        date_posted=posting_date_from_text(text),
        context=context,
        **source,
    )
    return ad, body


# --- scrape records -----------------------------------------------------------------------------

GOOGLE_REQUIRED_PROPERTIES: tuple[str, ...] = (
    "datePosted",
    "description",
    "hiringOrganization",
    "title",
    "jobLocation",
)
"""The JobPosting properties Google requires for job search (jobLocation is not required of a
posting whose jobLocationType is TELECOMMUTE)."""
NO_POSTING_NOTE = "no schema.org JobPosting on the page; text taken from the visible page"


def page_fields(markup: str, *, url: str | None = None) -> dict[str, Any]:
    """One fetched HTML page -> the fields of a scrape record: its JobPosting (JSON-LD, else
    microdata), else its visible text. `url` only names the page in error messages.

    Raises FormatError when the page is empty or holds neither a JobPosting nor visible text."""
    try:
        return _page_fields(markup)
    except FormatError as exc:
        if url:
            exc.args = (f"{url}: {exc}",)
        raise


def _page_fields(markup: str) -> dict[str, Any]:
    if not markup.strip():
        raise FormatError("the HTML page is empty")
    soup = soup_of(markup)
    found = _structured_posting(soup)
    if found is None:
        ad, body = _visible_text_ad(soup)
        html, text = body.decode_contents().strip(), ad.description
        return _record(ad, "html", html, text, notes=[NO_POSTING_NOTE])
    source, posting = found
    ad = jobposting_to_ad(posting)
    if source == "microdata" or ad.description_format == "html":  # microdata keeps inner HTML
        html, text = ad.description, html_to_marked_text(ad.description)
    else:
        html, text = _text_to_html(ad.description), ad.description
    missing = missing_required_properties(posting)
    notes = (
        [f"JobPosting lacks Google's required properties: {', '.join(missing)}"] if missing else []
    )
    return _record(
        ad,
        source,
        html,
        text,
        notes=notes,
        valid_through=parse_date(posting.get("validThrough")),
        employment_type=", ".join(_texts(posting.get("employmentType"))) or None,
    )


def missing_required_properties(posting: dict[str, Any]) -> list[str]:
    """Which of GOOGLE_REQUIRED_PROPERTIES a JobPosting node lacks (or leaves empty)."""
    remote = "TELECOMMUTE" in (t.upper() for t in _texts(posting.get("jobLocationType")))
    return [
        name
        for name in GOOGLE_REQUIRED_PROPERTIES
        if not _has_value(posting.get(name)) and not (name == "jobLocation" and remote)
    ]


def _has_value(value: Any, depth: int = 0) -> bool:
    """Does a property hold something: a non-blank text or number, or a node holding one?"""
    if isinstance(value, dict):
        value = [v for k, v in value.items() if not k.startswith("@")]
    if isinstance(value, list):
        return depth < _MAX_DEPTH and any(_has_value(v, depth + 1) for v in value)
    return value is not None and str(value).strip() != ""


def _texts(value: Any) -> list[str]:
    """The non-empty texts of a value, a list of values, or nodes (by their name or value)."""
    values = value if isinstance(value, list) else [value]
    return [t for t in (_text_of(v) for v in values) if t]


def _record(
    ad: JobAd,
    source: str,
    description_html: str,
    description_text: str,
    *,
    notes: list[str],
    valid_through: date | None = None,
    employment_type: str | None = None,
) -> dict[str, Any]:
    return {
        "title": ad.title or None,
        "company": ad.company,
        "location": ad.location,
        "date_posted": ad.date_posted.isoformat() if ad.date_posted else None,
        "valid_through": valid_through.isoformat() if valid_through else None,
        "employment_type": employment_type,
        "salary": ad.salary,
        "description_html": description_html,
        "description_text": clean_text(description_text),
        "source": source,
        "identifier": ad.id or None,
        "notes": notes,
    }


def _text_to_html(text: str) -> str:
    """A plain-text description as HTML: paragraphs at blank lines, <br> at line breaks."""
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text))
    return "\n".join(
        "<p>" + html_lib.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs if p
    )


def page_context(soup: BeautifulSoup, *, whole_page: bool) -> str:
    """The page's text outside the ad (its chrome, or all of it when the ad came from JSON-LD)
    and the targets of its links, one per line: where "follow us" footers and social links live."""
    parts: list[str] = []
    body = soup.body or soup
    if whole_page:
        parts.append(body.get_text("\n", strip=True))
    else:
        for tag in body.find_all(True):
            if tag.name not in {"script", "style", "template"} and _is_chrome(tag):
                parts.append(tag.get_text("\n", strip=True))
    parts.extend(str(a.get("href")) for a in soup.find_all("a", href=True))
    return "\n".join(p for p in parts if p)


def _page_title(soup: BeautifulSoup) -> str:
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return one_line(h1.get_text(" ", strip=True))
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta and meta.get("content"):
        return one_line(str(meta["content"]))
    if soup.title and soup.title.string:
        return one_line(soup.title.string)
    return ""

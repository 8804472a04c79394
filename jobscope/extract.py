"""HTML and structured data -> JobAd fields: schema.org JobPosting first, visible text second."""

from __future__ import annotations

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


def _soup(markup: str) -> BeautifulSoup:
    from bs4 import BeautifulSoup  # lazy: bs4 costs start-up time

    try:
        return BeautifulSoup(markup, "lxml")
    except Exception:  # lxml missing (it is the optional "fast" extra)
        return BeautifulSoup(markup, "html.parser")


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


def _load_json_lenient(text: str) -> Any:
    """Parse a JSON-LD block; recover trailing junk and HTML-escaped blocks where possible."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    for candidate in (text, html_lib.unescape(text)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            start = min(
                (i for i in (candidate.find("{"), candidate.find("[")) if i >= 0), default=-1
            )
            if start < 0:
                continue
            try:
                value, _ = json.JSONDecoder(strict=True).raw_decode(candidate, start)
                return value
            except json.JSONDecodeError:
                continue
    return None


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1] for v in values]


def iter_jobpostings(data: Any) -> Iterator[dict[str, Any]]:
    """Every schema.org JobPosting node in parsed JSON-LD (lists, @graph, nested nodes)."""
    if isinstance(data, list):
        for item in data:
            yield from iter_jobpostings(item)
    elif isinstance(data, dict):
        if "JobPosting" in _types(data):
            yield data
            return
        for key, value in data.items():
            if key != "@context" and isinstance(value, (dict, list)):
                yield from iter_jobpostings(value)


def _index_ids(data: Any, index: dict[str, dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _index_ids(item, index)
    elif isinstance(data, dict):
        if isinstance(data.get("@id"), str) and len(data) > 1:
            index.setdefault(data["@id"], data)
        for value in data.values():
            if isinstance(value, (dict, list)):
                _index_ids(value, index)


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
        data = _load_json_lenient(script.string or script.get_text() or "")
        if data is not None:
            blocks.append(data)
    index: dict[str, dict[str, Any]] = {}
    _index_ids(blocks, index)
    return [_resolve(node, index) for node in iter_jobpostings(blocks)]


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


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None
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
    for tag in list(soup.find_all(True)):
        if getattr(tag, "decomposed", False):
            continue
        if _is_chrome(tag):
            tag.decompose()


def _only_bold(tag: Tag) -> bool:
    """A paragraph whose whole text is bold reads as a heading."""
    text = tag.get_text(" ", strip=True)
    if not text or len(text) > 90:
        return False
    bold = " ".join(b.get_text(" ", strip=True) for b in tag.find_all(["strong", "b"]))
    return one_line(bold) == one_line(text)


def html_to_marked_text(markup: str | Tag) -> str:
    """HTML -> text whose lines are marked: "# " headings, "- " list items, plain paragraphs."""
    from bs4 import Tag

    soup = _soup(markup) if isinstance(markup, str) else markup
    lines: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None or not isinstance(child, Tag):
                text = str(child)
                if text.strip():
                    _append_inline(lines, text)
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
                walk(child)
                lines.append("")
            else:
                _append_inline(lines, child.get_text(" "))

    walk(soup)
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
    soup = _soup(markup)
    postings = jsonld_jobpostings(soup)
    if postings:
        # Several postings on one page: take the one with the longest description.
        best = max(postings, key=lambda n: len(str(n.get("description") or "")))
        ad = jobposting_to_ad(best, **source)
        organisation = best.get("hiringOrganization")
        same_as = organisation.get("sameAs", []) if isinstance(organisation, dict) else []
        same_as = [same_as] if isinstance(same_as, str) else same_as
        ad.context = "\n".join([page_context(soup, whole_page=True), *map(str, same_as)])
        return ad
    title = _page_title(soup)
    context = page_context(soup, whole_page=False)
    strip_chrome(soup)
    main = soup.find("main") or soup.find(role="main") or soup.find("article")
    body = main or soup.body or soup
    text = html_to_marked_text(body)
    if not clean_text(text):
        raise FormatError("the HTML page has no visible text")
    return JobAd(
        title=title,
        description=text,
        description_format="markdown",
        date_posted=posting_date_from_text(text),
        context=context,
        **source,
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
            if getattr(tag, "decomposed", False) or tag.name in {"script", "style", "template"}:
                continue
            if _is_chrome(tag):
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

"""Sitemap parsing for `jobscope scrape`: bytes in, URLs out. No network access here.

Understood: XML ``<urlset>`` and ``<sitemapindex>`` (any namespace or prefix), RSS 2.0
and RSS 1.0 feeds (``<item><link>``), Atom feeds (``<entry><link href>``), plain-text
sitemaps (one absolute URL per line), each optionally gzip-compressed (found by its magic
bytes). XML goes through defusedxml, so entity declarations (billion laughs) and external
references are refused, and the XML parser decides the encoding from the document itself.

Broken XML: the entries complete before the break are kept and :attr:`Sitemap.warning`
says where it broke; when nothing was complete, FormatError. Relative XML locations are
resolved against the sitemap's URL; text sitemaps need absolute URLs (a bare word is not
a URL). Only http and https URLs are kept.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from jobscope.decode import sniff_binary
from jobscope.errors import FormatError, InputTooLargeError

if TYPE_CHECKING:  # pragma: no cover
    from xml.etree.ElementTree import Element

_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Root element -> the element of one entry (whose URL is its loc, link or link href).
_KINDS = {
    "urlset": "url",
    "sitemapindex": "sitemap",
    "rss": "item",
    "RDF": "item",
    "feed": "entry",
}


@dataclass
class Sitemap:
    """What one sitemap document lists. Fetching the nested sitemaps is the caller's job."""

    urls: list[str] = field(default_factory=list)
    """Page URLs (urlset locs, feed links, text lines), in document order, deduplicated."""
    sitemaps: list[str] = field(default_factory=list)
    """Nested sitemap URLs of a sitemap index, deduplicated."""
    lastmod: dict[str, str] = field(default_factory=dict)
    """Page URL -> ``<lastmod>`` text (``<updated>`` in Atom) when given."""
    warning: str | None = None
    """One line when the XML broke off and only the entries before the break were read."""


def parse_sitemap(data: bytes, *, url: str, max_bytes: int) -> Sitemap:
    """Parse a sitemap, sitemap index, feed or text sitemap fetched from `url`.

    Raises InputTooLargeError when `data` or its gzip-decompressed content exceeds
    `max_bytes` (decompression stops at the cap), FormatError when it is no sitemap.
    """
    if len(data) > max_bytes:
        raise InputTooLargeError(f"{url}: sitemap larger than {max_bytes:,} bytes")
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, url=url, max_bytes=max_bytes)
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise FormatError(f"{url}: not a sitemap (empty)")
    if head.startswith(b"<") or data.startswith(_UTF16_BOMS):
        lowered = head[:100].lower()
        if lowered.startswith((b"<!doctype html", b"<html")):
            raise FormatError(f"{url}: not a sitemap")
        # A stray newline before <?xml is common; expat would reject it.
        return _parse_xml(data if data.startswith(_UTF16_BOMS) else head, url=url)
    return _parse_text(data, url=url)


def _gunzip(data: bytes, *, url: str, max_bytes: int) -> bytes:
    """Decompress (possibly concatenated) gzip members, never past `max_bytes` of output."""
    out = bytearray()
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    pending = data
    try:
        while pending:
            out += inflater.decompress(pending, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise InputTooLargeError(
                    f"{url}: decompressed sitemap larger than {max_bytes:,} bytes"
                )
            if not inflater.eof:
                pending = inflater.unconsumed_tail  # empty: truncated, keep what we have
            elif inflater.unused_data.startswith(_GZIP_MAGIC):
                pending = inflater.unused_data
                inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            else:
                pending = b""  # trailing padding after the last member
    except zlib.error as exc:
        raise FormatError(f"{url}: not a sitemap (broken gzip data: {exc})") from exc
    return bytes(out)


def _parse_text(data: bytes, *, url: str) -> Sitemap:
    binary = sniff_binary(data)
    if binary:
        raise FormatError(f"{url}: not a sitemap ({binary})")
    try:
        text = data.decode("utf-8-sig")  # the sitemaps.org protocol requires UTF-8
    except UnicodeDecodeError as exc:
        raise FormatError(f"{url}: not a sitemap (text that is not UTF-8)") from exc
    lines = (line.strip() for line in text.splitlines())
    found = (_absolute(line, None) for line in lines if line and not _has_space(line))
    urls = list(dict.fromkeys(u for u in found if u))
    if not urls:
        raise FormatError(f"{url}: not a sitemap")
    return Sitemap(urls=urls)


def _parse_xml(data: bytes, *, url: str) -> Sitemap:
    from defusedxml import DefusedXmlException  # lazy: only XML sitemaps pay for it
    from defusedxml.ElementTree import ParseError, iterparse

    # dicts as ordered sets: deduplication stays linear on 50,000-URL sitemaps
    pages: dict[str, None] = {}
    nested: dict[str, None] = {}
    lastmod: dict[str, str] = {}
    entry_tag: str | None = None
    warning: str | None = None
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                if entry_tag is None:  # the first event is the root's start
                    name = _local(elem.tag)
                    entry_tag = _KINDS.get(name)
                    if entry_tag is None:
                        what = "" if name.lower() == "html" else f" (<{name}> document)"
                        raise FormatError(f"{url}: not a sitemap{what}")
                continue
            name = _local(elem.tag)
            if name == entry_tag:
                loc, date = _entry(name, elem)
                resolved = _absolute(loc, url)
                if resolved and name == "sitemap":
                    nested.setdefault(resolved)
                elif resolved and resolved not in pages:
                    pages[resolved] = None
                    if date:
                        lastmod[resolved] = date
                elem.clear()
    except DefusedXmlException as exc:
        raise FormatError(
            f"{url}: not a sitemap (XML with entity declarations or external references)"
        ) from exc
    except ParseError as exc:
        line = exc.position[0]
        if not (pages or nested):
            raise FormatError(f"{url}: not a sitemap (broken XML at line {line})") from exc
        kept = len(pages) + len(nested)
        plural = "" if kept == 1 else "s"
        warning = f"{url}: broken XML at line {line}; kept the {kept} URL{plural} read before it"
    return Sitemap(list(pages), list(nested), lastmod, warning)


def _entry(kind: str, entry: Element) -> tuple[str, str]:
    """The URL and the lastmod text (maybe empty) of one complete entry element."""
    children = {_local(child.tag): child for child in reversed(entry)}  # first one wins
    if kind == "entry":  # Atom: the alternate link (rel absent or "alternate")
        links = (c for c in entry if _local(c.tag) == "link")
        hrefs = (c.get("href", "") for c in links if c.get("rel", "alternate") == "alternate")
        return next(hrefs, ""), _text(children.get("updated"))
    loc = children.get("link" if kind == "item" else "loc")
    return _text(loc), _text(children.get("lastmod"))


def _local(tag: object) -> str:
    """Tag name without its ``{namespace}``; comments and processing instructions give ""."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(elem: Element | None) -> str:
    return "".join(elem.itertext()).strip() if elem is not None else ""


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)


def _absolute(loc: str, base: str | None) -> str | None:
    """`loc` stripped and resolved against `base`; None unless an http(s) URL with a host."""
    loc = loc.strip()
    if not _is_http(loc):  # urljoin only when needed: it dominates on 50,000-URL sitemaps
        if not loc or base is None:
            return None
        loc = urljoin(base, loc)
        if not _is_http(loc):
            return None
    host = loc.partition("://")[2]
    return loc if host[:1] not in ("", "/", "?", "#") else None


def _is_http(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))

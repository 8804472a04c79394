"""Sitemap parsing: XML sitemaps and indexes, feeds, text sitemaps, gzip, hostile input.

Broken XML is recovered: the entries complete before the break are returned and
`Sitemap.warning` names the line; with nothing complete before the break, FormatError.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest

from jobscope.errors import FormatError, InputTooLargeError
from jobscope.sitemaps import Sitemap, parse_sitemap

BASE = "https://jobs.example.com/sitemap.xml"
CAP = 1_000_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def parse(data: bytes | str, *, url: str = BASE, max_bytes: int = CAP) -> Sitemap:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_sitemap(raw, url=url, max_bytes=max_bytes)


URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{NS}">
  <url><loc>https://jobs.example.com/a</loc><lastmod>2024-05-01</lastmod></url>
  <url>
    <loc>
      https://jobs.example.com/b
    </loc>
  </url>
  <url><loc><![CDATA[https://jobs.example.com/c]]></loc><changefreq>daily</changefreq></url>
  <url><loc>https://jobs.example.com/a</loc><lastmod>2099-01-01</lastmod></url>
</urlset>
"""


def test_urlset_with_namespace_whitespace_cdata_lastmod_and_duplicates() -> None:
    sitemap = parse(URLSET)
    assert sitemap.urls == [
        "https://jobs.example.com/a",
        "https://jobs.example.com/b",
        "https://jobs.example.com/c",
    ]
    assert sitemap.sitemaps == []
    assert sitemap.lastmod == {"https://jobs.example.com/a": "2024-05-01"}
    assert sitemap.warning is None


def test_urlset_without_namespace_and_with_a_prefix() -> None:
    plain = "<urlset><url><loc>https://x.example/1</loc></url></urlset>"
    prefixed = f'<sm:urlset xmlns:sm="{NS}"><sm:url><sm:loc>https://x.example/1</sm:loc></sm:url></sm:urlset>'
    assert parse(plain).urls == parse(prefixed).urls == ["https://x.example/1"]


def test_extension_locs_inside_a_url_are_not_pages() -> None:
    doc = f"""<urlset xmlns="{NS}" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
      <url><loc>https://x.example/job</loc>
        <image:image><image:loc>https://x.example/logo.png</image:loc></image:image></url>
    </urlset>"""
    assert parse(doc).urls == ["https://x.example/job"]


def test_sitemapindex() -> None:
    doc = f"""<?xml version="1.0"?>
    <sitemapindex xmlns="{NS}">
      <sitemap><loc>https://jobs.example.com/sitemap-1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
      <sitemap><loc>/sitemap-2.xml</loc></sitemap>
    </sitemapindex>"""
    sitemap = parse(doc)
    assert sitemap.sitemaps == [
        "https://jobs.example.com/sitemap-1.xml.gz",
        "https://jobs.example.com/sitemap-2.xml",
    ]
    assert sitemap.urls == []
    assert sitemap.lastmod == {}


def test_relative_locs_resolve_and_non_http_locs_are_dropped() -> None:
    doc = """<urlset>
      <url><loc>/jobs/1</loc></url>
      <url><loc>jobs/2</loc></url>
      <url><loc>//cdn.example.com/jobs/3</loc></url>
      <url><loc>mailto:hr@example.com</loc></url>
      <url><loc>ftp://jobs.example.com/4</loc></url>
      <url><loc>   </loc></url>
      <url><lastmod>2024-01-01</lastmod></url>
    </urlset>"""
    assert parse(doc, url="https://jobs.example.com/maps/sitemap.xml").urls == [
        "https://jobs.example.com/jobs/1",
        "https://jobs.example.com/maps/jobs/2",
        "https://cdn.example.com/jobs/3",
    ]


def test_entity_escaped_ampersand_in_a_loc() -> None:
    doc = "<urlset><url><loc>https://x.example/search?q=python&amp;page=2</loc></url></urlset>"
    assert parse(doc).urls == ["https://x.example/search?q=python&page=2"]


def test_xml_declares_its_own_encoding() -> None:
    doc = '<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://x.example/k\xf6ln</loc></url></urlset>'
    assert parse(doc.encode("latin-1")).urls == ["https://x.example/köln"]
    assert parse(doc.replace("ISO-8859-1", "UTF-16").encode("utf-16")).urls == [
        "https://x.example/köln"
    ]


def test_utf8_bom_and_leading_whitespace_before_the_declaration() -> None:
    doc = b'\xef\xbb\xbf\n  <?xml version="1.0"?><urlset><url><loc>https://x.example/1</loc></url></urlset>'
    assert parse(doc).urls == ["https://x.example/1"]


def test_gzip_detected_by_magic_bytes_not_name() -> None:
    sitemap = parse(gzip.compress(URLSET.encode()), url="https://jobs.example.com/sitemap")
    assert sitemap.urls[0] == "https://jobs.example.com/a"
    assert len(sitemap.urls) == 3


def test_concatenated_gzip_members() -> None:
    half = len(URLSET) // 2
    data = gzip.compress(URLSET[:half].encode()) + gzip.compress(URLSET[half:].encode())
    assert len(parse(data).urls) == 3


def test_gzip_bomb_stops_at_the_cap_without_inflating_everything() -> None:
    big = 64 * 1024 * 1024  # 64 MB of "<" in under 300 KB of gzip, built chunk by chunk
    chunk = b"<" * (1024 * 1024)
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(packer.compress(chunk) for _ in range(big // len(chunk))) + packer.flush()
    assert len(bomb) < CAP
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLargeError, match=r"^https://evil\.example/s\.xml: .*1,000,000"):
            parse(bomb, url="https://evil.example/s.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * CAP


def test_raw_data_over_the_cap() -> None:
    with pytest.raises(InputTooLargeError, match="larger than 10 bytes"):
        parse(URLSET, max_bytes=10)


def test_broken_gzip() -> None:
    data = bytearray(gzip.compress(URLSET.encode()))
    data[20:30] = b"\xff" * 10
    with pytest.raises(FormatError, match="broken gzip"):
        parse(bytes(data))


def test_billion_laughs_is_refused_quickly() -> None:
    levels = "\n".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doc = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [
<!ENTITY lol0 "lol">
{levels}
]>
<urlset><url><loc>https://x.example/&lol9;</loc></url></urlset>"""
    started = time.monotonic()
    with pytest.raises(
        FormatError,
        match=r"^https://jobs\.example\.com/sitemap\.xml: not a sitemap \(XML with entity",
    ):
        parse(doc)
    assert time.monotonic() - started < 1


def test_external_entity_is_refused() -> None:
    doc = '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>'
    with pytest.raises(FormatError, match="entity"):
        parse(doc)


def test_broken_xml_after_two_urls_keeps_them_and_warns() -> None:
    doc = """<urlset>
<url><loc>https://x.example/1</loc></url>
<url><loc>https://x.example/2</loc></url>
<url><loc>https://x.example/3</loc></oops>
<url><loc>https://x.example/4</loc></url>
</urlset>"""
    sitemap = parse(doc)
    assert sitemap.urls == ["https://x.example/1", "https://x.example/2"]
    assert sitemap.warning == f"{BASE}: broken XML at line 4; kept the 2 URLs read before it"


def test_truncated_download_keeps_the_complete_entries() -> None:
    doc = URLSET.encode()
    truncated = doc[: doc.index(b"<url><loc><![CDATA[") + 12]
    sitemap = parse(truncated)
    assert sitemap.urls == ["https://jobs.example.com/a", "https://jobs.example.com/b"]
    assert sitemap.warning == f"{BASE}: broken XML at line 9; kept the 2 URLs read before it"
    one = parse(doc[: doc.index(b"<url>\n")])
    assert one.urls == ["https://jobs.example.com/a"]
    assert one.warning is not None and one.warning.endswith("kept the 1 URL read before it")


def test_broken_xml_before_any_url() -> None:
    doc = "<urlset>\n<url>\n<loc>https://x.example/1</loc></url\n</urlset>"
    with pytest.raises(FormatError) as caught:
        parse(doc)
    assert str(caught.value) == f"{BASE}: not a sitemap (broken XML at line 4)"


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html><html><head><title>Jobs</title></head><body><p>Hi<br></body></html>",
        "<html><body><a href='https://x.example/1'>job</a></body></html>",
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
)
def test_html_page_is_not_a_sitemap(page: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse(page)
    assert str(caught.value) == f"{BASE}: not a sitemap"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<note><to>you</to></note>", "(<note> document)"),
        (b"", "(empty)"),
        (b"  \n", "(empty)"),
        (b"%PDF-1.7\n...", "(a PDF document)"),
        (b"\x9c\xff not utf-8 text", "(text that is not UTF-8)"),
        (b"Service temporarily unavailable.\nPlease try again later.", ""),
    ],
)
def test_other_documents_are_not_sitemaps(data: bytes, reason: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse(data)
    assert str(caught.value) == f"{BASE}: not a sitemap {reason}".rstrip()
    assert "\n" not in str(caught.value)


def test_text_sitemap() -> None:
    text = (
        "\ufeffhttps://x.example/1\n"
        "\n"
        "   https://x.example/2   \r\n"
        "ftp://x.example/3\n"
        "/relative/4\n"
        "not a url\n"
        "\n"
        "https://x.example/1\n"
        "HTTP://X.example/5"
    )
    assert parse(text, url="https://x.example/sitemap.txt").urls == [
        "https://x.example/1",
        "https://x.example/2",
        "HTTP://X.example/5",
    ]


def test_gzipped_text_sitemap() -> None:
    assert parse(gzip.compress(b"https://x.example/1\n")).urls == ["https://x.example/1"]


def test_rss_feed() -> None:
    doc = """<?xml version="1.0"?>
<rss version="2.0"><channel>
  <title>Jobs</title><link>https://x.example/</link>
  <image><url>https://x.example/logo.png</url><link>https://x.example/</link></image>
  <item><title>Dev</title><link>https://x.example/jobs/1</link><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item>
  <item><title>Ops</title><link>/jobs/2</link></item>
</channel></rss>"""
    sitemap = parse(doc, url="https://x.example/feed.rss")
    assert sitemap.urls == ["https://x.example/jobs/1", "https://x.example/jobs/2"]
    assert sitemap.lastmod == {}


def test_atom_feed() -> None:
    doc = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link rel="self" href="https://x.example/feed.atom"/>
  <entry>
    <link rel="edit" href="https://x.example/api/1"/>
    <link href="https://x.example/jobs/1"/>
    <updated>2024-05-06T10:00:00Z</updated>
  </entry>
  <entry><link rel="alternate" type="text/html" href="jobs/2"/></entry>
  <entry><link rel="enclosure" href="https://x.example/2.pdf"/></entry>
</feed>"""
    sitemap = parse(doc, url="https://x.example/feed.atom")
    assert sitemap.urls == ["https://x.example/jobs/1", "https://x.example/jobs/2"]
    assert sitemap.lastmod == {"https://x.example/jobs/1": "2024-05-06T10:00:00Z"}

"""`jobscope scrape` against a real HTTP server on 127.0.0.1: what is extracted, what is
skipped, which reason is recorded, and that nothing hangs."""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, Result, Server, Stream

PAGES = FIXTURES / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = ("--allow-private", "--delay", "0", "--no-cache")


def job_page(title: str, *bullets: str) -> bytes:
    items = "".join(f"<li>{b}</li>" for b in bullets) or "<li>Du planst unseren Content</li>"
    return (
        f"<html><head><title>{title}</title></head><body><nav>Start | Jobs</nav><main>"
        f"<h1>{title}</h1><h2>Deine Aufgaben</h2><ul>{items}</ul></main></body></html>"
    ).encode()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def scrape(run: Callable[..., Result], tmp_path: Path) -> Callable[..., tuple[Result, list, list]]:
    """Run `jobscope scrape` into tmp files; return the result, the records and the errors."""
    out = tmp_path / "ads.jsonl"

    def invoke(*args: str, fast: bool = True) -> tuple[Result, list, list]:
        result = run("scrape", *args, *(FAST if fast else ()), "-o", str(out))
        return result, read_jsonl(out), read_jsonl(tmp_path / "ads.errors.jsonl")

    return invoke


def reasons(errors: list[dict[str, Any]]) -> dict[str, str]:
    return {e["url"].rsplit("/", 1)[-1]: e["reason"] for e in errors}


# --- what is extracted ---------------------------------------------------------------------------


def test_structured_data_variants_are_extracted(scrape, http_server: Server) -> None:
    for page in sorted(PAGES.glob("*.html")):
        http_server.routes[f"/jobs/{page.name}"] = (200, HTML, page.read_bytes())
    urls = [f"{http_server.url}/jobs/{p.name}" for p in sorted(PAGES.glob("*.html"))]
    result, records, errors = scrape(*urls)
    assert result.exit_code == 0, result.stderr
    assert errors == []
    by_page = {r["url"].rsplit("/", 1)[-1]: r for r in records}
    assert set(by_page) == {p.name for p in PAGES.glob("*.html")}
    sources = {name: r["source"] for name, r in by_page.items()}
    assert sources["microdata.html"] == "microdata"
    assert sources["plain.html"] == "html"
    assert all(s == "jsonld" for n, s in sources.items() if n.startswith("jsonld-"))
    for record in records:
        assert list(record)[:13] == [
            "id",
            "url",
            "title",
            "company",
            "location",
            "date_posted",
            "valid_through",
            "employment_type",
            "salary",
            "description_html",
            "description_text",
            "source",
            "fetched_at",
        ]
        assert record["title"] and record["description_text"]
    assert "JobPosting lacks" in " ".join(by_page["jsonld-broken.html"]["notes"])
    assert "notes" not in by_page["jsonld-clean.html"]
    assert "Start | Jobs" not in by_page["plain.html"]["description_text"]
    assert "written" in result.stderr and "7 written" in result.stderr


def test_a_scraped_record_is_read_by_check(
    scrape, run, http_server: Server, tmp_path: Path
) -> None:
    http_server.routes["/jobs/1"] = (200, HTML, (PAGES / "jsonld-clean.html").read_bytes())
    result, records, _ = scrape(f"{http_server.url}/jobs/1")
    assert result.exit_code == 0
    report = run("check", str(tmp_path / "ads.jsonl"), "-f", "json").json()
    assert report["title"] == records[0]["title"]
    assert report["requirements"]


def test_windows_1252_and_utf8_pages_without_charset_header(scrape, http_server: Server) -> None:
    text = "Social Media Manager (m/w/d) in München: Aufgaben für Reels, Größe zählt"
    bare = {"Content-Type": "text/html"}
    http_server.routes["/cp1252"] = (200, bare, job_page(text).decode().encode("cp1252"))
    http_server.routes["/utf8"] = (200, bare, job_page(text))
    _, records, _ = scrape(f"{http_server.url}/cp1252", f"{http_server.url}/utf8")
    titles = sorted(r["title"] for r in records)
    assert titles == [text, text]  # never mojibake from an ISO-8859-1 default


# --- listing pages and sitemaps --------------------------------------------------------------


def _listing_site(server: Server) -> None:
    server.routes["/karriere"] = (
        200,
        HTML,
        b"<html><body><h1>Offene Stellen</h1><ul class='jobs'>"
        b"<li><a href='/karriere/stelle/101'>Social Media Manager</a></li>"
        b"<li><a href='karriere/stelle/102#bewerben'>Community Manager</a></li>"
        b"<li><a href='https://elsewhere.example/stelle/9'>Partnerjob</a></li></ul>"
        b"<p><a href='/impressum'>Impressum</a> <a rel='next' href='/karriere?seite=2'>weiter</a>"
        b"</p></body></html>",
    )
    server.routes["/karriere?seite=2"] = (
        200,
        HTML,
        b"<html><body><ul class='jobs'><li><a href='/karriere/stelle/103'>Video Editor</a></li>"
        b"</ul><a href='/karriere/stelle/101'>again</a></body></html>",
    )
    for number, title in [
        (101, "Social Media Manager"),
        (102, "Community Manager"),
        (103, "Video Editor"),
    ]:
        server.routes[f"/karriere/stelle/{number}"] = (200, HTML, job_page(title))


def test_follow_links_of_a_listing_and_its_next_pages(scrape, http_server: Server) -> None:
    _listing_site(http_server)
    result, records, errors = scrape(f"{http_server.url}/karriere", "--follow", r"/stelle/\d+$")
    assert result.exit_code == 0, result.stderr
    assert sorted(r["title"] for r in records) == [
        "Community Manager",
        "Social Media Manager",
        "Video Editor",
    ]
    assert errors == []
    assert "/impressum" not in http_server.paths()  # does not match --follow
    assert all(not p.startswith("http") for p in http_server.paths())  # stayed on the site
    assert http_server.paths().count("/karriere/stelle/101") == 1


def test_follow_selector(scrape, http_server: Server) -> None:
    _listing_site(http_server)
    result, records, _ = scrape(f"{http_server.url}/karriere", "--follow-selector", "ul.jobs a")
    assert result.exit_code == 0
    assert len(records) == 3
    assert "/impressum" not in http_server.paths()


def test_bad_follow_options_are_usage_errors(run, http_server: Server) -> None:
    _listing_site(http_server)
    result = run("scrape", f"{http_server.url}/karriere", "--follow", "([", *FAST)
    assert result.exit_code == 2
    assert "not a regular expression" in result.stderr
    result = run("scrape", f"{http_server.url}/karriere", "--follow-selector", "ul[", *FAST)
    assert result.exit_code == 2
    assert "not a CSS selector" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert http_server.seen == []


def test_sitemap_from_robots_txt_with_index_gzip_and_filter(scrape, http_server: Server) -> None:
    base = http_server.url
    http_server.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow:\n\nSitemap: /sitemap_index.xml\nsitemap: /sitemap_index.xml\n"
        b"Sitemap: ftp://x.example/nope.xml\nSitemap:\n",
    )
    http_server.routes["/sitemap_index.xml"] = (
        200,
        {"Content-Type": "application/xml"},
        b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<sitemap><loc>" + base.encode() + b"/sitemap-jobs.xml.gz</loc></sitemap></sitemapindex>",
    )
    urlset = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{base}/jobs/social-media-manager</loc></url>"
        f"<url><loc>{base}/jobs/tiktok-creator</loc></url>"
        f"<url><loc>{base}/ueber-uns</loc></url>"
        "<url><loc>https://other.example/jobs/x</loc></url></urlset>"
    )
    http_server.routes["/sitemap-jobs.xml.gz"] = (
        200,
        {"Content-Type": "application/gzip"},
        gzip.compress(urlset.encode()),
    )
    http_server.routes["/jobs/social-media-manager"] = (200, HTML, job_page("Social Media Manager"))
    http_server.routes["/jobs/tiktok-creator"] = (200, HTML, job_page("TikTok Creator"))
    result, records, errors = scrape(base + "/", "--sitemap", "--follow", "/jobs/")
    assert result.exit_code == 0, result.stderr
    assert sorted(r["title"] for r in records) == ["Social Media Manager", "TikTok Creator"]
    assert "/ueber-uns" not in http_server.paths()
    # Relative, repeated, empty and non-http Sitemap lines: one sitemap index, read once.
    assert http_server.paths().count("/sitemap_index.xml") == 1
    assert "/" not in http_server.paths()
    assert errors == []


def test_broken_sitemap_is_a_failure_with_a_reason(scrape, http_server: Server) -> None:
    http_server.routes["/sitemap.xml"] = (200, HTML, b"<html><body>Kein Sitemap</body></html>")
    result, records, errors = scrape(f"{http_server.url}/sitemap.xml", "--sitemap")
    assert records == []
    assert result.exit_code == 3
    assert errors[0]["kind"] == "sitemap"
    assert errors[0]["reason"] == "content_type"


# --- robots.txt --------------------------------------------------------------------------------


def test_robots_disallow_with_wildcards(scrape, http_server: Server) -> None:
    http_server.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: jobscope\nDisallow: /*?vorschau=\nDisallow: /intern/*.html$\n\n"
        b"User-agent: *\nDisallow: /\n",
    )
    for path in ["/jobs/1", "/jobs/2?vorschau=1", "/intern/alt.html", "/intern/alt.html5"]:
        http_server.routes[path] = (200, HTML, job_page("Social Media Manager"))
    urls = [
        f"{http_server.url}{p}"
        for p in ["/jobs/1", "/jobs/2?vorschau=1", "/intern/alt.html", "/intern/alt.html5"]
    ]
    result, records, errors = scrape(*urls)
    assert result.exit_code == 1
    assert sorted(r["url"].split("/", 3)[-1] for r in records) == ["intern/alt.html5", "jobs/1"]
    assert {e["reason"] for e in errors} == {"robots_disallowed"}
    assert "/jobs/2?vorschau=1" not in http_server.paths()
    assert "/intern/alt.html" not in http_server.paths()
    assert http_server.paths()[0] == "/robots.txt"
    assert http_server.paths().count("/robots.txt") == 1
    assert "2 skipped by robots.txt" in result.stderr


def test_robots_404_allows_everything(scrape, http_server: Server) -> None:
    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    result, records, _ = scrape(f"{http_server.url}/jobs/1")
    assert result.exit_code == 0
    assert len(records) == 1
    assert http_server.paths() == ["/robots.txt", "/jobs/1"]


def test_robots_503_disallows_the_site(scrape, http_server: Server) -> None:
    http_server.routes["/robots.txt"] = (503, {"Content-Type": "text/plain"}, b"busy")
    for n in (1, 2):
        http_server.routes[f"/jobs/{n}"] = (200, HTML, job_page("Social Media Manager"))
    result, records, errors = scrape(f"{http_server.url}/jobs/1", f"{http_server.url}/jobs/2")
    assert result.exit_code == 4  # all refused
    assert records == []
    assert [e["reason"] for e in errors] == ["robots_unavailable", "robots_unavailable"]
    assert http_server.paths() == ["/robots.txt"]  # asked once, not retried, no page fetched


def test_crawl_delay_of_robots_txt_spaces_requests(scrape, http_server: Server) -> None:
    http_server.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nCrawl-delay: 0.4\n",
    )
    for n in (1, 2, 3):
        http_server.routes[f"/jobs/{n}"] = (200, HTML, job_page("Social Media Manager"))
    result, records, _ = scrape(*[f"{http_server.url}/jobs/{n}" for n in (1, 2, 3)])
    assert len(records) == 3
    times = [float(r["at"]) for r in http_server.seen if r["path"].startswith("/jobs/")]
    gaps = [b - a for a, b in pairwise(times)]
    assert min(gaps) >= 0.35, gaps
    assert http_server.in_flight[1] == 1  # never two requests at once
    assert result.exit_code == 0


def test_default_delay_spaces_requests_to_one_host(
    run, http_server: Server, tmp_path: Path
) -> None:
    for n in (1, 2):
        http_server.routes[f"/jobs/{n}"] = (200, HTML, job_page("Social Media Manager"))
    out = tmp_path / "ads.jsonl"
    urls = [f"{http_server.url}/jobs/{n}" for n in (1, 2)]
    result = run("scrape", *urls, "--allow-private", "--no-cache", "--delay", "0.3", "-o", str(out))
    assert result.exit_code == 0
    times = [float(r["at"]) for r in http_server.seen]
    assert all(b - a >= 0.25 for a, b in pairwise(times))  # robots.txt, then two pages


# --- manners and limits ------------------------------------------------------------------------


def test_user_agent_names_jobscope_version_and_project(scrape, http_server: Server) -> None:
    from jobscope import __version__

    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    scrape(f"{http_server.url}/jobs/1")
    agent = http_server.seen[-1]["user-agent"]
    assert agent.startswith(f"jobscope/{__version__} (+https://")


def test_429_with_retry_after_is_honoured(scrape, http_server: Server) -> None:
    answers = [(429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down")]

    def job() -> tuple[int, dict[str, str], bytes]:
        return answers.pop() if answers else (200, HTML, job_page("Social Media Manager"))

    http_server.routes["/jobs/1"] = job
    result, records, _ = scrape(f"{http_server.url}/jobs/1", "--set", "retry_backoff=0.01")
    assert result.exit_code == 0
    assert len(records) == 1
    times = [float(r["at"]) for r in http_server.seen if r["path"] == "/jobs/1"]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95


def test_retry_after_beyond_the_cap_fails_fast(scrape, http_server: Server) -> None:
    http_server.routes["/jobs/1"] = (429, {"Retry-After": "3600"}, b"")
    started = time.monotonic()
    result, _, errors = scrape(f"{http_server.url}/jobs/1")
    assert time.monotonic() - started < 5
    assert result.exit_code == 3
    assert errors[0]["reason"] == "rate_limited"
    assert "3600" in errors[0]["message"]


def test_5xx_is_retried_with_backoff_then_given_up(scrape, http_server: Server) -> None:
    answers = [(503, {}, b""), (502, {}, b"")]

    def flaky() -> tuple[int, dict[str, str], bytes]:
        return answers.pop() if answers else (200, HTML, job_page("Social Media Manager"))

    http_server.routes["/jobs/flaky"] = flaky
    http_server.routes["/jobs/down"] = (500, {}, b"")
    result, records, errors = scrape(
        f"{http_server.url}/jobs/flaky",
        f"{http_server.url}/jobs/down",
        "--set",
        "retry_backoff=0.01",
        "--set",
        "max_retries=2",
    )
    assert [r["url"].rsplit("/", 1)[-1] for r in records] == ["flaky"]
    assert reasons(errors) == {"down": "http_500"}
    assert http_server.paths().count("/jobs/down") == 3  # one try and two retries
    assert result.exit_code == 1


def test_slow_server_trips_the_page_deadline(scrape, http_server: Server) -> None:
    def trickle(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(100):  # a byte every 0.1 s: never a read timeout, never done
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)

    http_server.routes["/jobs/slow"] = Stream(trickle)
    started = time.monotonic()
    result, _, errors = scrape(
        f"{http_server.url}/jobs/slow", "--set", "page_deadline=1", "--set", "read_timeout=5"
    )
    assert time.monotonic() - started < 4
    assert errors[0]["reason"] == "deadline"
    assert result.exit_code == 3


def test_server_that_never_answers_times_out(scrape, http_server: Server) -> None:
    def silent(handler: Any) -> None:
        time.sleep(3)
        handler.send_response(200)
        handler.end_headers()

    http_server.routes["/jobs/silent"] = Stream(silent)
    started = time.monotonic()
    _, _, errors = scrape(
        f"{http_server.url}/jobs/silent",
        "--set",
        "read_timeout=0.3",
        "--set",
        "max_retries=1",
        "--set",
        "retry_backoff=0.01",
    )
    assert time.monotonic() - started < 2.5
    assert errors[0]["reason"] == "timeout"


def test_oversized_body_is_cut_at_the_cap(scrape, http_server: Server) -> None:
    http_server.routes["/jobs/big"] = (200, HTML, b"<p>" + b"Instagram " * 20_000 + b"</p>")
    _, records, errors = scrape(f"{http_server.url}/jobs/big", "--set", "max_input_bytes=50000")
    assert records == []
    assert errors[0]["reason"] == "too_large"


def test_gzip_bomb_counts_decoded_bytes(scrape, http_server: Server) -> None:
    bomb = gzip.compress(b"<p>" + b" " * 2_000_000 + b"</p>")
    http_server.routes["/jobs/bomb"] = (200, {**HTML, "Content-Encoding": "gzip"}, bomb)
    _, _, errors = scrape(f"{http_server.url}/jobs/bomb", "--set", "max_input_bytes=100000")
    assert len(bomb) < 100_000
    assert errors[0]["reason"] == "too_large"


def test_redirect_loop_and_image_and_missing_page(scrape, http_server: Server) -> None:
    http_server.routes["/jobs/loop"] = (302, {"Location": "/jobs/loop"}, b"")
    http_server.routes["/jobs/logo"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n")
    result, records, errors = scrape(
        f"{http_server.url}/jobs/loop",
        f"{http_server.url}/jobs/logo",
        f"{http_server.url}/jobs/gone",
    )
    assert records == []
    assert reasons(errors) == {
        "loop": "too_many_redirects",
        "logo": "content_type",
        "gone": "http_404",
    }
    assert result.exit_code == 3
    assert "3 failed" in result.stderr


def test_redirect_is_followed_and_recorded(scrape, http_server: Server) -> None:
    http_server.routes["/jobs/alt"] = (301, {"Location": "/jobs/neu"}, b"")
    http_server.routes["/jobs/neu"] = (200, HTML, job_page("Social Media Manager"))
    _, records, _ = scrape(f"{http_server.url}/jobs/alt")
    assert records[0]["url"].endswith("/jobs/neu")
    assert records[0]["requested_url"].endswith("/jobs/alt")


def test_unreachable_and_non_http_urls(scrape) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, _, errors = scrape(f"http://127.0.0.1:{port}/jobs/1", "ftp://example.org/x")
    assert result.exit_code == 3
    assert reasons(errors) == {"1": "connection", "x": "bad_url"}
    assert all("\n" not in e["message"] for e in errors)


def test_private_addresses_are_refused_without_allow_private(
    run, http_server: Server, tmp_path: Path
) -> None:
    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    out = tmp_path / "ads.jsonl"
    result = run("scrape", f"{http_server.url}/jobs/1", "--no-cache", "-o", str(out))
    assert result.exit_code == 4
    assert read_jsonl(tmp_path / "ads.errors.jsonl")[0]["reason"] == "private_address"
    assert http_server.seen == []


def test_dns_rebinding_is_caught_at_connect(
    http_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name looks public when checked and points at 127.0.0.1 when connected to."""
    from jobscope.errors import RefusedError
    from jobscope.scrape import Client
    from jobscope.settings import Settings

    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "jobs.rebind.test":
            address = next(answers, "127.0.0.1")
            return real(address, *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    http_server.routes["/jobs/1"] = (200, HTML, job_page("intern"))
    port = http_server.url.rsplit(":", 1)[1]
    settings = Settings(http_cache=False, crawl_delay=0)
    with Client(settings, obey_robots=False) as client, pytest.raises(RefusedError) as caught:
        client.fetch(f"http://jobs.rebind.test:{port}/jobs/1")
    assert caught.value.reason == "private_address"
    assert http_server.seen == []


def test_http_cache_revalidates_and_can_be_turned_off(
    run, http_server: Server, tmp_path: Path
) -> None:
    def listing() -> tuple[int, dict[str, str], bytes]:
        return (200, {**HTML, "Cache-Control": "max-age=600"}, b"<a href='/jobs/1'>SMM</a>")

    http_server.routes["/liste"] = listing
    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    cache = f"cache_dir={tmp_path / 'cache'}"
    args = (
        "scrape",
        f"{http_server.url}/liste",
        "--follow",
        "/jobs/",
        "--allow-private",
        "--delay",
        "0",
    )
    for n in range(2):
        assert run(*args, "--set", cache, "-o", str(tmp_path / f"cached{n}.jsonl")).exit_code == 0
    assert http_server.paths().count("/liste") == 1  # the second run read the cache
    assert run(*args, "--no-cache", "-o", str(tmp_path / "fresh.jsonl")).exit_code == 0
    assert http_server.paths().count("/liste") == 2


# --- resuming, output, exit codes --------------------------------------------------------------


def test_rerun_resumes_without_duplicates(scrape, http_server: Server, tmp_path: Path) -> None:
    for n in range(1, 5):
        http_server.routes[f"/jobs/{n}"] = (200, HTML, job_page(f"Social Media Manager {n}"))
    urls = [f"{http_server.url}/jobs/{n}" for n in range(1, 5)]
    first, records, _ = scrape(*urls, "--max-pages", "2")
    assert first.exit_code == 0
    assert len(records) == 2
    assert "2 left for a later run" in first.stderr
    # An interrupted write leaves half a line; the next run repairs it and goes on.
    out = tmp_path / "ads.jsonl"
    out.write_text(out.read_text(encoding="utf-8") + '{"id": "half', encoding="utf-8")
    second, records, _ = scrape(*urls)
    assert second.exit_code == 0
    assert "2 already in the output" in second.stderr
    assert sorted(r["title"] for r in records) == [f"Social Media Manager {n}" for n in range(1, 5)]
    fetched = len(http_server.seen)
    third, records, _ = scrape(*urls)
    assert third.exit_code == 0
    assert len(records) == 4
    assert len(http_server.seen) == fetched  # nothing fetched again


def test_records_go_to_stdout_without_output_file(run, http_server: Server) -> None:
    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    http_server.routes["/jobs/2"] = (500, {}, b"")
    result = run(
        "scrape",
        f"{http_server.url}/jobs/1",
        f"{http_server.url}/jobs/2",
        *FAST,
        "--set",
        "max_retries=0",
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["title"] == "Social Media Manager"
    assert "HTTP 500" in result.stderr


def test_check_url_is_not_bound_by_robots_txt(run, http_server: Server) -> None:
    """A single fetch a person asked for is not a crawl (RFC 9309 governs crawlers)."""
    http_server.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /\n",
    )
    http_server.routes["/jobs/1"] = (200, HTML, job_page("Social Media Manager"))
    result = run("check", f"{http_server.url}/jobs/1", "--allow-private", "-f", "json")
    assert result.exit_code == 0
    assert "/robots.txt" not in http_server.paths()


def test_http_cache_revalidates_with_etag(run, http_server: Server, tmp_path: Path) -> None:
    def page(handler: Any) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
            return
        body = job_page("Social Media Manager")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    http_server.routes["/jobs/1"] = Stream(page)
    url = f"{http_server.url}/jobs/1"
    cache = f"cache_dir={tmp_path / 'cache'}"
    for n in range(2):
        out = tmp_path / f"run{n}.jsonl"
        result = run(
            "scrape", url, "--allow-private", "--delay", "0", "--set", cache, "-o", str(out)
        )
        assert result.exit_code == 0
        assert read_jsonl(out)[0]["title"] == "Social Media Manager"
    asked = [r for r in http_server.seen if r["path"] == "/jobs/1"]
    assert len(asked) == 2
    assert "if-none-match" not in asked[0]
    assert asked[1]["if-none-match"] == '"v1"'  # the second run revalidated, got 304


def test_the_crawl_takes_turns_between_hosts(scrape, http_server: Server) -> None:
    """127.0.0.1 and localhost are two hosts to the crawler: while one waits out its delay, the
    other is asked, and neither ever sees two requests at once."""
    for n in range(1, 4):
        http_server.routes[f"/jobs/{n}"] = (200, HTML, job_page(f"Social Media Manager {n}"))
    port = http_server.url.rsplit(":", 1)[1]
    urls = [
        f"http://{host}:{port}/jobs/{n}" for host in ("127.0.0.1", "localhost") for n in (1, 2, 3)
    ]
    result, records, _ = scrape(
        *urls, "--allow-private", "--no-cache", "--set", "crawl_delay=0.4", fast=False
    )
    assert result.exit_code == 0, result.stderr
    assert len(records) == 6
    hosts = [r["host"].split(":")[0] for r in http_server.seen if r["path"].startswith("/jobs/")]
    assert hosts[:4] in (
        ["127.0.0.1", "localhost", "127.0.0.1", "localhost"],
        ["localhost", "127.0.0.1", "localhost", "127.0.0.1"],
    )
    for host in ("127.0.0.1", "localhost"):
        times = [float(r["at"]) for r in http_server.seen if r["host"].startswith(host)]
        assert all(b - a >= 0.35 for a, b in pairwise(times))


def test_an_output_file_that_cannot_be_written_is_a_usage_error(run, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "ads.jsonl"
    result = run("scrape", "http://127.0.0.1:9/jobs/1", "-o", str(missing), *FAST)
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"jobscope: error: cannot write {missing}: No such file or directory"
    )

"""Crawling: seed URLs, listing pages and sitemaps -> one scrape record per job page.

The crawl is one thread that takes turns between hosts: it always asks the host whose delay
has run out first, so a slow site does not hold up the others, and no host ever sees two
requests at once. Records and failures are yielded as they come; :func:`scrape` writes them
to JSONL files and can resume a crawl from its own output.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urldefrag, urljoin, urlsplit

from jobscope.errors import ExitCode, JobscopeError, UsageError
from jobscope.scrape import Client, Page
from jobscope.settings import Settings

RECORD_FIELDS = (
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
)
"""The fields of a scrape record, in the order they are written. A record may also carry
`identifier` (the posting's own id), `notes` and `requested_url` (when it was redirected)."""

REFUSALS = frozenset({"robots_disallowed", "robots_unavailable", "private_address"})
"""Reasons that are jobscope refusing to fetch, not a site failing."""


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl besides the URLs given (README "Scraping job pages")."""

    follow: str | None = None
    """Seeds are listing pages; follow their links whose URL matches this regular expression
    (with `sitemap`: keep the sitemap's URLs that match)."""
    follow_selector: str | None = None
    """Seeds are listing pages; follow the links this CSS selector picks."""
    sitemap: bool = False
    """Seeds are sitemaps (a site's root URL: the sitemaps its robots.txt names)."""
    max_pages: int | None = None
    """Fetch at most this many job and listing pages in this run."""
    cross_site: bool = False
    """Follow links and sitemap entries to other sites (off: stay on each seed's site)."""

    def __post_init__(self) -> None:
        if self.follow is not None:
            try:
                re.compile(self.follow)
            except re.error as exc:
                raise UsageError(
                    f"--follow {self.follow!r} is not a regular expression: {exc}"
                ) from exc
        if self.follow_selector is not None:
            import soupsieve  # BeautifulSoup's CSS engine

            try:
                soupsieve.compile(self.follow_selector)
            except soupsieve.SelectorSyntaxError as exc:
                raise UsageError(
                    f"--follow-selector {self.follow_selector!r} is not a CSS selector: "
                    f"{str(exc).splitlines()[0]}"
                ) from exc
        if self.max_pages is not None and self.max_pages < 1:
            raise UsageError("--max-pages must be at least 1")


@dataclass
class Failure:
    """A URL that gave no record, and why."""

    url: str
    reason: str
    message: str
    kind: str = "page"
    """page, listing or sitemap."""

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "kind": self.kind, "reason": self.reason, "message": self.message}


@dataclass
class CrawlSummary:
    written: int = 0
    """Records written in this run."""
    already_done: int = 0
    """Job pages skipped because the output holds them already."""
    listings: int = 0
    sitemaps: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    """URLs refused, by reason (robots.txt, private address)."""
    failed: Counter[str] = field(default_factory=Counter)
    """URLs that failed, by reason."""
    left_over: int = 0
    """URLs not fetched because --max-pages was reached."""

    @property
    def exit_code(self) -> ExitCode:
        """0 all ok; 1 some failed or were refused; 4 all refused; 3 nothing processed."""
        bad = sum(self.failed.values()) + sum(self.refused.values())
        good = self.written + self.already_done
        if good and not bad:
            return ExitCode.OK
        if good:
            return ExitCode.SOME_FAILED
        if bad and not self.failed:
            return ExitCode.REFUSED
        return ExitCode.NOTHING_PROCESSED

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "already_done": self.already_done,
            "listings": self.listings,
            "sitemaps": self.sitemaps,
            "refused": dict(self.refused),
            "failed": dict(self.failed),
            "left_over": self.left_over,
        }

    def line(self) -> str:
        """The summary as one line for people."""
        parts = [f"{self.written} written"]
        if self.already_done:
            parts.append(f"{self.already_done} already in the output")
        robots = self.refused["robots_disallowed"] + self.refused["robots_unavailable"]
        if robots:
            parts.append(f"{robots} skipped by robots.txt")
        if self.refused["private_address"]:
            parts.append(f"{self.refused['private_address']} refused (private address)")
        if self.failed:
            reasons = ", ".join(f"{r} {n}" for r, n in self.failed.most_common())
            parts.append(f"{sum(self.failed.values())} failed ({reasons})")
        if self.left_over:
            parts.append(f"{self.left_over} left for a later run (--max-pages)")
        return "; ".join(parts)


def record_id(url: str) -> str:
    """A record's id: stable for its URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _clean_url(url: str) -> str:
    return urldefrag(url.strip())[0]


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class Crawler:
    """One crawl: call :meth:`run` with the seed URLs and iterate over records and failures."""

    def __init__(
        self,
        settings: Settings,
        options: CrawlOptions,
        *,
        done: Iterable[str] = (),
        client: Client | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.summary = CrawlSummary()
        self._done = {_clean_url(u) for u in done}
        self._client = client
        self._queues: dict[str, deque[tuple[str, str]]] = {}
        self._seen: set[str] = set()
        self._sites: set[str] = set()
        self._pages_fetched = 0
        self._pattern = re.compile(options.follow) if options.follow else None

    @property
    def pending(self) -> int:
        """URLs found and not yet visited."""
        return sum(len(q) for q in self._queues.values())

    def run(self, seeds: Iterable[str]) -> Iterator[dict[str, Any] | Failure]:
        """Crawl from `seeds`; yield each record (a dict) and each Failure as it happens."""
        client = self._client or Client(self.settings)
        try:
            for seed in seeds:
                self._seed(_clean_url(seed))
            while self._queues:
                url, kind = self._next(client)
                if kind in {"page", "listing"} and self._limit_reached():
                    self.summary.left_over = self.pending + 1
                    return
                try:
                    outcome = self._visit(client, url, kind)
                except JobscopeError as exc:
                    outcome = Failure(url, exc.reason, str(exc), kind)
                if isinstance(outcome, Failure):
                    counter = (
                        self.summary.refused if outcome.reason in REFUSALS else self.summary.failed
                    )
                    counter[outcome.reason] += 1
                    yield outcome
                elif outcome is not None:
                    self.summary.written += 1
                    yield outcome
        finally:
            if self._client is None:
                client.close()

    # --- the frontier -------------------------------------------------------------------------

    def _seed(self, url: str) -> None:
        self._sites.add(_site(url))
        options = self.options
        if options.sitemap:
            kind = "site" if urlsplit(url).path in {"", "/"} else "sitemap"
        elif options.follow or options.follow_selector:
            kind = "listing"
        else:
            kind = "page"
        self._add(url, kind, seed=True)

    def _add(self, url: str, kind: str, *, seed: bool = False) -> None:
        url = _clean_url(url)
        if url in self._seen or (urlsplit(url).scheme not in {"http", "https"} and not seed):
            return
        if not seed and not self.options.cross_site and _site(url) not in self._sites:
            return
        self._seen.add(url)
        if kind == "page" and url in self._done:
            self.summary.already_done += 1
            return
        host = urlsplit(url).netloc.lower()
        self._queues.setdefault(host, deque()).append((url, kind))

    def _next(self, client: Client) -> tuple[str, str]:
        """The head of the queue of the host that may be asked soonest."""
        host = min(self._queues, key=lambda h: client.wait_for(self._queues[h][0][0]))
        queue = self._queues[host]
        item = queue.popleft()
        if not queue:
            del self._queues[host]
        return item

    def _limit_reached(self) -> bool:
        limit = self.options.max_pages
        return limit is not None and self._pages_fetched >= limit

    # --- visiting -----------------------------------------------------------------------------

    def _visit(self, client: Client, url: str, kind: str) -> dict[str, Any] | Failure | None:
        settings = self.settings
        if kind == "site":
            found = client.robots_sitemaps(url)
            root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
            for sitemap in found or [root + "/sitemap.xml"]:
                self._add(sitemap, "sitemap", seed=True)
            return None
        if kind == "sitemap":
            if self.summary.sitemaps >= settings.max_sitemaps:
                return Failure(
                    url,
                    "too_many_sitemaps",
                    f"{url}: more than {settings.max_sitemaps} sitemaps",
                    kind,
                )
            self.summary.sitemaps += 1
            self._read_sitemap(client, url)
            return None
        self._pages_fetched += 1
        page = client.fetch(url, accept=settings.page_content_types)
        text = _page_text(page)
        if kind == "listing":
            self.summary.listings += 1
            self._read_listing(text, page.url)
            return None
        if page.url != url and _clean_url(page.url) in self._done:
            self.summary.already_done += 1
            return None
        return _record(text, page)

    def _read_sitemap(self, client: Client, url: str) -> None:
        from jobscope.sitemaps import parse_sitemap

        settings = self.settings
        page = client.fetch(
            url, accept=settings.sitemap_content_types, max_bytes=settings.max_sitemap_bytes
        )
        sitemap = parse_sitemap(page.body, url=page.url, max_bytes=settings.max_sitemap_bytes)
        for nested in sitemap.sitemaps:
            self._add(nested, "sitemap")
        for entry in sitemap.urls:
            if self._pattern is None or self._pattern.search(entry):
                self._add(entry, "page")

    def _read_listing(self, text: str, base: str) -> None:
        from jobscope.extract import soup_of

        soup = soup_of(text)
        if self.options.follow_selector:
            anchors = soup.select(self.options.follow_selector)
            links = [a.get("href") for a in anchors]
            links += [a.get("href") for tag in anchors for a in tag.find_all("a", href=True)]
        else:
            links = [a.get("href") for a in soup.find_all("a", href=True)]
        for href in links:
            if not isinstance(href, str):
                continue
            target = _clean_url(urljoin(base, href.strip()))
            if self._pattern is None or self._pattern.search(target):
                self._add(target, "page")
        # Pagination: rel="next" on <a> or <link> leads to the next listing page.
        for tag in soup.find_all(["a", "link"], href=True):
            rel: Any = tag.get("rel") or []
            if "next" in ([rel] if isinstance(rel, str) else rel):
                self._add(urljoin(base, str(tag["href"]).strip()), "listing")


def _page_text(page: Page) -> str:
    from jobscope.decode import decode_bytes

    text, _ = decode_bytes(page.body, declared=page.charset, what=page.url, html=True)
    return text


def _record(text: str, page: Page) -> dict[str, Any]:
    from jobscope.extract import page_fields

    fields = page_fields(text, url=page.url)
    record: dict[str, Any] = {name: fields.get(name) for name in RECORD_FIELDS}
    record["id"] = record_id(page.url)
    record["url"] = page.url
    record["fetched_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if fields.get("identifier"):
        record["identifier"] = fields["identifier"]
    if fields.get("notes"):
        record["notes"] = fields["notes"]
    if page.requested_url and page.requested_url != page.url:
        record["requested_url"] = page.requested_url
    return record


# --- files -----------------------------------------------------------------------------------


def done_urls(path: Path) -> set[str]:
    """The URLs an earlier run wrote to `path` (its `url` and `requested_url` fields).

    A last line cut short by an interrupted run is removed, so appending starts on a fresh
    line; other broken lines are left as they are and skipped.
    """
    if not path.exists():
        return set()
    with path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            handle.truncate(cut)
            data = data[:cut]
    done: set[str] = set()
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict):
            done.update(str(record[k]) for k in ("url", "requested_url") if record.get(k))
    return done


def scrape(
    seeds: list[str],
    *,
    out: TextIO,
    errors: TextIO | None = None,
    settings: Settings,
    options: CrawlOptions,
    done: Iterable[str] = (),
    progress: Callable[[Crawler, dict[str, Any] | Failure], None] | None = None,
) -> CrawlSummary:
    """Crawl `seeds` and write one JSON line per record to `out` and per failure to `errors`.

    Every line is flushed as it is written, so an interrupted run loses nothing it reported.
    """
    crawler = Crawler(settings, options, done=done)
    for outcome in crawler.run(seeds):
        if isinstance(outcome, Failure):
            if errors is not None:
                line = {
                    **outcome.as_dict(),
                    "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                }
                errors.write(json.dumps(line, ensure_ascii=False) + "\n")
                errors.flush()
        else:
            out.write(json.dumps(outcome, ensure_ascii=False) + "\n")
            out.flush()
        if progress is not None:
            progress(crawler, outcome)
    return crawler.summary

"""Polite HTTP: the one client behind `check URL` and `jobscope scrape`.

Its manners, each a setting (README "Scraping job pages"):

- a User-Agent that names jobscope, its version and the project URL;
- robots.txt obeyed through Protego (wildcards, Crawl-delay); a robots.txt that answers 4xx
  allows everything, one that fails with 429, 5xx or a network error disallows the whole host
  for a while (RFC 9309, 2.3.1);
- one request at a time per host, `crawl_delay` seconds apart or the site's Crawl-delay;
- retries with exponential backoff on 429, 5xx and timeouts, honouring Retry-After up to a cap;
- connect and read timeouts and a total deadline per page (redirects, retries and body);
- a size cap counted on decoded bytes, a redirect limit, content-type allow-lists;
- an HTTP cache (CacheControl: ETag and Cache-Control revalidation) that can be turned off;
- only http and https, and no private, loopback or link-local addresses unless allowed: the
  name is checked before every hop and the connected peer again, so a DNS answer that changes
  between the two (DNS rebinding) cannot reach an internal service.

Every failure is a :class:`~jobscope.errors.JobscopeError` whose ``reason`` names it
(``timeout``, ``http_404``, ``robots_disallowed``, ``private_address`` ...).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from jobscope.errors import (
    FetchError,
    InputTooLargeError,
    JobscopeError,
    RefusedError,
    UsageError,
)
from jobscope.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import requests
    from protego import Protego

ROBOTS_TOKEN = "jobscope"
"""The product token robots.txt groups are matched against."""

_RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class Page:
    url: str
    """The final URL after redirects."""
    body: bytes
    content_type: str
    charset: str | None
    requested_url: str = ""


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, reserved, multicast and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _refuse_private(host: str, address: str) -> RefusedError:
    return RefusedError(
        f"refused: {host} resolves to the non-public address {address} "
        "(use --allow-private to fetch from it)",
        reason="private_address",
    )


def check_public_host(host: str, port: int) -> None:
    """Refuse hosts that resolve to private, loopback, link-local or reserved addresses."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}", reason="dns") from exc
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise _refuse_private(host, address)


@functools.cache
def _pool_classes(guard: bool) -> dict[str, type]:
    """urllib3 connection pools whose connections keep their socket (for the deadline
    watchdog) and, with `guard`, refuse a non-public peer right after connecting, before a
    byte of the request is sent."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def _new_conn(self: Any) -> socket.socket:
        sock: socket.socket = super(type(self), self)._new_conn()
        if guard:
            peer = str(sock.getpeername()[0])
            if not is_public_address(peer):
                sock.close()
                raise _refuse_private(self.host, peer)
        self.jobscope_socket = sock
        return sock

    http_conn = type("JobscopeHTTPConnection", (HTTPConnection,), {"_new_conn": _new_conn})
    https_conn = type("JobscopeHTTPSConnection", (HTTPSConnection,), {"_new_conn": _new_conn})
    return {
        "http": type("JobscopeHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("JobscopeHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


def _adapter(settings: Settings) -> requests.adapters.HTTPAdapter:
    """A transport adapter: cached or not, guarded against private peers unless allowed."""
    from requests.adapters import HTTPAdapter

    base: type[HTTPAdapter] = HTTPAdapter
    kwargs: dict[str, Any] = {}
    if settings.http_cache:
        from cachecontrol import CacheControlAdapter
        from cachecontrol.caches import SeparateBodyFileCache

        base = CacheControlAdapter
        kwargs["cache"] = SeparateBodyFileCache(str(settings.cache_dir / "http"))
    pools = _pool_classes(not settings.allow_private)

    class Adapter(base):  # type: ignore[valid-type,misc]
        def init_poolmanager(self, *args: Any, **kw: Any) -> None:
            super().init_poolmanager(*args, **kw)
            self.poolmanager.pool_classes_by_scheme = pools

    return Adapter(**kwargs)


@dataclass
class _Host:
    """What the client knows of one host: when it may be asked next, and its robots.txt."""

    next_at: float = 0.0
    delay: float | None = None
    robots: Protego | None = None
    robots_state: str = ""
    """"" not read yet, "ok", "missing" (4xx: allow all) or "unavailable" (disallow all)."""
    robots_problem: JobscopeError | None = None
    """Why robots.txt is "unavailable"."""
    robots_until: float = 0.0


class Client:
    """A polite HTTP client. One instance per run: it remembers hosts, robots.txt and delays.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, settings: Settings, *, obey_robots: bool = True) -> None:
        import requests

        self.settings = settings
        self.obey_robots = obey_robots
        self._hosts: dict[str, _Host] = {}
        self._session = requests.Session()
        self._session.headers.update(
            {
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/ld+json,"
                "application/json;q=0.9,application/xml;q=0.8,text/plain;q=0.8,*/*;q=0.1",
                "Accept-Language": "de,en;q=0.8",
            }
        )
        self._adapter = _adapter(settings)
        self._session.mount("http://", self._adapter)
        self._session.mount("https://", self._adapter)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # --- public -------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        accept: tuple[str, ...] | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
        robots: bool | None = None,
    ) -> Page:
        """GET `url` politely and return its body.

        `accept` is the content-type allow-list (None: the `check` list, () : any type);
        `max_bytes` caps the decoded body (default `max_input_bytes`). Raises FetchError,
        RefusedError, InputTooLargeError or UsageError, each with a `reason`.
        """
        settings = self.settings
        accept = settings.allowed_content_types if accept is None else accept
        limit = settings.max_input_bytes if max_bytes is None else max_bytes
        obey = self.obey_robots if robots is None else robots
        deadline = time.monotonic() + settings.page_deadline
        current = url
        for _hop in range(settings.max_redirects + 1):
            self._check_target(current)
            if obey:
                self.check_robots(current)
            response = self._request(current, deadline, retries)
            with response:
                location = response.headers.get("Location")
                if response.is_redirect and location:
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise FetchError(
                        f"HTTP {response.status_code} {response.reason} for {current}",
                        reason=f"http_{response.status_code}",
                    )
                header = response.headers.get("Content-Type", "")
                content_type = header.split(";")[0].strip().lower()
                if accept and content_type and content_type not in accept:
                    raise FetchError(
                        f"{current} serves {content_type}, not a job ad page",
                        reason="content_type",
                    )
                body = self._read(response, limit, current, deadline)
                return Page(
                    url=current,
                    body=body,
                    content_type=content_type,
                    charset=_charset(header),
                    requested_url=url,
                )
        raise FetchError(
            f"more than {settings.max_redirects} redirects from {url}", reason="too_many_redirects"
        )

    def check_robots(self, url: str) -> None:
        """Raise RefusedError when the site's robots.txt keeps jobscope from `url`."""
        parts = urlsplit(url)
        host = self._host(url)
        now = time.monotonic()
        if not host.robots_state or now >= host.robots_until:
            self._read_robots(f"{parts.scheme}://{parts.netloc}", host)
        problem = host.robots_problem
        if host.robots_state == "unavailable" and problem is not None:
            if not _answered(problem):
                # The host cannot be reached at all: that is the page's failure, not a refusal.
                raise FetchError(
                    f"{problem} (while reading robots.txt for {url})", reason=problem.reason
                )
            raise RefusedError(
                f"robots.txt of {parts.netloc} cannot be read ({problem}); "
                f"the site counts as disallowed for now: {url}",
                reason="robots_unavailable",
            )
        if host.robots is not None and not host.robots.can_fetch(url, ROBOTS_TOKEN):
            raise RefusedError(
                f"robots.txt of {parts.netloc} disallows {url}", reason="robots_disallowed"
            )

    def robots_sitemaps(self, url: str) -> list[str]:
        """The Sitemap lines of the robots.txt of `url`'s site (read when needed)."""
        host = self._host(url)
        if not host.robots_state:
            with contextlib.suppress(RefusedError):
                self.check_robots(url)
        if host.robots is None:
            return []
        found = (urljoin(url, s.strip()) for s in host.robots.sitemaps if s.strip())
        return list(dict.fromkeys(u for u in found if urlsplit(u).scheme in {"http", "https"}))

    def wait_for(self, url: str) -> float:
        """Seconds until `url`'s host may be asked again (0 when it may be asked now)."""
        return max(0.0, self._host(url).next_at - time.monotonic())

    # --- internals ----------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        return self._hosts.setdefault(key, _Host())

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise UsageError(f"not an http(s) URL: {url}", reason="bad_url")
        if not self.settings.allow_private:
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError as exc:
                raise UsageError(f"bad port in URL: {url}", reason="bad_url") from exc
            check_public_host(parts.hostname, port)

    def _read_robots(self, origin: str, host: _Host) -> None:
        """Fetch and parse robots.txt (RFC 9309: 4xx allows all, 429/5xx/unreachable disallows)."""
        from protego import Protego

        settings = self.settings
        try:
            page = self.fetch(
                origin + "/robots.txt",
                accept=(),
                max_bytes=settings.robots_max_bytes,
                retries=0,
                robots=False,
            )
        except (FetchError, InputTooLargeError) as exc:
            status = exc.reason.removeprefix("http_")
            if status.isdigit() and 400 <= int(status) < 500:  # 429 is "rate_limited"
                host.robots, host.robots_state, host.robots_problem = None, "missing", None
            else:
                host.robots_state, host.robots_problem = "unavailable", exc
        else:
            host.robots_problem = None
            host.robots = Protego.parse(page.body.decode("utf-8", errors="replace"))
            host.robots_state = "ok"
            delay = host.robots.crawl_delay(ROBOTS_TOKEN)
            rate = host.robots.request_rate(ROBOTS_TOKEN)
            if rate is not None and rate.requests:
                delay = max(delay or 0.0, rate.seconds / rate.requests)
            host.delay = float(delay) if delay is not None else None
        lifetime = (
            settings.robots_unavailable_wait
            if host.robots_state == "unavailable"
            else settings.robots_max_age
        )
        host.robots_until = time.monotonic() + lifetime

    def _fresh_in_cache(self, url: str) -> bool:
        controller = getattr(self._adapter, "controller", None)
        if controller is None:
            return False
        import requests

        prepared = requests.Request("GET", url, headers=self._session.headers).prepare()
        try:
            return bool(controller.cached_request(prepared))
        except Exception:  # a damaged cache entry is a miss, not a failure
            return False

    def _wait_turn(self, url: str, deadline: float) -> bool:
        """Sleep until the host may be asked again; True (and no sleep) when the cache holds a
        fresh answer, which costs the host nothing."""
        if self._fresh_in_cache(url):
            return True
        wait = self.wait_for(url)
        if wait <= 0:
            return False
        if time.monotonic() + wait > deadline:
            raise FetchError(
                f"{url}: the page deadline of {self.settings.page_deadline:g} s would pass "
                f"waiting {wait:.1f} s for the host's crawl delay",
                reason="deadline",
            )
        time.sleep(wait)
        return False

    def _timeouts(self, url: str, deadline: float) -> tuple[float, float]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(
                f"{url}: page deadline of {self.settings.page_deadline:g} s reached",
                reason="deadline",
            )
        return (
            min(self.settings.connect_timeout, remaining),
            min(self.settings.read_timeout, remaining),
        )

    def _request(self, url: str, deadline: float, retries: int | None) -> requests.Response:
        """One GET with retries on 429, 5xx and timeouts; returns the streaming response."""
        import requests

        settings = self.settings
        host = self._host(url)
        attempts = (settings.max_retries if retries is None else retries) + 1
        for attempt in range(attempts):
            fresh = self._wait_turn(url, deadline)
            retry_after: float | None = None
            try:
                response = self._session.get(
                    url,
                    timeout=self._timeouts(url, deadline),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.exceptions.Timeout:
                error = FetchError(f"timed out fetching {url}", reason="timeout")
            except requests.exceptions.RequestException as exc:
                reason = (
                    "connection"
                    if isinstance(exc, requests.exceptions.ConnectionError)
                    else "fetch"
                )
                name = urlsplit(url).hostname
                raise FetchError(
                    f"cannot reach {name}: connection failed ({url})", reason=reason
                ) from exc
            else:
                if response.status_code not in _RETRY_STATUSES:
                    if not fresh:  # a revalidation (304) was a request too
                        self._done(host, None)
                    return response
                retry_after = _retry_after(response.headers.get("Retry-After"))
                status = response.status_code
                response.close()
                error = FetchError(
                    f"HTTP {status} {response.reason} for {url}",
                    reason="rate_limited" if status == 429 else f"http_{status}",
                )
                if retry_after is not None and retry_after > settings.retry_after_max:
                    self._done(host, retry_after)
                    raise FetchError(
                        f"HTTP {status} for {url}: the server asks to wait {retry_after:.0f} s, "
                        f"longer than retry_after_max ({settings.retry_after_max:g} s)",
                        reason="rate_limited",
                    )
            backoff = settings.retry_backoff * 2**attempt
            wait = max(backoff, retry_after or 0.0)
            self._done(host, wait)
            if attempt + 1 >= attempts:
                break
            if time.monotonic() + wait > deadline:
                raise FetchError(
                    f"{error} (gave up: the page deadline of {settings.page_deadline:g} s "
                    f"would pass before the next retry)",
                    reason=error.reason,
                )
        raise error

    def _done(self, host: _Host, wait: float | None) -> None:
        """Note that the host was just asked; it may be asked again after its delay (or `wait`)."""
        delay = host.delay if host.delay is not None else self.settings.crawl_delay
        host.next_at = time.monotonic() + max(delay, wait or 0.0)

    def _read(self, response: requests.Response, limit: int, url: str, deadline: float) -> bytes:
        """The body, decompressed, up to `limit` bytes, read before the page deadline.

        A watchdog shuts the socket down at the deadline, so a server that trickles its body
        byte by byte cannot hold a read open.
        """
        import requests

        sock = _socket_of(response)
        expired = threading.Event()
        timer: threading.Timer | None = None
        if sock is not None:

            def expire() -> None:
                expired.set()
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

            timer = threading.Timer(max(0.0, deadline - time.monotonic()), expire)
            timer.daemon = True
            timer.start()
        chunks: list[bytes] = []
        size = 0
        try:
            # decode_content=True: the cap counts decompressed bytes (a gzip bomb stops at it).
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > limit:
                    raise InputTooLargeError(f"{url}: body larger than {limit:,} bytes")
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            if not expired.is_set():
                raise FetchError(
                    f"connection broke while reading {url}", reason="connection"
                ) from exc
        finally:
            if timer is not None:
                timer.cancel()
        if expired.is_set():
            raise FetchError(
                f"{url}: page deadline of {self.settings.page_deadline:g} s reached while reading",
                reason="deadline",
            )
        return b"".join(chunks)


def _answered(problem: JobscopeError) -> bool:
    """Did the server answer (an HTTP status, a rate limit, a body too large), as opposed to
    not being reachable at all?"""
    return problem.reason.startswith("http_") or problem.reason in {"rate_limited", "too_large"}


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket a response is read from (None for an answer from the cache)."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "jobscope_socket", None)
    return sock if isinstance(sock, socket.socket) else None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def fetch(url: str, settings: Settings) -> Page:
    """GET one URL the user named (`check URL`): every manner of :class:`Client` but robots.txt,
    which governs crawlers, not a single fetch a person asked for."""
    with Client(settings, obey_robots=False) as client:
        return client.fetch(url)

"""HTTP fetching. For now one polite GET for `jobscope check URL`: identifying User-Agent,
timeouts, a redirect limit checked hop by hop, a content-type allow-list, a size cap on
decoded bytes, and no private addresses unless allowed."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from jobscope.errors import FetchError, InputTooLargeError, RefusedError, UsageError
from jobscope.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import requests


@dataclass
class Page:
    url: str
    """The final URL after redirects."""
    body: bytes
    content_type: str
    charset: str | None


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def check_public_host(host: str, port: int) -> None:
    """Refuse hosts that resolve to private, loopback, link-local or reserved addresses."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise RefusedError(
                f"refused: {host} resolves to the non-public address {address} "
                "(use --allow-private to fetch from it)"
            )


def fetch(url: str, settings: Settings) -> Page:
    """GET one URL. Raises FetchError, RefusedError, InputTooLargeError or UsageError."""
    import requests  # lazy: requests costs start-up time

    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/ld+json,application/json;q=0.9,"
            "text/plain;q=0.8,*/*;q=0.1",
            "Accept-Language": "de,en;q=0.8",
        }
    )
    current = url
    for _hop in range(settings.max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise UsageError(f"not an http(s) URL: {current}")
        if not settings.allow_private:
            check_public_host(
                parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
            )
        try:
            response = session.get(
                current,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"timed out fetching {current}") from exc
        except requests.exceptions.RequestException as exc:
            reason = type(exc).__name__
            if isinstance(exc, requests.exceptions.ConnectionError):
                reason = "connection failed"
            raise FetchError(f"cannot reach {parts.hostname}: {reason} ({current})") from exc
        with response:
            if response.is_redirect and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason} for {current}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type and content_type not in settings.allowed_content_types:
                raise FetchError(f"{current} serves {content_type}, not a job ad page")
            body = _read_capped(response, settings.max_input_bytes, current)
            return Page(
                url=current,
                body=body,
                content_type=content_type,
                charset=_charset(response.headers.get("Content-Type", "")),
            )
    raise FetchError(f"more than {settings.max_redirects} redirects from {url}")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _read_capped(response: requests.Response, limit: int, url: str) -> bytes:
    import requests

    chunks: list[bytes] = []
    size = 0
    try:
        # decode_content=True: the cap counts decompressed bytes (a gzip bomb stops at the cap).
        for chunk in response.iter_content(chunk_size=65536, decode_unicode=False):
            size += len(chunk)
            if size > limit:
                raise InputTooLargeError(f"{url}: body larger than {limit:,} bytes")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"connection broke while reading {url}") from exc
    return b"".join(chunks)

"""Shared fixtures: paths, an in-process CLI runner, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

# Models rebuilt during the tests (another scikit-learn, tampered copies) never touch the user's cache.
os.environ.setdefault("JOBSCOPE_CACHE_DIR", tempfile.mkdtemp(prefix="jobscope-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADS = FIXTURES / "ads"


def ad_cases() -> list[tuple[Path, dict]]:
    """Every example and fixture ad with its hand-written expectations."""
    cases = []
    for expected in sorted([*EXAMPLES.glob("*.expected.json"), *ADS.glob("*.expected.json")]):
        stem = expected.name.removesuffix(".expected.json")
        source = next(
            p for p in expected.parent.glob(stem + ".*") if not p.name.endswith(".expected.json")
        )
        cases.append((source, json.loads(expected.read_text(encoding="utf-8"))))
    return cases


def case_ads() -> list:
    """Every example and fixture ad (see ad_cases), read as jobscope reads it (JobAd)."""
    from jobscope.ingest import load_ad

    return [load_ad(str(source)) for source, _expected in ad_cases()]


def _corpus() -> Path:
    from jobscope.resources import shipped_path

    corpus = shipped_path("corpus")
    assert corpus is not None
    return corpus


def corpus_ad_texts() -> list[str]:
    """The file of every whole ad of the shipped corpus, as written."""
    paths = sorted(_corpus().glob("ads/*/*"))
    return [path.read_text(encoding="utf-8", errors="replace") for path in paths]


def corpus_item_texts() -> list[str]:
    """The text of every labelled item of the shipped corpus."""
    from jobscope.corpus import load_corpus

    return [item.text for item in load_corpus(_corpus()).items]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `jobscope ARGS` in this process through the real entry point (cli.main)."""
    from jobscope.cli import main

    def invoke(*args: str, stdin: bytes | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsys.readouterr()
        code = exc.value.code
        return Result(int(code) if code is not None else 0, out, err)

    return invoke


# --- a real HTTP server ---------------------------------------------------------------------

Route = tuple[int, dict[str, str], bytes]


_COUNT_LOCK = threading.Lock()


class Stream:
    """A route that writes its own response (status line, headers, body) to the handler."""

    def __init__(self, write: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.write = write


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route | Callable[[], Route] | Stream]] = {}
    seen: ClassVar[list[dict[str, str]]] = []
    in_flight: ClassVar[list[int]] = [0, 0]
    """Requests being answered now, and the most ever answered at once."""

    def do_GET(self) -> None:
        self.seen.append(
            {
                "path": self.path,
                "at": repr(time.monotonic()),
                **{k.lower(): v for k, v in self.headers.items()},
            }
        )
        with _COUNT_LOCK:
            self.in_flight[0] += 1
            self.in_flight[1] = max(self.in_flight)
        try:
            self._answer()
        finally:
            with _COUNT_LOCK:
                self.in_flight[0] -= 1

    def _answer(self) -> None:
        route = self.routes.get(self.path)
        if isinstance(route, Stream):
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route.write(self)
            return
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            status, headers, body = route() if callable(route) else route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Server:
    url: str
    routes: dict[str, Route | Callable[[], Route] | Stream]
    seen: list[dict[str, str]]
    in_flight: list[int]

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        return [request["path"] for request in self.seen]


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A threaded HTTP server on 127.0.0.1 with routes a test fills in."""
    routes: dict[str, Route | Callable[[], Route] | Stream] = {}
    seen: list[dict[str, str]] = []
    in_flight = [0, 0]
    handler = type("Handler", (_Handler,), {"routes": routes, "seen": seen, "in_flight": in_flight})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}", routes, seen, in_flight)
    finally:
        server.shutdown()
        server.server_close()


def slow(seconds: float, route: Route) -> Callable[[], Route]:
    def respond() -> Route:
        time.sleep(seconds)
        return route

    return respond

"""Many ads from files, folders and globs, read as a stream of records (no network).

`jobscope batch` reads its inputs here: a JSONL file yields one record per line, a CSV file one
per row, a JSON array one per element, a folder or glob one per ad file. Nothing is read whole
(except a JSON document that is a single object), so memory stays flat however large the input.

A record that cannot be read (a broken JSON line, undecodable bytes, a line over the size cap)
becomes an error record in its place, with its line number, and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from jobscope.decode import sniff_binary
from jobscope.errors import JobscopeError
from jobscope.settings import Settings

RECORD_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
}
AD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml")
"""Files of a folder that are read as one ad each."""
_HEAD_BYTES = 65536
_JSON_READ = 1 << 20
_SURROGATE_ESCAPE = re.compile("[\udc80-\udcff]")
"""What errors="surrogateescape" makes of a byte the encoding cannot decode."""


class Record(NamedTuple):
    """One unit of work: where it comes from, and what a worker turns into an ad.

    kind: "line" (a JSONL line, payload: its text), "object" (a parsed JSON object or a CSV
    row, payload: a dict), "file" (an ad file, payload: its path) or "error" (payload:
    (reason, message), found while reading)."""

    input: str
    line: int
    """The line the record starts on (1-based); 0 for a whole file."""
    kind: str
    payload: Any
    size: int
    """Bytes the record took in its input (for progress)."""

    @property
    def location(self) -> str:
        """Where the record is, as reports and errors name it: FILE:LINE, or the file."""
        return f"{self.input}:{self.line}" if self.line else self.input


def _error(name: str, line: int, reason: str, message: str) -> Record:
    return Record(name, line, "error", (reason, message), 0)


def input_size(name: str) -> int:
    """Bytes of an input on disk (0 for stdin, globs and what cannot be read)."""
    try:
        path = Path(name)
        if path.is_dir():
            return sum(p.stat().st_size for p in _ad_files(path))
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def iter_records(inputs: list[str], *, settings: Settings | None = None) -> Iterator[Record]:
    """Records of all inputs, in order: files, folders (their ad files, sorted), globs, and
    "-" for standard input (JSONL or a JSON array)."""
    settings = settings or Settings()
    for name in inputs:
        yield from _records_of(name, settings)


def _records_of(name: str, settings: Settings) -> Iterator[Record]:
    if name == "-":
        yield from _stream_records(name, sys.stdin.buffer, "stdin", settings)
        return
    path = Path(name)
    if path.is_dir():
        files = _ad_files(path)
        if not files:
            yield _error(name, 0, "not_found", f"{name}: no {', '.join(AD_SUFFIXES)} files")
        for file in files:
            yield Record(str(file), 0, "file", str(file), file.stat().st_size)
        return
    if not path.exists() and any(ch in name for ch in "*?["):
        matches = sorted(glob.glob(name, recursive=True))  # noqa: PTH207 (absolute patterns too)
        found = [m for m in matches if Path(m).is_file()]
        if not found:
            yield _error(name, 0, "not_found", f"no files match {name}")
        for match in found:
            yield from _records_of(match, settings)
        return
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        yield _error(name, 0, "not_found", f"no such file: {name}")
        return
    except OSError as exc:
        yield _error(name, 0, "unreadable", f"cannot read {name}: {exc.strerror or exc}")
        return
    with handle:
        suffixes = [s.lower() for s in path.suffixes[-2:]]
        stream: Any = handle
        if suffixes and suffixes[-1] == ".gz":
            stream = gzip.open(handle)  # noqa: SIM115 (closed with its file)
            suffixes = suffixes[:-1]
        kind = RECORD_SUFFIXES.get(suffixes[-1] if suffixes else "")
        if kind is None:
            size = path.stat().st_size
            yield Record(name, 0, "file", name, size)
            return
        yield from _stream_records(name, stream, kind, settings)


def _ad_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in AD_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _stream_records(name: str, raw: Any, kind: str, settings: Settings) -> Iterator[Record]:
    """Records of one binary stream of JSONL, CSV or JSON ("stdin": JSONL or a JSON array)."""
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    try:
        head = buffered.peek(_HEAD_BYTES)[:_HEAD_BYTES]
    except (OSError, EOFError) as exc:  # a broken gzip stream
        yield _error(name, 0, "unreadable", f"cannot read {name}: {exc}")
        return
    binary = sniff_binary(head) if head else None
    if binary:
        message = f"{name} is {binary}, not JSONL, CSV or JSON (a gzip file must end in .gz)"
        yield _error(name, 0, "binary", message)
        return
    encoding = _encoding(head)
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")
    if kind == "stdin":
        kind = "json" if head.lstrip().startswith(b"[") else "jsonl"
    try:
        if kind == "jsonl":
            yield from _jsonl(name, text, settings.max_input_bytes)
        elif kind == "csv":
            yield from _csv(name, text, settings.max_input_bytes)
        else:
            yield from _json(name, text, settings.max_input_bytes)
    except (OSError, EOFError) as exc:  # a file cut short, a broken gzip stream
        yield _error(name, 0, "unreadable", f"{name}: reading stopped: {exc}")


def _encoding(head: bytes) -> str:
    """The encoding of a record file, from its first bytes: a byte-order mark, UTF-8, or
    what charset detection says (an export in Windows-1252 is common)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    text = head.decode("utf-8", errors="surrogateescape")
    bad = len(_SURROGATE_ESCAPE.findall(text[-4:]))
    invalid = len(_SURROGATE_ESCAPE.findall(text)) - bad  # not a cut character
    valid = sum(1 for ch in text if ord(ch) > 127) - invalid - bad
    if invalid <= valid:
        return "utf-8"  # UTF-8, perhaps with a few broken records, which fail on their own
    from charset_normalizer import from_bytes

    best = from_bytes(head, preemptive_behaviour=False).best()
    return best.encoding if best is not None and best.encoding else "utf-8"


def _undecodable(text: str) -> bool:
    """Bytes the file's encoding cannot decode were kept as lone surrogates."""
    return not text.isascii() and _SURROGATE_ESCAPE.search(text) is not None


def _jsonl(name: str, text: IO[str], limit: int) -> Iterator[Record]:
    number = 0
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            while line and not line.endswith("\n"):  # skip the rest of the line
                line = text.readline(_JSON_READ)
            yield _error(name, number, "too_large", f"line {number} is over {limit:,} characters")
            continue
        if not line.strip():
            continue
        if _undecodable(line):
            yield _error(name, number, "decode", f"line {number}: bytes are not valid text")
            continue
        yield Record(name, number, "line", line, len(line))


def _csv(name: str, text: IO[str], limit: int) -> Iterator[Record]:
    sample = text.read(_HEAD_BYTES)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(max(limit, csv.field_size_limit()))
    reader = csv.DictReader(_chained(sample, text), dialect=dialect)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        yield _error(name, 1, "format", f"{name}: broken CSV header ({exc})")
        return
    if not fieldnames:
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _error(name, start, "format", f"line {start}: broken CSV ({exc})")
            if reader.line_num < start:  # the reader cannot move on
                return
            continue
        size = sum(len(v) for v in row.values() if isinstance(v, str))
        if any(isinstance(v, str) and _undecodable(v) for v in row.values()):
            yield _error(name, start, "decode", f"line {start}: bytes are not valid text")
            continue
        yield Record(name, start, "object", {k: v for k, v in row.items() if k}, size)


def _chained(sample: str, rest: IO[str]) -> Iterator[str]:
    """The lines of the sniffed sample, then of the rest of the stream."""
    lines = io.StringIO(sample, newline="")
    while True:
        line = lines.readline()
        if not line.endswith(("\n", "\r")):
            line += rest.readline()  # the sample's last line was cut short, or it is used up
            if not line:
                return
        yield line


def _json(name: str, text: IO[str], limit: int) -> Iterator[Record]:
    """A JSON array, streamed element by element; any other JSON document read whole."""
    buf = text.read(_JSON_READ)
    start = len(buf) - len(buf.lstrip())
    if not buf.startswith("[", start):
        yield from _json_document(name, buf + text.read(limit + 1 - len(buf)), limit)
        return
    decoder = json.JSONDecoder()
    pos, line, eof = start + 1, 1 + buf.count("\n", 0, start), False
    while True:
        pos, line = _skip(buf, pos, line)
        if pos >= len(buf) and not eof:
            more = text.read(_JSON_READ)
            buf, pos, eof = buf[pos:] + more, 0, not more
            continue
        if pos >= len(buf):
            yield _error(name, line, "format", f"line {line}: the JSON array is not closed")
            return
        if buf[pos] == "]":
            return
        try:
            value, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if not eof and len(buf) - pos <= limit:
                more = text.read(_JSON_READ)
                buf, pos, eof = buf[pos:] + more, 0, not more
                continue
            if len(buf) - pos > limit:
                message = f"line {line}: an element is over {limit:,} characters"
                yield _error(name, line, "too_large", message + "; the rest is not read")
            else:
                at = line + buf.count("\n", pos, exc.pos)
                message = f"line {at}: broken JSON ({exc.msg}); the rest of {name} is not read"
                yield _error(name, line, "format", message)
            return
        chunk = buf[pos:end]
        if _undecodable(chunk):
            yield _error(name, line, "decode", f"line {line}: bytes are not valid text")
        elif isinstance(value, dict):
            yield Record(name, line, "object", value, len(chunk))
        else:
            kind = type(value).__name__
            yield _error(name, line, "format", f"line {line}: expected a JSON object, got {kind}")
        line += chunk.count("\n")
        pos = end


def _skip(buf: str, pos: int, line: int) -> tuple[int, int]:
    """Past white space and one separating comma."""
    while pos < len(buf) and (buf[pos].isspace() or buf[pos] == ","):
        if buf[pos] == "\n":
            line += 1
        pos += 1
    return pos, line


def _json_document(name: str, whole: str, limit: int) -> Iterator[Record]:
    """A JSON object: a single record, a JobPosting graph, or {"jobs": [...]}."""
    from jobscope.ingest import iter_records as records_of_text

    if len(whole) > limit:
        yield _error(name, 0, "too_large", f"{name} is a JSON object over {limit:,} characters")
        return
    if not whole.strip():
        return
    try:
        values = list(records_of_text(whole, kind="json", what=name))  # the text is read already
        share = len(whole) // max(len(values), 1)  # each record's part of it, for progress
        for number, value in values:
            if isinstance(value, dict):
                yield Record(name, number, "object", value, share)
            else:
                kind = type(value).__name__
                yield _error(
                    name, number, "format", f"record {number}: expected an object, got {kind}"
                )
    except JobscopeError as exc:
        yield _error(name, 0, exc.reason, str(exc))

"""Where batch results go: JSONL reports, flat CSV rows, Parquet; and reading them back to
resume an interrupted run.

JSONL holds the whole report per ad (the report contract). CSV and Parquet hold one flat row
per ad (:data:`COLUMNS`), the same row the corpus summary counts. A CSV cell that a spreadsheet
would run as a formula is escaped with a leading apostrophe.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from jobscope.errors import UsageError
from jobscope.model import SPECIALISMS

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "company",
    "location",
    "url",
    "date_posted",
    "language",
    "social_media_role",
    "primary_specialism",
    "demanded_specialisms",
    *SPECIALISMS,
    "requirements",
    "networks_demanded",
    "networks_mentioned",
    "flags",
    "score",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_unit",
    "fingerprint",
    "source_kind",
    "source_location",
)
"""The flat row of one ad: lists are joined with ";", shares are the specialism profile."""
_TYPES = {
    "social_media_role": "bool",
    **dict.fromkeys(SPECIALISMS, "float"),
    "requirements": "int",
    "score": "int",
    "salary_min": "float",
    "salary_max": "float",
}
"""Column types other than text (Parquet's schema; CSV cells are read back as text)."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""A cell starting with one of these runs as a formula in Excel, LibreOffice or Google Sheets
(OWASP "CSV injection"; the full-width forms too)."""


def column_type(column: str) -> str:
    """bool, float, int or str."""
    return _TYPES.get(column, "str")


def flatten(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report (``Report.to_dict()``) -> its flat row."""
    salary = report.get("salary") or {}
    source = report.get("source") or {}
    shares = report.get("specialisms") or {}
    return {
        "id": report.get("id"),
        "title": _one_line(report.get("title")),
        "company": _one_line(report.get("company")),
        "location": _one_line(report.get("location")),
        "url": report.get("url"),
        "date_posted": report.get("date_posted"),
        "language": report.get("language"),
        "social_media_role": report.get("social_media_role"),
        "primary_specialism": report.get("primary_specialism"),
        "demanded_specialisms": ";".join(report.get("demanded_specialisms") or []),
        **{name: shares.get(name, 0.0) for name in SPECIALISMS},
        "requirements": len(report.get("requirements") or []),
        "networks_demanded": ";".join((report.get("networks") or {}).get("demanded") or []),
        "networks_mentioned": ";".join((report.get("networks") or {}).get("mentioned") or []),
        "flags": ";".join(flag["code"] for flag in report.get("flags") or []),
        "score": report.get("score"),
        "salary_min": salary.get("min"),
        "salary_max": salary.get("max"),
        "salary_currency": salary.get("currency"),
        "salary_unit": salary.get("unit"),
        "fingerprint": report.get("fingerprint"),
        "source_kind": source.get("kind"),
        "source_location": source.get("location"),
    }


def _one_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def escape_formula(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """The cell as it was before :func:`escape_formula` (for rows read back on --resume)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def format_of(path: Path | None, chosen: str | None) -> str:
    """The output format: the one chosen, else the file's suffix, else JSONL."""
    if chosen:
        return chosen
    if path is None:
        return "jsonl"
    suffix = path.suffix.lower().lstrip(".")
    if suffix in {"jsonl", "ndjson", "json"}:
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise UsageError(f"--output {path}: cannot tell the format from {path.suffix!r}; pass --format")


class Sink:
    """Writes results in input order and flushes per chunk, so an interrupted run keeps every
    line it wrote (a last line cut short is removed when the run is resumed)."""

    def write(self, line: str | None, row: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """After each chunk."""

    def finish(self) -> None:
        """After the last record of a run that was not interrupted."""

    def close(self) -> None:
        """Always, last."""


class _TextSink(Sink):
    """A sink on a text stream, which it closes unless it is standard output (`owned`)."""

    def __init__(self, out: IO[str], *, owned: bool) -> None:
        self.out = out
        self.owned = owned

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        if self.owned:
            self.out.close()


class JsonlSink(_TextSink):
    def write(self, line: str | None, row: Mapping[str, Any]) -> None:  # noqa: ARG002
        assert line is not None
        self.out.write(line + "\n")


class CsvSink(_TextSink):
    def __init__(self, out: IO[str], *, owned: bool, header: bool) -> None:
        super().__init__(out, owned=owned)
        self.writer = csv.writer(out, lineterminator="\n")
        if header:
            self.writer.writerow(COLUMNS)

    def write(self, line: str | None, row: Mapping[str, Any]) -> None:  # noqa: ARG002
        self.writer.writerow([escape_formula(_cell(row.get(c))) for c in COLUMNS])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split()) if "\n" in value or "\r" in value else value
    return value


class ParquetSink(Sink):
    """Rows go to a JSONL side file first (`NAME.partial.jsonl`), which survives an interrupted
    run; a finished run turns it into the Parquet file, one row group per chunk of rows."""

    ROW_GROUP = 50_000

    def __init__(self, path: Path, side: IO[str]) -> None:
        self.path = path
        self.side = side

    def write(self, line: str | None, row: Mapping[str, Any]) -> None:  # noqa: ARG002
        self.side.write(json.dumps(row, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self.side.flush()

    def finish(self) -> None:
        self.side.close()
        side = Path(self.side.name)
        write_parquet(_jsonl_rows(side), self.path, group=self.ROW_GROUP)
        side.unlink()

    def close(self) -> None:
        self.side.close()


def side_file(path: Path) -> Path:
    """The JSONL side file of a Parquet output."""
    return path.with_name(path.name + ".partial.jsonl")


def parquet_module() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise UsageError(
            "Parquet output needs pyarrow: pip install 'jobscope-ads[parquet]'"
        ) from exc
    return pyarrow


def _arrow_schema(pa: Any) -> Any:
    kinds = {"bool": pa.bool_(), "float": pa.float64(), "int": pa.int64()}
    return pa.schema([(c, kinds.get(_TYPES.get(c, ""), pa.string())) for c in COLUMNS])


def write_parquet(rows: Iterator[Mapping[str, Any]], path: Path, *, group: int) -> None:
    """Flat rows -> a Parquet file, written a row group at a time."""
    pa = parquet_module()
    schema = _arrow_schema(pa)
    tmp = path.with_name(path.name + ".tmp")
    with pa.parquet.ParquetWriter(tmp, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append({c: _typed(c, row.get(c)) for c in COLUMNS})
            if len(batch) >= group:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    tmp.replace(path)


def _typed(column: str, value: Any) -> Any:
    """A cell as its column's type (rows read back from CSV hold text)."""
    if value in (None, ""):
        return None
    kind = _TYPES.get(column)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in {"true", "1"}
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(float(value))
    return str(value)


def _jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        yield from _objects(handle)


def cut_partial_line(path: Path) -> None:
    """Remove a last line that an interrupted run left without its newline."""
    with path.open("rb+") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if not size:
            return
        step = min(size, 1 << 16)
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        end = size
        while end > 0:
            start = max(0, end - step)
            handle.seek(start)
            block = handle.read(end - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                handle.truncate(start + cut + 1)
                return
            end = start
        handle.truncate(0)


def earlier_rows(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    """The flat rows of an earlier run's output, in order, for `--resume` (a last line cut
    short is removed first; broken lines are skipped)."""
    if fmt == "parquet":
        yield from _earlier_parquet(path)
        return
    if not path.exists():
        return
    cut_partial_line(path)
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            for row in csv.DictReader(handle):
                yield {k: unescape_formula(v) if isinstance(v, str) else v for k, v in row.items()}
            return
        yield from map(flatten, _objects(handle))


def _earlier_parquet(path: Path) -> Iterator[dict[str, Any]]:
    side = side_file(path)
    if not side.exists() and path.exists():  # a finished run: continue from its rows
        pa = parquet_module()
        with side.open("w", encoding="utf-8") as out:
            for batch in pa.parquet.ParquetFile(path).iter_batches():
                for row in batch.to_pylist():
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if not side.exists():
        return
    cut_partial_line(side)
    with side.open(encoding="utf-8") as handle:
        yield from _objects(handle)


def _objects(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects of JSONL lines; broken lines are skipped."""
    for line in lines:
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            yield value


def open_sink(path: Path | None, fmt: str, *, append: bool) -> Sink:
    """The sink of a run; `append` continues an earlier output (`--resume`)."""
    if fmt == "parquet":
        if path is None:
            raise UsageError("Parquet output needs a file: pass --output NAME.parquet")
        parquet_module()
        side = side_file(path)
        return ParquetSink(path, side.open("a" if append else "w", encoding="utf-8"))
    if path is None:
        out: IO[str] = sys.stdout
        header = True
    else:
        header = not (append and path.exists() and path.stat().st_size > 0)
        out = path.open("a" if append else "w", encoding="utf-8", newline="")
    if fmt == "csv":
        return CsvSink(out, owned=path is not None, header=header)
    return JsonlSink(out, owned=path is not None)

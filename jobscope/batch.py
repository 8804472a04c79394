"""Many ads: records -> workers -> reports in input order, with errors, resume and engines.

The main process only reads records (jobscope.records) and writes results (jobscope.sinks);
the work happens in :func:`analyze_records`, the per-partition function: records -> ads ->
one model call for all their items -> reports, output lines and flat rows. The same function
runs in-process (`--jobs 1`), in worker processes that each load the model once (`--jobs N`),
on a Dask cluster (`--engine dask`), or under Spark (:func:`analyze_rows`, README).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, NamedTuple

from jobscope.errors import ExitCode, JobscopeError, UsageError
from jobscope.records import Record, input_size, iter_records
from jobscope.settings import Settings
from jobscope.sinks import (
    COLUMNS,
    Sink,
    column_type,
    earlier_rows,
    flatten,
    format_of,
    open_sink,
    side_file,
)

ENGINES = ("local", "dask")


class Outcome(NamedTuple):
    """What became of one record: a report (`line` for JSONL, `row` for everything else) or
    an error (`reason`, `message`)."""

    input: str
    line: int
    location: str
    output: str | None
    row: dict[str, Any] | None
    reason: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    def error_record(self) -> dict[str, Any]:
        """The line of the errors file."""
        return {
            "input": self.input,
            "line": self.line or None,
            "location": self.location,
            "reason": self.reason,
            "message": self.message,
        }


# --- the per-partition function -----------------------------------------------------------


def analyze_records(
    records: Sequence[Record],
    *,
    settings: Settings,
    fields: Mapping[str, str] | None = None,
    json_lines: bool = True,
    classifier: Any = None,
) -> list[Outcome]:
    """Analyse a partition of records; one outcome per record, in order. Never raises for a
    bad record: its error takes its place, so a batch never loses the others."""
    from jobscope.analyze import analyze_ads

    ads = [_ad_of(record, settings, fields) for record in records]
    try:
        reports = analyze_ads(ads, settings=settings, classifier=classifier)
    except Exception:  # a bug met by one ad: analyse one by one to keep the others
        reports = [_one(ad, settings, classifier) for ad in ads]
    return [_outcome(r, report, json_lines) for r, report in zip(records, reports, strict=True)]


def _one(ad: Any, settings: Settings, classifier: Any) -> Any:
    from jobscope.analyze import analyze_ads

    try:
        return analyze_ads([ad], settings=settings, classifier=classifier)[0]
    except Exception as exc:  # reported as this record's error
        return _internal(exc)


def _internal(exc: Exception) -> JobscopeError:
    """A bug met by one record, reported as its error so that the batch goes on."""
    return JobscopeError(f"internal error: {type(exc).__name__}: {exc}", reason="internal")


def _ad_of(record: Record, settings: Settings, fields: Mapping[str, str] | None) -> Any:
    """A record -> JobAd, or the JobscopeError that says why it is not one."""
    from jobscope.ingest import content_id, load_ad, record_to_ad

    where = record.location
    try:
        if record.kind == "error":
            reason, message = record.payload
            return JobscopeError(message, reason=reason)
        if record.kind == "file":
            ad = load_ad(record.payload, settings=settings)
        else:
            data = record.payload
            if record.kind == "line":
                try:
                    data = json.loads(data)
                except json.JSONDecodeError as exc:
                    return JobscopeError(f"broken JSON ({exc.msg})", reason="broken_json")
            ad = record_to_ad(data, source_kind="record", location=where, fields=fields)
        if not ad.id:
            ad.id = content_id(ad.title + "\n" + ad.description)
        return ad
    except JobscopeError as exc:
        return exc
    except Exception as exc:  # reported as this record's error
        return _internal(exc)


_JSON_LINE = json.JSONEncoder(ensure_ascii=False)
"""json.dumps(..., ensure_ascii=False), without building an encoder for every report."""


def _outcome(record: Record, report: Any, json_lines: bool) -> Outcome:
    if isinstance(report, JobscopeError):
        message = str(report).removeprefix(record.location + ": ")
        return Outcome(
            record.input, record.line, record.location, None, None, report.reason, message
        )
    data = report.to_dict()
    output = _JSON_LINE.encode(data) if json_lines else None
    return Outcome(record.input, record.line, record.location, output, flatten(data))


def analyze_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    settings: Settings | None = None,
    fields: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Records (dicts with the usual job-board field names) -> flat rows (sinks.COLUMNS plus
    `error_reason` and `error_message`), for engines that hand over rows, such as Spark's
    `mapInPandas` (README)."""
    work = _Work(settings or Settings(), fields, json_lines=False)
    records = (
        Record("rows", number, "object", {k: v for k, v in row.items() if not _nan(v)}, 0)
        for number, row in enumerate(rows, start=1)
    )
    for chunk in _chunks(records, work.settings.batch_chunk_size):
        for outcome in work.run(chunk):
            row_out = dict(outcome.row) if outcome.row else dict.fromkeys(COLUMNS)
            row_out["error_reason"] = outcome.reason
            row_out["error_message"] = outcome.message
            yield row_out


def _nan(value: Any) -> bool:
    """pandas' missing value in a float column."""
    return isinstance(value, float) and value != value


def row_schema() -> str:
    """The rows of :func:`analyze_rows` as a DDL schema string (Spark's `mapInPandas`)."""
    names = {"bool": "boolean", "float": "double", "int": "bigint", "str": "string"}
    columns = [f"{c} {names[column_type(c)]}" for c in COLUMNS]
    return ", ".join([*columns, "error_reason string", "error_message string"])


# --- engines: where analyze_records runs ----------------------------------------------------

Chunk = list[Record]


@dataclass
class _Work:
    """What every partition is analysed with; the model comes from analyze's per-process
    cache, so each process loads it once."""

    settings: Settings
    fields: Mapping[str, str] | None
    json_lines: bool

    def run(self, chunk: Chunk) -> list[Outcome]:
        return analyze_records(
            chunk, settings=self.settings, fields=self.fields, json_lines=self.json_lines
        )


_WORKER: dict[str, Any] = {}

_YOUNG_OBJECTS = 20_000
"""The garbage collector's first threshold while a batch runs (Python's default is 700)."""


def _collect_less() -> tuple[int, int, int]:
    """Have the cyclic garbage collector run less often (a batch's process); the old
    thresholds, to restore.

    Its first threshold counts container objects made and not yet freed: the reports of a
    chunk (requirements, sections, flags, dicts) pass Python's default of 700 many times, and
    each collection scans them again, about 5 % of a batch's time. Objects without cycles are
    freed as before; cyclic garbage waits for a few more allocations. A collector that is
    switched off (threshold 0) stays off."""
    import gc

    old = gc.get_threshold()
    if old[0]:
        gc.set_threshold(max(old[0], _YOUNG_OBJECTS), *old[1:])
    return old


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """_collect_less while a batch runs in this process; the old thresholds afterwards."""
    import gc

    old = _collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _init_worker(work: _Work) -> None:
    """A worker process: ignore Ctrl-C (the main process stops the run), collect garbage less
    often and load the model once."""
    import signal

    from jobscope.analyze import get_classifier

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _collect_less()  # for the worker's whole life
    _WORKER["work"] = work
    get_classifier(work.settings)  # at start-up, not in the first chunk


def _work_chunk(chunk: Chunk) -> list[Outcome]:
    work: _Work = _WORKER["work"]
    return work.run(chunk)


def _dask_chunk(chunk: Chunk, work: _Work) -> list[Outcome]:
    return work.run(chunk)


def _run_inline(chunks: Iterator[Chunk], work: _Work) -> Iterator[list[Outcome]]:
    for chunk in chunks:
        yield work.run(chunk)


def _run_processes(chunks: Iterator[Chunk], work: _Work, jobs: int) -> Iterator[list[Outcome]]:
    """Worker processes, each with the model loaded once; results in input order, with a
    bounded number of chunks in flight so memory stays flat. A worker that dies costs only
    the record it died on (see _Workers.settle)."""
    workers = _Workers(work, jobs)
    limit = jobs * work.settings.batch_chunks_in_flight
    pending: deque[tuple[Chunk, Any]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, workers.submit(chunk)))
            if len(pending) >= limit:
                yield workers.settle(pending)
        while pending:
            yield workers.settle(pending)
    except WorkerCrashError as stop:
        # The records that ran before the run gave up, and the ones that killed a worker,
        # are written (the latter to the errors file) before the error ends the run; the
        # chunks still in flight are left to --resume.
        if stop.outcomes:
            yield stop.outcomes
        raise
    finally:
        for _chunk, future in pending:
            future.cancel()
        workers.close()


_WORKER_IMPORTS = (
    "jobscope.batch",
    "jobscope.analyze",
    "jobscope.train",
    "jobscope.features",
    "sklearn.pipeline",
    "sklearn.linear_model",
    "sklearn.multiclass",
    "sklearn.preprocessing",
    "sklearn.feature_extraction.text",
    "scipy.sparse",
    "joblib",
)
"""What a worker imports to load the model (the forkserver imports them once; a missing
one only costs time)."""

_CRASHES_IN_A_ROW = 3
"""Records in a row that each kill a worker on their own before a run gives up: by then the
workers themselves are broken (they cannot start, or the machine is out of memory)."""


class WorkerCrashError(JobscopeError):
    """Worker processes keep dying, whatever record they are given."""

    default_reason = "worker_crashed"
    exit_code = ExitCode.SOME_FAILED

    def __init__(self, message: str, *, outcomes: list[Outcome] | None = None) -> None:
        super().__init__(message)
        self.outcomes: list[Outcome] = outcomes or []
        """What the chunk it stopped in gave before it stopped: the records that ran alone
        without harm, and those that killed a worker (reason `worker_crashed`)."""


class _Workers:
    """A pool of worker processes that is started anew when one of them dies.

    A worker killed in the middle of a chunk (a crash in native code, the out-of-memory
    killer, a kill signal) breaks the whole pool, and every chunk in flight is lost with it,
    whichever chunk was the cause. So the chunk whose turn it is runs again alone in a new
    pool; if it kills a worker again, its records run one at a time, and the one that kills a
    worker becomes that record's error (reason `worker_crashed`) while the others are kept.
    The other chunks in flight are then sent again."""

    def __init__(self, work: _Work, jobs: int) -> None:
        self.work, self.jobs = work, jobs
        self.crashes_in_a_row = 0
        self.broken = False
        self.pool = self._start()

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context: Any = multiprocessing.get_context("spawn")
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has imported what loading the model imports,
            # so a worker, and a pool started anew after a crash, is ready in a fraction of
            # the time. (Only imports: the server holds no model and no state of a run.)
            context.set_forkserver_preload(list(_WORKER_IMPORTS))
        return ProcessPoolExecutor(self.jobs, context, _init_worker, (self.work,))

    def submit(self, chunk: Chunk) -> Any:
        return self.pool.submit(_work_chunk, chunk)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _fresh(self) -> None:
        """A new pool in place of a broken one (its workers died)."""
        if self.broken:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = self._start()
            self.broken = False

    def _alone(self, chunk: Chunk) -> list[Outcome] | None:
        """The chunk's outcomes from a pool that runs nothing else, None when it kills a
        worker there too."""
        from concurrent.futures.process import BrokenProcessPool

        self._fresh()
        try:
            outcomes: list[Outcome] = self.submit(chunk).result()
        except BrokenProcessPool:
            self.broken = True
            return None
        self.crashes_in_a_row = 0
        return outcomes

    def settle(self, pending: deque[tuple[Chunk, Any]]) -> list[Outcome]:
        """The outcomes of the first chunk in flight, surviving dead workers."""
        from concurrent.futures.process import BrokenProcessPool

        chunk, future = pending.popleft()
        try:
            outcomes: list[Outcome] = future.result()
            self.crashes_in_a_row = 0
            return outcomes
        except BrokenProcessPool:
            self.broken = True
        logging.getLogger("jobscope").warning(
            "a worker process died; the records it had run again in new workers"
        )
        found = self._alone(chunk)
        if found is None:
            found = []
            for record in chunk:  # (a chunk of one record has just run alone)
                alone = self._alone([record]) if len(chunk) > 1 else None
                if alone is None:
                    alone = [self._crashed(record)]
                    if self.crashes_in_a_row >= _CRASHES_IN_A_ROW:
                        raise self._gave_up(record, found + alone)
                found.extend(alone)
        self._fresh()
        for index, (waiting, earlier) in enumerate(pending):
            if not _succeeded(earlier):  # lost with the old pool
                pending[index] = (waiting, self.submit(waiting))
        return found

    def _gave_up(self, record: Record, outcomes: list[Outcome]) -> WorkerCrashError:
        return WorkerCrashError(
            f"worker processes keep dying ({self.crashes_in_a_row} records in a row each "
            f"killed one alone, the last {record.location}); the results so far are "
            "written: fix the cause (memory?) and re-run with --resume",
            outcomes=outcomes,
        )

    def _crashed(self, record: Record) -> Outcome:
        self.crashes_in_a_row += 1
        return Outcome(
            record.input,
            record.line,
            record.location,
            None,
            None,
            "worker_crashed",
            "the worker process analysing this record died (a crash or out of memory)",
        )


def _succeeded(future: Any) -> bool:
    return bool(future.done() and not future.cancelled() and future.exception() is None)


def _run_dask(
    chunks: Iterator[Chunk], work: _Work, jobs: int, scheduler: str | None
) -> Iterator[list[Outcome]]:
    """The same per-partition function on a Dask cluster: the one at `scheduler`, or a local
    cluster of `jobs` single-threaded worker processes."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError("--engine dask needs Dask: pip install 'jobscope-ads[dask]'") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot reach it ({exc})") from exc
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        shared = client.scatter(work, broadcast=True)
        limit = (
            max(len(client.scheduler_info()["workers"]), 1) * work.settings.batch_chunks_in_flight
        )
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(client.submit(_dask_chunk, chunk, shared, pure=False))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _chunks(records: Iterator[Record], size: int) -> Iterator[Chunk]:
    while True:
        chunk = list(islice(records, size))
        if not chunk:
            return
        yield chunk


# --- a run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOptions:
    """How a batch run reads, where it runs, and where its results go."""

    output: Path | None = None
    """None: JSONL reports on standard output."""
    format: str | None = None
    """jsonl, csv or parquet; None: from the output's suffix."""
    errors: Path | None = None
    """The errors file; None: beside the output (NAME.errors.jsonl), or stderr."""
    fields: Mapping[str, str] = field(default_factory=dict)
    jobs: int = 1
    engine: str = "local"
    scheduler: str | None = None
    resume: bool = False
    overwrite: bool = False
    dedupe: bool = True

    def errors_path(self) -> Path | None:
        if self.errors is not None or self.output is None:
            return self.errors
        stem = self.output.name
        for suffix in (".jsonl", ".ndjson", ".json", ".csv", ".parquet"):
            stem = stem.removesuffix(suffix)
        return self.output.with_name(stem + ".errors.jsonl")


@dataclass
class BatchResult:
    """What a run did: counts for this run, the corpus summary (earlier runs included)."""

    analysed: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    resumed: int = 0
    """Records an earlier run had written, skipped by --resume."""
    seconds: float = 0.0
    summary: Any = None

    @property
    def exit_code(self) -> ExitCode:
        failed = sum(self.failed.values())
        if self.analysed == 0 and self.resumed == 0:
            return ExitCode.NOTHING_PROCESSED
        return ExitCode.SOME_FAILED if failed else ExitCode.OK

    def line(self) -> str:
        """The one-line report on stderr."""
        failed = sum(self.failed.values())
        parts = [f"{self.analysed:,} ads analysed"]
        if failed:
            reasons = ", ".join(f"{k} {v:,}" for k, v in self.failed.most_common())
            parts.append(f"{failed:,} failed ({reasons})")
        if self.resumed:
            parts.append(f"{self.resumed:,} already in the output")
        if self.summary is not None and self.summary.reposts:
            parts.append(f"{self.summary.reposts:,} reposts counted once in the summary")
        if self.seconds > 0 and self.analysed:
            parts.append(f"{self.analysed / self.seconds:,.0f} ads/s")
        return "; ".join(parts)


Progress = Callable[[int, int, int], None]
"""Called after each chunk with (records done, records failed, bytes read so far)."""


def run_batch(
    inputs: list[str],
    *,
    options: BatchOptions,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_error: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Analyse every record of `inputs` and write the results in input order.

    Raises UsageError for options that cannot work (an existing output without --resume or
    --overwrite, an unknown engine); bad records are counted and written to the errors file.
    """
    from jobscope.summary import Summary

    settings = settings or Settings()
    fmt = format_of(options.output, options.format)
    _check(options, fmt)
    summary = Summary(dedupe=options.dedupe)
    result = BatchResult(summary=summary)
    done: set[str] = set()
    if options.resume and options.output is not None:
        for row in earlier_rows(options.output, fmt):
            done.add(str(row.get("source_location")))
            summary.add(row)
    errors_path = options.errors_path()
    try:
        sink = open_sink(options.output, fmt, append=options.resume)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror}") from exc
    try:
        errors_out = _open_errors(errors_path)
    except UsageError:
        sink.close()
        raise
    work = _Work(settings, dict(options.fields) or None, json_lines=fmt == "jsonl")
    read = [0]

    def fresh() -> Iterator[Record]:
        for record in iter_records(inputs, settings=settings):
            read[0] += record.size
            if done and record.location in done:
                result.resumed += 1
                continue
            yield record

    start = time.perf_counter()
    with _fewer_collections():
        try:
            chunks = _chunks(fresh(), settings.batch_chunk_size)
            for outcomes in _engine(chunks, work, options):
                for outcome in outcomes:
                    if outcome.ok:
                        sink.write(outcome.output, outcome.row or {})
                        summary.add(outcome.row or {})
                        result.analysed += 1
                    else:
                        result.failed[outcome.reason or "error"] += 1
                        summary.add_failure(outcome.reason or "error")
                        if errors_out is not None:
                            errors_out.write(
                                json.dumps(outcome.error_record(), ensure_ascii=False) + "\n"
                            )
                        if on_error is not None:
                            on_error(outcome)
                sink.flush()
                if errors_out is not None:
                    errors_out.flush()
                if progress is not None:
                    progress(result.analysed, sum(result.failed.values()), read[0])
            sink.finish()
        finally:
            result.seconds = time.perf_counter() - start
            sink.close()
            if errors_out is not None:
                errors_out.close()
    return result


def _engine(chunks: Iterator[Chunk], work: _Work, options: BatchOptions) -> Iterator[list[Outcome]]:
    if options.engine == "dask":
        return _run_dask(chunks, work, options.jobs, options.scheduler)
    if options.jobs > 1:
        return _run_processes(chunks, work, options.jobs)
    return _run_inline(chunks, work)


def _check(options: BatchOptions, fmt: str) -> None:
    if options.engine not in ENGINES:
        raise UsageError(f"--engine {options.engine}: one of {', '.join(ENGINES)}")
    if options.scheduler and options.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if options.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    out = options.output
    if out is None:
        if options.resume:
            raise UsageError("--resume needs --output (the file to continue)")
        return
    if out.is_dir():
        raise UsageError(f"--output {out} is a folder")
    exists = out.exists() and out.stat().st_size > 0
    if fmt == "parquet":
        exists = exists or side_file(out).exists()
    if exists and not (options.resume or options.overwrite):
        raise UsageError(
            f"{out} exists: pass --resume to continue it, or --overwrite to start again"
        )


def _open_errors(path: Path | None) -> IO[str] | None:
    if path is None:
        return None
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror}") from exc


def estimated_total(inputs: list[str]) -> int:
    """Bytes of all inputs on disk, for a progress bar's time left (0 when unknown)."""
    return sum(input_size(name) for name in inputs)


__all__ = [
    "BatchOptions",
    "BatchResult",
    "Outcome",
    "Sink",
    "analyze_records",
    "analyze_rows",
    "estimated_total",
    "row_schema",
    "run_batch",
]

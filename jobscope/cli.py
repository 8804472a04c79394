"""The jobscope command line: parse options, call the library, render, exit.

Every exception becomes a one-line message and an exit code in :func:`main`, nowhere else.
Heavy modules (scikit-learn, bs4, requests) are imported inside the commands, so
`jobscope --help` stays instant.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jobscope import __version__
from jobscope.errors import ExitCode, JobscopeError

if TYPE_CHECKING:  # pragma: no cover
    from jobscope.settings import Settings

app = typer.Typer(
    name="jobscope",
    help="Reads social-media job ads and tells what they really ask for.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class OutputFormat(str, Enum):
    auto = "auto"
    text = "text"
    json = "json"
    markdown = "markdown"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jobscope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    _state["debug"] = debug


def _settings(
    config: Path | None, assignments: list[str] | None = None, **overrides: Any
) -> Settings:
    """Settings of a run: defaults, then the config file, then `--set`, then explicit options."""
    from jobscope.settings import Settings

    changes = {k: v for k, v in overrides.items() if v is not None}
    base = Settings.from_file(config) if config is not None else Settings()
    return base.assign(assignments or []).replace(**changes)


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


class Lang(str, Enum):
    de = "de"
    en = "en"


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a setting for this run, e.g. kitchen_sink_min_platforms=8 or "
        "flag_severity.no_salary=error (repeatable).",
    ),
]
LangOption = Annotated[
    Lang | None,
    typer.Option("--lang", help="Language of flag messages (default: the ad's language)."),
]
AllowPrivateOption = Annotated[
    bool, typer.Option("--allow-private", help="Allow URLs on private or loopback addresses.")
]


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="A TOML settings file ([jobscope] table).", dir_okay=False),
]
CorpusOption = Annotated[
    Path | None,
    typer.Option(help="The corpus folder (items/, ads/, split.json).", file_okay=False),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="A model file to use instead of the shipped one; its .card.json must sit beside it.",
        dir_okay=False,
    ),
]


@app.command()
def check(
    source: Annotated[
        str, typer.Argument(help="A file (.txt .md .html .json), - for stdin, or a URL.")
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="text on a terminal, json when piped (auto)."),
    ] = OutputFormat.auto,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the terms that drove each item's labels.")
    ] = False,
    fail_on: Annotated[
        Severity | None,
        typer.Option(
            "--fail-on",
            help="Exit with code 5 when a flag of this severity or worse is raised.",
        ),
    ] = None,
    lang: LangOption = None,
    allow_private: AllowPrivateOption = False,
    model: ModelOption = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
) -> int:
    """Read one job ad and report what it demands, its red flags and its realism score."""
    from jobscope.analyze import analyze_source
    from jobscope.flags import worst_at_least
    from jobscope.render import render

    settings = _settings(
        config,
        assignments,
        model_path=model,
        allow_private=allow_private or None,
        message_language=lang.value if lang else None,
    )
    report = analyze_source(source, settings=settings, explain=explain)
    chosen = _output_format(fmt)
    typer.echo(render(report, chosen, color=_color(chosen)))
    if fail_on is not None and worst_at_least(report.flags, fail_on.value):
        return int(ExitCode.FLAGGED)
    return int(ExitCode.OK)


def _output_format(fmt: OutputFormat) -> str:
    if fmt.value == "auto":
        return "text" if sys.stdout.isatty() else "json"
    return fmt.value


def _color(chosen: str) -> bool:
    return chosen == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ


@app.command()
def score(
    sources: Annotated[
        list[str], typer.Argument(help="Ads to compare: files, - for stdin, or URLs.")
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="text on a terminal, json when piped (auto)."),
    ] = OutputFormat.auto,
    allow_private: AllowPrivateOption = False,
    model: ModelOption = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
) -> int:
    """Rank several ads by realism score: title, score, primary specialism, platforms, flags.

    An ad that cannot be read is reported on stderr and the others are still ranked
    (exit 1; exit 3 when none could be read)."""
    from jobscope.analyze import analyze_many
    from jobscope.errors import InputError
    from jobscope.flags import rank
    from jobscope.render import render_ranking

    settings = _settings(config, assignments, model_path=model, allow_private=allow_private or None)
    reports = []
    failed = 0
    for source, outcome in analyze_many(sources, settings=settings):
        if isinstance(outcome, JobscopeError):
            failed += 1
            typer.echo(f"jobscope: error: {source}: {outcome}", err=True)
        else:
            reports.append(outcome)
    if not reports:
        raise InputError(f"none of the {failed} ads could be read")
    chosen = _output_format(fmt)
    typer.echo(render_ranking(rank(reports), chosen, color=_color(chosen)))
    return int(ExitCode.SOME_FAILED if failed else ExitCode.OK)


@app.command()
def scrape(
    urls: Annotated[
        list[str],
        typer.Argument(
            help="Job pages; with --follow or --follow-selector listing pages; with --sitemap "
            "sitemaps or site roots."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="JSONL file the records are added to; a re-run skips the URLs it holds "
            "(default: standard output).",
        ),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            dir_okay=False,
            help="JSONL file of failures with URL and reason (default: beside --output, "
            "NAME.errors.jsonl).",
        ),
    ] = None,
    follow: Annotated[
        str | None,
        typer.Option(
            "--follow",
            metavar="REGEX",
            help="The URLs are listing pages: fetch their links whose URL matches REGEX "
            "(with --sitemap: keep the sitemap entries that match).",
        ),
    ] = None,
    follow_selector: Annotated[
        str | None,
        typer.Option(
            "--follow-selector",
            metavar="CSS",
            help="The URLs are listing pages: fetch the links this CSS selector picks.",
        ),
    ] = None,
    sitemap: Annotated[
        bool,
        typer.Option(
            "--sitemap", help="The URLs are sitemaps, or site roots whose robots.txt names them."
        ),
    ] = False,
    max_pages: Annotated[
        int | None,
        typer.Option("--max-pages", min=1, help="Fetch at most this many pages in this run."),
    ] = None,
    cross_site: Annotated[
        bool,
        typer.Option("--cross-site", help="Follow links and sitemap entries to other sites."),
    ] = False,
    delay: Annotated[
        float | None,
        typer.Option(
            "--delay",
            min=0.0,
            help="Seconds between requests to one host (default 1; a site's Crawl-delay wins).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not use or fill the HTTP cache.")
    ] = False,
    allow_private: AllowPrivateOption = False,
    config: ConfigOption = None,
    assignments: SetOption = None,
) -> int:
    """Fetch job pages politely and write one JSONL record per page (robots.txt obeyed).

    Exit 0 when every page was written, 1 when some failed or were refused, 4 when all were
    refused (robots.txt, private address), 3 when nothing could be fetched."""
    from jobscope.crawl import CrawlOptions, done_urls
    from jobscope.crawl import scrape as run_scrape
    from jobscope.errors import UsageError

    settings = _settings(
        config,
        assignments,
        allow_private=allow_private or None,
        crawl_delay=delay,
        http_cache=False if no_cache else None,
    )
    options = CrawlOptions(
        follow=follow,
        follow_selector=follow_selector,
        sitemap=sitemap,
        max_pages=max_pages,
        cross_site=cross_site,
    )
    if errors is None and output is not None:
        errors = output.with_name(output.name.removesuffix(".jsonl") + ".errors.jsonl")
    with contextlib.ExitStack() as stack:
        done: set[str] = set()
        out = sys.stdout
        try:
            if output is not None:
                done = done_urls(output)
                out = stack.enter_context(output.open("a", encoding="utf-8"))
            errors_file = (
                stack.enter_context(errors.open("w", encoding="utf-8")) if errors else None
            )
        except OSError as exc:
            raise UsageError(f"cannot write {exc.filename}: {exc.strerror}") from exc
        bar = stack.enter_context(_progress_bar(unit="page", total=len(urls)))
        summary = run_scrape(
            urls,
            out=out,
            errors=errors_file,
            settings=settings,
            options=options,
            done=done,
            progress=_scrape_progress(bar, show_failures=errors_file is None),
        )
    where = f"; errors in {errors}" if errors and summary.exit_code != ExitCode.OK else ""
    typer.echo(f"jobscope: scrape: {summary.line()}{where}", err=True)
    return int(summary.exit_code)


class BatchFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="JSONL, CSV or JSON files (also .gz), folders of .txt/.md/.html ads, globs, "
            "or - for JSONL on standard input."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Results file, one report per record (default: JSONL on standard output).",
        ),
    ] = None,
    fmt: Annotated[
        BatchFormat | None,
        typer.Option("--format", "-f", help="jsonl, csv or parquet (default: from --output)."),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            dir_okay=False,
            help="JSONL file of records that failed, with line and reason (default: beside "
            "--output, NAME.errors.jsonl; without --output: standard error).",
        ),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            dir_okay=False,
            help="Write what the corpus shows as Markdown (or JSON for a .json name).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", dir_okay=False, help="Write the summary as one self-contained HTML file."
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes (each loads the model).")
    ] = 1,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Continue an interrupted run: skip the records --output holds."
        ),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Start again when --output exists.")
    ] = False,
    no_dedupe: Annotated[
        bool,
        typer.Option("--no-dedupe", help="Count reposts of one ad as separate ads in the summary."),
    ] = False,
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="FIELD=NAME",
            help="Read FIELD (title, description, company, date_posted, url, id, location) from "
            "the record's NAME, e.g. description=jobtext or company=employer.name (repeatable).",
        ),
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local processes, or a Dask cluster (extra: dask).")
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="With --engine dask: the scheduler (default: a local cluster of --jobs workers).",
        ),
    ] = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
) -> int:
    """Analyse a whole corpus of ads: one report per record, in input order, with a summary.

    Exit 0 when every record was analysed, 1 when some failed, 3 when none could be."""
    from jobscope.batch import BatchOptions, estimated_total, run_batch
    from jobscope.ingest import parse_field_map

    settings = _settings(config, assignments, model_path=model)
    options = BatchOptions(
        output=output,
        format=fmt.value if fmt else None,
        errors=errors,
        fields=parse_field_map(field_map or []),
        jobs=jobs,
        engine=engine.value,
        scheduler=scheduler,
        resume=resume,
        overwrite=overwrite,
        dedupe=not no_dedupe,
    )
    for target in (summary, report):
        if target is not None and not target.parent.is_dir():
            from jobscope.errors import UsageError

            raise UsageError(f"cannot write {target}: no such folder {target.parent}")
    total_bytes = estimated_total(inputs)
    with _progress_bar(unit="ad", total=0) as bar:

        def progress(done: int, failed: int, read: int) -> None:
            if total_bytes and read:
                bar.total = max(int((done + failed) * total_bytes / read), done + failed)
            bar.set_postfix_str(f"{failed:,} failed", refresh=False)
            bar.update(done + failed - bar.n)

        def show(outcome: Any) -> None:
            bar.write(f"jobscope: error: {outcome.location}: {outcome.message}", file=sys.stderr)

        errors_shown = options.errors_path() is None
        try:
            result = run_batch(
                inputs,
                options=options,
                settings=settings,
                progress=progress,
                on_error=show if errors_shown else None,
            )
        except KeyboardInterrupt:
            if output is not None:
                typer.echo(
                    "jobscope: batch: interrupted; re-run with --resume to continue", err=True
                )
            raise
    _write_summaries(result.summary, summary, report)
    where = options.errors_path()
    tail = f"; errors in {where}" if where and result.failed else ""
    typer.echo(f"jobscope: batch: {result.line()}{tail}", err=True)
    return int(result.exit_code)


def _write_summaries(summary: Any, markdown: Path | None, html: Path | None) -> None:
    """The corpus summary as Markdown (or JSON) and as a self-contained HTML report."""
    import json

    from jobscope.errors import UsageError
    from jobscope.render_summary import summary_html, summary_markdown

    data = summary.as_dict()
    outputs = []
    if markdown is not None:
        text = (
            json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            if markdown.suffix.lower() == ".json"
            else summary_markdown(data)
        )
        outputs.append((markdown, text))
    if html is not None:
        outputs.append((html, summary_html(data)))
    for path, text in outputs:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from exc


def _progress_bar(*, unit: str, total: int) -> Any:
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
        leave=False,
    )


def _scrape_progress(bar: Any, *, show_failures: bool) -> Any:
    from jobscope.crawl import Failure

    def update(crawler: Any, outcome: Any) -> None:
        if isinstance(outcome, Failure) and show_failures:
            bar.write(f"jobscope: error: {outcome.url}: {outcome.message}", file=sys.stderr)
        bar.total = bar.n + 1 + crawler.pending
        bar.set_postfix_str(f"{sum(crawler.summary.failed.values())} failed", refresh=False)
        bar.update(1)

    return update


@app.command()
def train(
    corpus: CorpusOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Where the model and its card are written.", file_okay=False)
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
) -> None:
    """Train the specialism model from the corpus and write it with its model card."""
    from jobscope.resources import shipped_path
    from jobscope.train import train as train_model

    corpus = _corpus_dir(corpus)
    if out is None:
        models = shipped_path("models")
        out = models if models is not None else Path("models")
    result = train_model(corpus, out, folds=folds)
    cv = result.card["cross_validation"]
    typer.echo(f"model: {result.model_path}", err=True)
    typer.echo(f"card:  {result.card_path}", err=True)
    typer.echo(
        f"{result.card['corpus_items']} items; cross-validated macro-F1 {cv['macro_f1']:.3f}",
        err=True,
    )


class EvalFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def evaluate(
    corpus: CorpusOption = None,
    fmt: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.text,
    model: ModelOption = None,
    config: ConfigOption = None,
) -> None:
    """Score the model on the held-out ads beside a keyword baseline."""
    import json

    from jobscope.analyze import get_classifier
    from jobscope.errors import ModelError
    from jobscope.evaluate import evaluate as run_evaluation
    from jobscope.evaluate import render_evaluation

    corpus = _corpus_dir(corpus)
    settings = _settings(config, model_path=model)
    result = run_evaluation(corpus, get_classifier(settings), settings=settings)
    if not result["held_out_ads"]:
        raise ModelError(f"the corpus in {corpus} has no held-out ads (split.json)")
    if fmt is EvalFormat.json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(render_evaluation(result))


def _corpus_dir(corpus: Path | None) -> Path:
    """The corpus a command works on: the one given, else the shipped one."""
    from jobscope.errors import ModelError
    from jobscope.resources import shipped_path

    found = corpus or shipped_path("corpus")
    if found is None:
        raise ModelError("no corpus found; pass --corpus")
    return found


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("jobscope: %(message)s"))
    logger = logging.getLogger("jobscope")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _click_exception() -> type[Exception]:
    """The ClickException class of whichever click typer uses (its own or the click package)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every outcome into one exit code."""
    _configure_logging()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    click_exception = _click_exception()
    try:
        result = app(args=args, prog_name="jobscope", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("jobscope: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click_exception as exc:
        exc.show()  # type: ignore[attr-defined]
        sys.exit(ExitCode.USAGE)
    except JobscopeError as exc:
        if debug:
            raise
        typer.echo(f"jobscope: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(ExitCode.OK)
    except Exception as exc:
        if debug:
            raise
        typer.echo(
            f"jobscope: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        sys.exit(ExitCode.SOME_FAILED)
    # In non-standalone mode a command's typer.Exit(code) comes back as its return value.
    sys.exit(result if isinstance(result, int) else ExitCode.OK)

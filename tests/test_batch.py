"""`jobscope batch`: inputs of every kind, bad records, outputs, resume, workers and engines."""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobscope.batch import WorkerCrashError, _chunks, _run_processes, _Work
from jobscope.settings import Settings
from tests.conftest import ROOT

# Short ads we wrote for these tests: two social-media roles, one repost of the first under
# another URL and date, and one ad of another trade.
VIDEO_AD = {
    "id": "v-1",
    "title": "Social Media Video Editor (m/w/d)",
    "company": "Kaffeerösterei Nord GmbH",
    "date_posted": "2026-03-02",
    "url": "https://jobs.example/v-1",
    "description": (
        "Deine Aufgaben:\n"
        "- Du drehst und schneidest Reels und TikToks für unsere Kanäle\n"
        "- Du animierst Untertitel und kleine Motion-Grafiken\n"
        "- Du planst Drehtage mit unserem Team in Hamburg\n\n"
        "Dein Profil:\n"
        "- Erfahrung mit Premiere Pro oder DaVinci Resolve\n"
        "- Ein Gefühl für Rhythmus und Ton\n\n"
        "Wir bieten: 32.000 – 38.000 € im Jahr, 30 Tage Urlaub"
    ),
}
REPOST = {**VIDEO_AD, "id": "v-1-repost", "date_posted": "2026-04-11", "url": "https://x.example/9"}
COMMUNITY_AD = {
    "id": "c-7",
    "title": "Community Manager (all genders)",
    "company": "Brettspielverlag Süd",
    "date_posted": "2026-04-20",
    "description": (
        "<h2>What you will do</h2><ul>"
        "<li>Answer comments and messages on Instagram and in our Discord</li>"
        "<li>Moderate our Facebook group and keep the tone friendly</li>"
        "<li>Collect feedback from players and pass it to the product team</li></ul>"
        "<h2>What you bring</h2><ul><li>Two years of community work</li>"
        "<li>Fluent English, good German</li></ul>"
    ),
}
ACCOUNTANT_AD = {
    "refnr": "acc-3",
    "titel": "Buchhalter (m/w/d)",
    "stellenbeschreibung": (
        "Ihre Aufgaben:\n- Sie buchen laufende Geschäftsvorfälle\n"
        "- Sie bereiten Monatsabschlüsse vor\n\nIhr Profil:\n- Ausbildung als Steuerfachangestellte/r"
    ),
    "firma": "Stadtwerke Beispielstadt",
}
GOOD = [VIDEO_AD, COMMUNITY_AD, REPOST, ACCOUNTANT_AD]


def jsonl(path: Path, records: list, extra_lines: tuple[bytes, ...] = ()) -> Path:
    with path.open("wb") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        for line in extra_lines:
            out.write(line + b"\n")
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_in_reports_out_in_input_order_with_ids_from_the_records(run, tmp_path):
    source = jsonl(tmp_path / "ads.jsonl", GOOD)
    out = tmp_path / "results.jsonl"
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    reports = lines(out)
    assert [r["id"] for r in reports] == ["v-1", "c-7", "v-1-repost", "acc-3"]
    assert [r["source"]["location"] for r in reports] == [f"{source}:{n}" for n in (1, 2, 3, 4)]
    assert reports[0]["primary_specialism"] == "video"
    assert reports[1]["primary_specialism"] == "community"
    assert "instagram" in reports[1]["networks"]["demanded"]
    assert reports[3]["social_media_role"] is False
    assert reports[3]["title"] == "Buchhalter (m/w/d)"
    assert reports[0]["fingerprint"] == reports[2]["fingerprint"] != reports[1]["fingerprint"]
    assert reports[0]["url"] == "https://jobs.example/v-1"
    assert "4 ads analysed" in result.stderr


def test_reports_follow_the_report_contract(run, tmp_path):
    import jsonschema

    from jobscope.resources import load_json

    source = jsonl(tmp_path / "ads.jsonl", GOOD)
    out = tmp_path / "results.jsonl"
    assert run("batch", str(source), "-o", str(out)).exit_code == 0
    schema = load_json("report.schema.json")
    for report in lines(out):
        jsonschema.validate(report, schema)


def test_bad_records_go_to_the_errors_file_with_line_and_reason_and_the_run_goes_on(run, tmp_path):
    source = jsonl(
        tmp_path / "ads.jsonl",
        [VIDEO_AD],
        (
            b'{"title": "cut off", "description": "Du schneid',
            json.dumps({"title": "Nur ein Titel", "description": "  "}).encode(),
            b'{"title": "Grafiker", "description": "Du gestaltest Plakate \xff\xfe f\xfcr uns"}',
            b"[1, 2, 3]",
            b"",
            json.dumps(COMMUNITY_AD).encode(),
        ),
    )
    out = tmp_path / "results.jsonl"
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 1
    assert [r["id"] for r in lines(out)] == ["v-1", "c-7"]
    errors = lines(tmp_path / "results.errors.jsonl")
    assert [(e["line"], e["reason"]) for e in errors] == [
        (2, "broken_json"),
        (3, "empty"),
        (4, "decode"),
        (5, "format"),
    ]
    assert all(e["input"] == str(source) and e["message"] for e in errors)
    assert "2 ads analysed; 4 failed" in result.stderr
    assert "errors in" in result.stderr


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_half_a_surrogate_pair_in_a_json_string_does_not_stop_the_output(run, tmp_path, suffix):
    # json.loads keeps the escape "\\ud83d" without its partner as a lone surrogate, which no
    # UTF-8 file can hold: before, writing that report stopped the whole run.
    broken = dict(VIDEO_AD, id="v-\ud83d", title="Video Editor (m/w/d) \ud83d")
    source = tmp_path / "ads.jsonl"
    source.write_bytes(json.dumps(broken).encode() + b"\n" + json.dumps(COMMUNITY_AD).encode())
    out = tmp_path / f"results.{suffix}"
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "Video Editor (m/w/d) \ufffd" in text and "v-\ufffd" in text
    assert "c-7" in text


def test_exit_3_when_no_record_could_be_analysed(run, tmp_path):
    source = jsonl(tmp_path / "bad.jsonl", [], (b"{nope", b'{"title": "x"}'))
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 3
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert run("batch", str(empty), "-o", str(tmp_path / "out2.jsonl")).exit_code == 3


def test_missing_binary_and_oversized_inputs_fail_alone(run, tmp_path):
    good = jsonl(tmp_path / "good.jsonl", [VIDEO_AD])
    binary = tmp_path / "scan.jsonl"
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02" * 50)
    big = jsonl(tmp_path / "big.jsonl", [{"title": "t", "description": "x" * 5000}, COMMUNITY_AD])
    out = tmp_path / "out.jsonl"
    result = run(
        "batch", str(tmp_path / "missing.jsonl"), str(binary), str(big), str(good),
        "-o", str(out), "--set", "max_input_bytes=2000",
    )  # fmt: skip
    assert result.exit_code == 1
    assert [r["id"] for r in lines(out)] == ["c-7", "v-1"]
    errors = lines(tmp_path / "out.errors.jsonl")
    assert [(e["reason"], e["line"]) for e in errors] == [
        ("not_found", None),
        ("binary", None),
        ("too_large", 1),
    ]
    assert "PDF" in errors[1]["message"]


def test_csv_with_german_headers_semicolons_and_windows_1252(run, tmp_path):
    source = tmp_path / "export.csv"
    rows = [
        ["refnr", "titel", "stellenbeschreibung", "firma", "veröffentlicht_am"],
        ["a-1", VIDEO_AD["title"], VIDEO_AD["description"], "Rösterei", "02.03.2026"],
        ["a-2", "Leer", "", "Firma", ""],
        ["a-3", ACCOUNTANT_AD["titel"], ACCOUNTANT_AD["stellenbeschreibung"], "Stadtwerke", ""],
    ]
    with source.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    out = tmp_path / "out.jsonl"
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 1
    reports = lines(out)
    assert [r["id"] for r in reports] == ["a-1", "a-3"]
    assert reports[0]["company"] == "Rösterei"
    assert reports[0]["date_posted"] == "2026-03-02"
    assert reports[0]["primary_specialism"] == "video"
    # the record that starts on line 3 of the file (the header is line 1; rows span lines)
    [error] = lines(tmp_path / "out.errors.jsonl")
    assert error["reason"] == "empty"
    assert error["line"] == 1 + VIDEO_AD["description"].count("\n") + 2


def test_json_array_is_streamed_with_line_numbers_and_a_broken_element_keeps_the_ones_before(
    run, tmp_path
):
    source = tmp_path / "export.json"
    body = json.dumps([VIDEO_AD, COMMUNITY_AD], indent=2, ensure_ascii=False)
    source.write_text(body[:-1] + ',\n  {"title": "broken", "description": \n]', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 1
    reports = lines(out)
    assert [r["id"] for r in reports] == ["v-1", "c-7"]
    assert reports[0]["source"]["location"] == f"{source}:2"
    [error] = lines(tmp_path / "out.errors.jsonl")
    assert error["reason"] == "format"
    assert error["line"] == body.count("\n") + 2  # the line the broken element starts on


def test_a_json_document_with_a_jobs_list_and_gzip_jsonl(run, tmp_path):
    doc = tmp_path / "board.json"
    doc.write_text(json.dumps({"jobs": [VIDEO_AD, COMMUNITY_AD]}), encoding="utf-8")
    packed = tmp_path / "more.jsonl.gz"
    packed.write_bytes(gzip.compress(json.dumps(REPOST).encode() + b"\n"))
    out = tmp_path / "out.jsonl"
    result = run("batch", str(doc), str(packed), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in lines(out)] == ["v-1", "c-7", "v-1-repost"]


def test_folder_and_glob_of_ad_files(run, tmp_path):
    folder = tmp_path / "ads"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(VIDEO_AD["title"] + "\n\n" + VIDEO_AD["description"], "utf-8")
    (folder / "sub" / "b.html").write_text(
        f"<html><body><h1>{COMMUNITY_AD['title']}</h1>{COMMUNITY_AD['description']}</body></html>",
        encoding="utf-8",
    )
    (folder / "c.md").write_bytes(b"")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    (folder / ".hidden.txt").write_text("ignored", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("batch", str(folder), "-o", str(out))
    assert result.exit_code == 1
    reports = lines(out)
    assert [r["source"]["location"] for r in reports] == [
        str(folder / "a.txt"),
        str(folder / "sub" / "b.html"),
    ]
    assert reports[0]["source"]["kind"] == "file"
    assert reports[1]["primary_specialism"] == "community"
    [error] = lines(tmp_path / "out.errors.jsonl")
    assert (error["location"], error["reason"]) == (str(folder / "c.md"), "empty")
    out2 = tmp_path / "out2.jsonl"
    result = run(
        "batch", str(folder / "**" / "*.html"), str(tmp_path / "none*.txt"), "-o", str(out2)
    )
    assert result.exit_code == 1
    assert [r["source"]["location"] for r in lines(out2)] == [str(folder / "sub" / "b.html")]
    assert lines(tmp_path / "out2.errors.jsonl")[0]["reason"] == "not_found"


def test_field_maps_unusual_names_and_nested_paths(run, tmp_path):
    record = {
        "jobtext": VIDEO_AD["description"],
        "headline": VIDEO_AD["title"],
        "employer": {"name": "Rösterei Nord", "size": 40},
        "ref": "X-9",
    }
    source = jsonl(tmp_path / "ads.jsonl", [record])
    out = tmp_path / "out.jsonl"
    result = run(
        "batch", str(source), "-o", str(out), "--field", "description=jobtext",
        "--field", "title=headline", "--field", "company=employer.name", "--field", "id=ref",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [report] = lines(out)
    assert (report["id"], report["title"], report["company"]) == (
        "X-9",
        VIDEO_AD["title"],
        "Rösterei Nord",
    )
    bad = run("batch", str(source), "-o", str(out), "--overwrite", "--field", "salary=pay")
    assert bad.exit_code == 2
    assert "unknown field 'salary'" in bad.stderr


def test_csv_output_is_flat_and_escapes_formulas(run, tmp_path):
    evil = {**COMMUNITY_AD, "id": "=cmd|' /C calc'!A0", "company": "+49 Media", "title": "@Social"}
    source = jsonl(tmp_path / "ads.jsonl", [VIDEO_AD, evil])
    out = tmp_path / "out.csv"
    assert run("batch", str(source), "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["id"] == "v-1"
    assert rows[0]["social_media_role"] == "True"
    assert rows[0]["primary_specialism"] == "video"
    assert float(rows[0]["video"]) > 0.5
    assert rows[0]["salary_min"] == "32000.0"
    assert rows[1]["id"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["company"] == "'+49 Media"
    assert rows[1]["title"] == "'@Social"
    assert "instagram" in rows[1]["networks_demanded"].split(";")
    from jobscope.sinks import earlier_rows

    back = list(earlier_rows(out, "csv"))  # what --resume reads: the values as they were
    assert (back[1]["id"], back[1]["company"]) == ("=cmd|' /C calc'!A0", "+49 Media")


def test_parquet_output(run, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    source = jsonl(tmp_path / "ads.jsonl", GOOD)
    out = tmp_path / "out.parquet"
    assert run("batch", str(source), "-o", str(out)).exit_code == 0
    table = pq.read_table(out).to_pylist()
    assert [row["id"] for row in table] == ["v-1", "c-7", "v-1-repost", "acc-3"]
    assert table[0]["social_media_role"] is True
    assert isinstance(table[0]["video"], float)
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()


def test_stdout_holds_only_data(run, tmp_path):
    source = jsonl(tmp_path / "ads.jsonl", [VIDEO_AD], (b"{broken",))
    result = run("batch", str(source))
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["v-1"]
    assert f"{source}:2: broken JSON" in result.stderr


def test_stdin_jsonl(run):
    data = b"".join(json.dumps(r).encode() + b"\n" for r in (VIDEO_AD, COMMUNITY_AD))
    result = run("batch", "-", "-f", "csv", stdin=data)
    assert result.exit_code == 0, result.stderr
    assert [row["id"] for row in csv.DictReader(result.stdout.splitlines())] == ["v-1", "c-7"]


def test_an_existing_output_needs_resume_or_overwrite(run, tmp_path):
    source = jsonl(tmp_path / "ads.jsonl", [VIDEO_AD])
    out = tmp_path / "out.jsonl"
    out.write_text("{}\n", encoding="utf-8")
    result = run("batch", str(source), "-o", str(out))
    assert result.exit_code == 2
    assert "--resume" in result.stderr
    assert out.read_text(encoding="utf-8") == "{}\n"
    assert run("batch", str(source), "-o", str(out), "--overwrite").exit_code == 0
    assert [r["id"] for r in lines(out)] == ["v-1"]
    assert run("batch", str(source), "-o", str(tmp_path / "no" / "out.jsonl")).exit_code == 2


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_resume_after_a_cut_continues_without_duplicates_or_gaps(run, tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(10)]
    source = jsonl(tmp_path / "ads.jsonl", records)
    full = tmp_path / f"full.{fmt}"
    assert run("batch", str(source), "-o", str(full)).exit_code == 0
    cut = tmp_path / f"cut.{fmt}"
    # An interrupted run: 4 records written and the 5th cut in the middle of its line.
    if fmt == "parquet":
        partial = tmp_path / "cut.parquet.partial.jsonl"
        rows = [json.dumps(r) for r in _parquet_rows(full)]
        partial.write_text("\n".join(rows[:4]) + "\n" + rows[4][:30], encoding="utf-8")
    else:
        text = full.read_text(encoding="utf-8").splitlines(keepends=True)
        head = 5 if fmt == "csv" else 4  # the CSV header, then the rows
        cut.write_text("".join(text[:head]) + text[head][:40], encoding="utf-8")
    result = run(
        "batch", str(source), "-o", str(cut), "--resume", "--summary", str(tmp_path / "s.json")
    )
    assert result.exit_code == 0, result.stderr
    assert "6 ads analysed" in result.stderr and "4 already in the output" in result.stderr
    if fmt == "parquet":
        assert _parquet_rows(cut) == _parquet_rows(full)
    else:
        assert cut.read_text(encoding="utf-8") == full.read_text(encoding="utf-8")
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert summary["totals"]["rows"] == 10
    again = run("batch", str(source), "-o", str(cut), "--resume")
    assert again.exit_code == 0
    assert "0 ads analysed" in again.stderr and "10 already in the output" in again.stderr


def _parquet_rows(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def test_summary_and_report_count_reposts_once(run, tmp_path):
    source = jsonl(tmp_path / "ads.jsonl", GOOD)
    summary, report = tmp_path / "summary.md", tmp_path / "report.html"
    as_json = tmp_path / "summary.json"
    out = tmp_path / "out.jsonl"
    result = run(
        "batch", str(source), "-o", str(out), "--summary", str(summary), "--report", str(report)
    )
    assert result.exit_code == 0
    assert "1 reposts counted once" in result.stderr
    assert summary.read_text(encoding="utf-8").startswith("# ")
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    run("batch", str(source), "-o", str(out), "--overwrite", "--summary", str(as_json))
    assert json.loads(as_json.read_text(encoding="utf-8"))["totals"]["ads"] == 3
    run(
        "batch",
        str(source),
        "-o",
        str(out),
        "--overwrite",
        "--summary",
        str(as_json),
        "--no-dedupe",
    )
    assert json.loads(as_json.read_text(encoding="utf-8"))["totals"]["ads"] == 4


def test_two_workers_give_the_same_output_as_one(run, tmp_path):
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(40)]
    source = jsonl(tmp_path / "ads.jsonl", records, (b"{broken",))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("batch", str(source), "-o", str(one), "--set", "batch_chunk_size=8").exit_code == 1
    result = run("batch", str(source), "-o", str(two), "--jobs", "2", "--set", "batch_chunk_size=8")
    assert result.exit_code == 1, result.stderr
    assert two.read_text(encoding="utf-8") == one.read_text(encoding="utf-8")
    assert (tmp_path / "two.errors.jsonl").read_text(encoding="utf-8") == (
        tmp_path / "one.errors.jsonl"
    ).read_text(encoding="utf-8")


def test_dask_local_cluster_with_two_workers_equals_the_local_run(run, tmp_path):
    pytest.importorskip("dask.distributed")
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(24)]
    source = jsonl(tmp_path / "ads.jsonl", records, (b"{broken",))
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert run("batch", str(source), "-o", str(local), "--set", "batch_chunk_size=5").exit_code == 1
    result = run(
        "batch", str(source), "-o", str(dask), "--engine", "dask", "--jobs", "2",
        "--set", "batch_chunk_size=5",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert dask.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    bad = run("batch", str(source), "-o", str(dask), "--overwrite", "--scheduler", "tcp://x:1")
    assert bad.exit_code == 2 and "--engine dask" in bad.stderr


def test_analyze_rows_is_the_per_partition_function_for_spark():
    from jobscope.batch import analyze_rows
    from jobscope.sinks import COLUMNS

    rows = list(analyze_rows([VIDEO_AD, {"title": "empty"}, ACCOUNTANT_AD]))
    assert [r["id"] for r in rows] == ["v-1", None, "acc-3"]
    assert [r["error_reason"] for r in rows] == [None, "empty", None]
    assert all(set(r) == {*COLUMNS, "error_reason", "error_message"} for r in rows)


def _run_under_way(tmp_path: Path) -> tuple[subprocess.Popen, Path, list[str], dict]:
    """A real `batch --jobs 2` run of 400 ads, once it has written a few results: the
    process, its output, its command and environment."""
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(400)]
    source = jsonl(tmp_path / "ads.jsonl", records)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "jobscope", "batch", str(source), "-o", str(out)]
    command += ["--jobs", "2", "--set", "batch_chunk_size=4"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.05)
    return proc, out, command, env


def test_interrupt_then_resume_loses_and_duplicates_nothing(tmp_path):
    """A real run stopped with Ctrl-C (SIGINT) and resumed."""
    proc, out, command, env = _run_under_way(tmp_path)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr
    written = len(out.read_text(encoding="utf-8").splitlines())
    assert 0 < written < 400
    done = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in lines(out)] == [f"ad-{k}" for k in range(400)]


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def _workers_of(pid: int) -> list[int]:
    """The worker processes of a `batch --jobs N` run: the children of its forkserver (they
    carry the forkserver's command line, the forkserver itself is a child of the run)."""
    for child in _children(pid):
        with contextlib.suppress(OSError):
            if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return _children(child)
    return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_worker_killed_in_the_middle_of_a_run_loses_no_record(tmp_path):
    """A worker killed from outside (as the out-of-memory killer does) breaks the pool; the
    chunks it took with it run again in a new one."""
    proc, out, _command, _env = _run_under_way(tmp_path)
    workers = _workers_of(proc.pid)
    assert workers, "no worker process found"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert [r["id"] for r in lines(out)] == [f"ad-{k}" for k in range(400)]
    assert "worker process died" in stderr and "400 ads analysed" in stderr


@dataclass
class _DiesOn(_Work):
    """Work whose process is killed by any record that holds `marker`, as a crash in native
    code or the out-of-memory killer would."""

    marker: str = "kill-the-worker"

    def run(self, chunk):
        if any(self.marker in str(record.payload) for record in chunk):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().run(chunk)


def _records(tmp_path: Path, records: list) -> list:
    from jobscope.records import iter_records

    return list(iter_records([str(jsonl(tmp_path / "ads.jsonl", records))]))


def test_a_record_that_kills_its_worker_is_its_own_error_and_the_others_are_kept(tmp_path):
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(30)]
    records[13]["description"] += " kill-the-worker"
    chunks = list(_chunks(iter(_records(tmp_path, records)), 4))
    work = _DiesOn(Settings(), None, json_lines=True)
    outcomes = [o for part in _run_processes(iter(chunks), work, 1) for o in part]
    assert [o.line for o in outcomes] == list(range(1, 31))
    assert [o.line for o in outcomes if not o.ok] == [14]
    assert outcomes[13].reason == "worker_crashed" and "died" in (outcomes[13].message or "")
    plain = _Work(Settings(), None, json_lines=True)
    expected = [o for chunk in chunks for o in plain.run(chunk)]
    assert [o.output for o in outcomes if o.ok] == [o.output for o in expected if o.line != 14]


def _until_it_gives_up(chunks: list, work: _Work) -> tuple[list, WorkerCrashError]:
    """What a run with one worker gives before it gives up on dying workers, and its error."""
    given = []
    with pytest.raises(WorkerCrashError) as caught:
        for part in _run_processes(iter(chunks), work, 1):
            given += part
    return given, caught.value


def test_workers_that_keep_dying_stop_the_run_with_a_clear_error(tmp_path):
    records = [{**GOOD[0], "id": f"ad-{k}", "title": f"kill-the-worker {k}"} for k in range(12)]
    chunks = list(_chunks(iter(_records(tmp_path, records)), 4))
    work = _DiesOn(Settings(), None, json_lines=True)
    given, error = _until_it_gives_up(chunks, work)
    assert re.search(r"keep dying .*--resume", str(error))
    assert error.exit_code == 1 and "ads.jsonl:3" in str(error)
    # The records that killed a worker before the run gave up still reach the errors file.
    assert [(o.line, o.reason) for o in given] == [(k, "worker_crashed") for k in (1, 2, 3)]


def test_a_run_that_gives_up_keeps_the_records_that_ran_before_it(tmp_path):
    records = [{**GOOD[k % 4], "id": f"ad-{k}"} for k in range(8)]
    for k in (1, 2, 3):  # a good record first, then three killers in a row
        records[k]["title"] = f"kill-the-worker {k}"
    chunks = list(_chunks(iter(_records(tmp_path, records)), 8))
    work = _DiesOn(Settings(), None, json_lines=True)
    given, error = _until_it_gives_up(chunks, work)
    assert "ads.jsonl:4" in str(error)
    assert [(o.line, o.ok) for o in given] == [(1, True), (2, False), (3, False), (4, False)]
    plain = _Work(Settings(), None, json_lines=True).run(chunks[0][:1])
    assert given[0].output == plain[0].output


@dataclass
class _Thresholds(_Work):
    """Work that answers each record with the garbage collector's thresholds of its process."""

    def run(self, chunk):
        import gc

        from jobscope.batch import Outcome

        return [
            Outcome(r.input, r.line, r.location, json.dumps(gc.get_threshold()), {}) for r in chunk
        ]


def test_workers_collect_garbage_less_often(tmp_path):
    import gc

    from jobscope.batch import _YOUNG_OBJECTS

    chunks = list(_chunks(iter(_records(tmp_path, GOOD * 3)), 4))
    outcomes = [
        o
        for part in _run_processes(iter(chunks), _Thresholds(Settings(), None, True), 2)
        for o in part
    ]
    assert len(outcomes) == 12
    default = gc.get_threshold()
    for outcome in outcomes:
        assert json.loads(outcome.output) == [max(default[0], _YOUNG_OBJECTS), *default[1:]]


@pytest.mark.parametrize("first", [700, 0])
def test_a_batch_collects_garbage_less_often_and_restores_the_thresholds(tmp_path, first):
    """Raised while the run lasts (seen from its progress callback), back afterwards, also when
    the run stops with an error; a collector switched off (threshold 0) stays off."""
    import gc

    from jobscope.batch import _YOUNG_OBJECTS, BatchOptions, run_batch

    source = jsonl(tmp_path / "ads.jsonl", GOOD)
    old = gc.get_threshold()
    gc.set_threshold(first, 10, 10)
    try:
        seen = []
        options = BatchOptions(output=tmp_path / "out.jsonl", overwrite=True)
        run_batch(
            [str(source)], options=options, progress=lambda *_: seen.append(gc.get_threshold())
        )
        assert seen and all(t == ((_YOUNG_OBJECTS if first else 0), 10, 10) for t in seen)
        assert gc.get_threshold() == (first, 10, 10)

        def stop(*_):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run_batch([str(source)], options=options, progress=stop)
        assert gc.get_threshold() == (first, 10, 10)
    finally:
        gc.set_threshold(*old)


def test_row_schema_names_every_column_of_analyze_rows_with_its_type():
    from jobscope.batch import analyze_rows, row_schema

    fields = dict(part.split(" ") for part in row_schema().split(", "))
    [row] = list(analyze_rows([VIDEO_AD]))
    assert list(fields) == list(row)
    python = {"string": str, "double": float, "bigint": int, "boolean": bool}
    for name, value in row.items():
        if value is not None:
            assert isinstance(value, python[fields[name]]), (name, value)


def test_records_of_a_json_document_share_its_size_for_the_progress_bar(tmp_path):
    from jobscope.records import iter_records

    doc = tmp_path / "board.json"
    doc.write_text(json.dumps({"jobs": [VIDEO_AD, COMMUNITY_AD, REPOST, ACCOUNTANT_AD]}), "utf-8")
    records = list(iter_records([str(doc)]))
    assert [r.line for r in records] == [1, 2, 3, 4]
    size = doc.stat().st_size
    assert size - 4 <= sum(r.size for r in records) <= size


@pytest.mark.parametrize(
    ("first", "repost", "other"),
    [
        (
            "Posted 2026-03-02. Ref. 4711: Du schneidest Reels für unsere Kanäle.",
            "posted 2026-04-11 – ref 5820 — du schneidest REELS für unsere Kanäle",
            "Posted 2026-03-02. Ref. 4711: Du schneidest Podcasts für unsere Kanäle.",
        ),
        (
            "Posted on 3/2/2026 (job #991): You answer comments on Instagram!",
            "POSTED ON 4/11/2026 (job #1002) you answer comments on instagram",
            "Posted on 3/2/2026 (job #991): You answer e-mails on Instagram!",
        ),
        (  # a board that turns typography into ASCII, and bullets into dashes
            "„Mittendrin statt nur dabei“ – so arbeiten wir.\n• Du planst Posts…",
            '"Mittendrin statt nur dabei" - so arbeiten wir.\n- Du planst Posts...',
            "„Mittendrin statt nur dabei“ – so arbeiten wir.\n• Du planst Podcasts…",
        ),
    ],
)
def test_fingerprint_ignores_dates_numbers_case_and_punctuation_but_not_words(first, repost, other):
    from jobscope.analyze import fingerprint

    key = fingerprint("Social Media Manager (m/w/d)", "Acme", first)
    assert fingerprint("Social Media Manager (m/w/d)", "ACME", repost) == key
    assert fingerprint("Social Media Manager (m/w/d)", "Acme", other) != key
    assert fingerprint("Social Media Manager (m/w/d)", "Beispiel AG", first) != key


def test_dropping_typography_equals_removing_each_mark() -> None:
    """The fingerprint drops its typographic marks in two scans of the text; the plain way,
    one `replace` per mark, is the reference. Checked on every ad we have and on texts where
    marks sit next to each other, next to other characters of their UTF-8 blocks (a non-breaking
    space, "§", "†", "‰") and at the ends."""
    from jobscope.analyze import _TYPOGRAPHY, _drop_typography

    def reference(data: bytes) -> bytes:
        for mark in _TYPOGRAPHY:
            data = data.replace(mark.encode(), b"")
        return data

    root = Path(__file__).resolve().parent.parent
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for folder in ("corpus/ads", "examples", "tests/fixtures")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in {".md", ".txt", ".html", ".json", ".jsonl", ".csv"}
    ]
    marks = [*_TYPOGRAPHY, "\u00a0", "§", "†", "‰", "€", "a", " ", "ä"]
    texts += ["".join(marks[(i * 7 + j) % len(marks)] for j in range(i % 9)) for i in range(400)]
    texts += ["––", "«»", "…a…", "·", "\u00a0«\u00a0»", "\ud83d–"]
    assert len(texts) > 400
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        assert _drop_typography(data) == reference(data), text

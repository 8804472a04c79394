"""The CLI end to end: every input kind, every output format, every error path and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADS, EXAMPLES, Result, Server, slow

HEAVY = {
    "sklearn",
    "bs4",
    "requests",
    "urllib3",
    "joblib",
    "numpy",
    "scipy",
    "charset_normalizer",
    "ftfy",
    "cachecontrol",
    "protego",
    "tqdm",
    "defusedxml",
}


def _check_json(result: Result) -> dict:
    assert result.exit_code == 0, result.stderr
    return result.json()


# --- input kinds --------------------------------------------------------------------------------


def test_check_text_file_reports_overloaded_german_ad(run) -> None:
    report = _check_json(run("check", str(EXAMPLES / "social-media-manager-de.txt"), "-f", "json"))
    assert report["title"] == "Social Media Manager (m/w/d)"
    assert report["language"] == "de"
    assert report["source"] == {
        "kind": "file",
        "location": str(EXAMPLES / "social-media-manager-de.txt"),
    }
    assert report["date_posted"] == "2026-03-12"
    assert {"instagram", "tiktok", "google_plus", "xing"} <= set(report["networks"]["demanded"])
    codes = [flag["code"] for flag in report["flags"]]
    assert codes == [
        "kitchen_sink",
        "defunct_network",
        "impossible_experience",
        "always_on",
        "no_salary",
    ]
    assert report["score"] == 0
    assert "Plattformen" in report["flags"][0]["message"]  # a German ad gets German messages


def test_check_markdown_file(run) -> None:
    report = _check_json(
        run("check", str(EXAMPLES / "community-manager-en.md"), "--format", "json")
    )
    assert report["language"] == "en"
    assert report["primary_specialism"] == "community"
    assert report["networks"]["demanded"] == ["discord", "instagram"]


def test_check_html_with_jsonld_takes_structured_fields(run) -> None:
    report = _check_json(run("check", str(EXAMPLES / "social-video-creator-de.html"), "-f", "json"))
    assert report["title"] == "Social Video Creator (w/m/d)"
    assert report["date_posted"] is not None
    assert report["company"]
    assert report["salary"]["currency"] == "EUR"


def test_check_schema_org_json(run) -> None:
    report = _check_json(run("check", str(ADS / "en-jobposting.json"), "-f", "json"))
    assert report["title"] == "Social Media Analyst"
    assert report["date_posted"] == "2026-07-20"


def test_check_job_board_record_json(run) -> None:
    report = _check_json(run("check", str(ADS / "de-board-record.json"), "-f", "json"))
    assert report["date_posted"] == "2026-09-14"
    assert report["language"] == "de"
    assert report["requirements"]


def test_check_a_record_with_half_a_surrogate_pair(run, tmp_path) -> None:
    # "\\ud83d" without its partner: json.loads keeps a lone surrogate, which no UTF-8 output
    # can hold; it becomes U+FFFD instead of an internal error.
    record = tmp_path / "record.json"
    record.write_text(
        '{"title": "Social Media Manager \\ud83d", "description": '
        '"Du planst Posts auf Instagram und TikTok. Du schneidest Reels."}',
        encoding="utf-8",
    )
    report = _check_json(run("check", str(record), "-f", "json"))
    assert report["title"] == "Social Media Manager \ufffd"


def test_check_reads_stdin(run) -> None:
    data = (EXAMPLES / "community-manager-en.md").read_bytes()
    report = _check_json(run("check", "-", "-f", "json", stdin=data))
    assert report["source"] == {"kind": "stdin", "location": "-"}
    assert report["title"] == "Community Manager (m/f/d)"


def test_check_stdin_through_a_real_pipe() -> None:
    data = (EXAMPLES / "social-media-manager-de.txt").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "jobscope", "check", "-", "--format", "json"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["source"]["kind"] == "stdin"


def test_check_url_against_local_server(run, http_server: Server) -> None:
    page = (EXAMPLES / "social-video-creator-de.html").read_bytes()
    http_server.routes["/job"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page)
    report = _check_json(run("check", f"{http_server.url}/job", "--allow-private", "-f", "json"))
    assert report["source"]["kind"] == "url"
    assert report["title"] == "Social Video Creator (w/m/d)"
    agent = http_server.seen[-1]["user-agent"]
    assert agent.startswith("jobscope/") and "http" in agent


def test_check_url_follows_redirect_and_decodes_meta_charset(run, http_server: Server) -> None:
    text = (
        "<html><head><meta charset='windows-1252'><title>x</title></head><body>"
        "<h1>Social Media Manager (m/w/d)</h1><h2>Deine Aufgaben</h2>"
        "<ul><li>Du betreust unsere Kanäle auf Instagram und TikTok für München</li></ul>"
        "</body></html>"
    )
    http_server.routes["/old"] = (301, {"Location": "/new"}, b"")
    http_server.routes["/new"] = (200, {"Content-Type": "text/html"}, text.encode("cp1252"))
    report = _check_json(run("check", f"{http_server.url}/old", "--allow-private", "-f", "json"))
    assert report["source"]["location"].endswith("/new")
    assert "München" in report["requirements"][0]["text"]


# --- output formats -----------------------------------------------------------------------------


def test_text_format_draws_profile_bars_without_color_when_piped(run) -> None:
    result = run("check", str(EXAMPLES / "social-media-manager-de.txt"), "--format", "text")
    assert result.exit_code == 0
    assert "Specialism profile" in result.stdout
    assert "█" in result.stdout
    assert "\033[" not in result.stdout


def test_markdown_format(run) -> None:
    result = run("check", str(EXAMPLES / "community-manager-en.md"), "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Community Manager (m/f/d)")
    assert "| section | item | labels |" in result.stdout


def test_auto_format_is_json_when_not_a_terminal(run) -> None:
    result = run("check", str(EXAMPLES / "community-manager-en.md"))
    assert result.json()["schema"] == "jobscope.report/1"


def test_explain_lists_terms_per_label(run) -> None:
    report = _check_json(
        run("check", str(EXAMPLES / "community-manager-en.md"), "-f", "json", "--explain")
    )
    explained = [r for r in report["requirements"] if r.get("explanation")]
    assert explained
    assert all(terms for r in explained for terms in r["explanation"].values())


# --- errors and exit codes ----------------------------------------------------------------------


def _one_line_error(result: Result, code: int, needle: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_file(run) -> None:
    _one_line_error(run("check", "does-not-exist.txt"), 3, "no such file")


def test_empty_file(run, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n\n ")
    _one_line_error(run("check", str(path)), 3, "is empty")


def test_binary_file(run, tmp_path: Path) -> None:
    path = tmp_path / "ad.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _one_line_error(run("check", str(path)), 3, "PNG image")


def test_undecodable_bytes(run, tmp_path: Path) -> None:
    path = tmp_path / "ad.txt"
    path.write_bytes(bytes(range(128, 256)) * 20)
    _one_line_error(run("check", str(path)), 3, "encoding")


def test_broken_json(run, tmp_path: Path) -> None:
    path = tmp_path / "posting.json"
    path.write_text('{"title": "Social Media Manager", "description": "Aufgaben', encoding="utf-8")
    _one_line_error(run("check", str(path)), 3, "broken JSON")


def test_json_without_description(run, tmp_path: Path) -> None:
    path = tmp_path / "posting.json"
    path.write_text('{"title": "Social Media Manager"}', encoding="utf-8")
    _one_line_error(run("check", str(path)), 3, "no description")


def test_json_with_several_records_is_a_usage_error(run, tmp_path: Path) -> None:
    path = tmp_path / "postings.json"
    path.write_text(
        json.dumps([{"title": "a", "text": "x"}, {"title": "b", "text": "y"}]), encoding="utf-8"
    )
    _one_line_error(run("check", str(path)), 2, "holds 2 records")


def test_html_without_text(run, tmp_path: Path) -> None:
    path = tmp_path / "ad.html"
    path.write_text(
        "<html><body><script>var a = 1;</script><nav>Menu</nav></body></html>", encoding="utf-8"
    )
    _one_line_error(run("check", str(path)), 3, "no visible text")


def test_huge_file(run, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"Social Media Manager\n" + b"Du postest auf Instagram. " * 250_000)
    _one_line_error(run("check", str(path)), 3, "larger than")


def test_directory_is_not_an_ad(run, tmp_path: Path) -> None:
    _one_line_error(run("check", str(tmp_path)), 3, "directory")


def test_unreachable_url(run) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    _one_line_error(run("check", "http://127.0.0.1:9/job", "--allow-private"), 3, "cannot reach")


def test_private_address_is_refused(run, http_server: Server) -> None:
    http_server.routes["/job"] = (200, {"Content-Type": "text/html"}, b"<h1>x</h1>")
    _one_line_error(run("check", f"{http_server.url}/job"), 4, "non-public address")
    assert http_server.seen == []


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "0.0.0.0"],
)
def test_non_public_hosts_are_refused(host: str) -> None:
    from jobscope.errors import RefusedError
    from jobscope.scrape import check_public_host

    with pytest.raises(RefusedError, match="non-public address"):
        check_public_host(host, 80)


def test_public_address_literal_passes() -> None:
    from jobscope.scrape import check_public_host

    check_public_host("93.184.216.34", 80)  # an IP literal needs no DNS


def test_http_error_status(run, http_server: Server) -> None:
    _one_line_error(run("check", f"{http_server.url}/missing", "--allow-private"), 3, "HTTP 404")


def test_redirect_loop(run, http_server: Server) -> None:
    http_server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    _one_line_error(run("check", f"{http_server.url}/loop", "--allow-private"), 3, "redirects")


def test_image_served_for_a_page(run, http_server: Server) -> None:
    http_server.routes["/job"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n")
    _one_line_error(run("check", f"{http_server.url}/job", "--allow-private"), 3, "image/png")


def test_oversized_body(run, http_server: Server, tmp_path: Path) -> None:
    config = tmp_path / "jobscope.toml"
    config.write_text("[jobscope]\nmax_input_bytes = 10000\n", encoding="utf-8")
    body = b"<html><body><p>" + b"Instagram " * 5000 + b"</p></body></html>"
    http_server.routes["/big"] = (200, {"Content-Type": "text/html"}, body)
    result = run("check", f"{http_server.url}/big", "--allow-private", "--config", str(config))
    _one_line_error(result, 3, "larger than 10,000 bytes")


def test_slow_server_times_out(run, http_server: Server, tmp_path: Path) -> None:
    config = tmp_path / "jobscope.toml"
    config.write_text("[jobscope]\nread_timeout = 0.5\n", encoding="utf-8")
    http_server.routes["/slow"] = slow(3, (200, {"Content-Type": "text/html"}, b"<p>late</p>"))
    result = run("check", f"{http_server.url}/slow", "--allow-private", "--config", str(config))
    _one_line_error(result, 3, "timed out")


def test_not_a_web_url(run) -> None:
    # ftp:// is not read as a URL, so it is looked up as a file and not found.
    _one_line_error(run("check", "ftp://example.org/ad.txt"), 3, "no such file")


def test_unknown_option_is_a_usage_error(run) -> None:
    result = run("check", str(EXAMPLES / "community-manager-en.md"), "--bogus")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_bad_config_is_a_usage_error(run, tmp_path: Path) -> None:
    config = tmp_path / "jobscope.toml"
    config.write_text("[jobscope]\nno_such_setting = 1\n", encoding="utf-8")
    _one_line_error(
        run("check", str(EXAMPLES / "community-manager-en.md"), "--config", str(config)),
        2,
        "unknown setting",
    )


def test_tampered_model_named_by_the_user_is_refused(run, tmp_path: Path) -> None:
    from jobscope.resources import shipped_path

    models = shipped_path("models")
    assert models is not None
    model = tmp_path / "specialism.joblib"
    model.write_bytes((models / "specialism.joblib").read_bytes() + b"\0")
    (tmp_path / "specialism.card.json").write_bytes((models / "specialism.card.json").read_bytes())
    result = run("check", str(EXAMPLES / "community-manager-en.md"), "--model", str(model))
    _one_line_error(result, 4, "does not match its card")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobscope", "--debug", "check", str(tmp_path / "nope.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" in done.stderr


# --- start-up -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["--help"], ["check", "--help"], ["scrape", "--help"], ["train", "--help"], ["--version"]],
)
def test_help_and_version_import_no_heavy_modules(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from jobscope.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(HEAVY)!r})\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobscope", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    from jobscope import __version__

    assert done.stdout.strip() == f"jobscope {__version__}"


def test_no_color_and_pipes_get_plain_text() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobscope",
            "check",
            str(EXAMPLES / "community-manager-en.md"),
            "-f",
            "text",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0
    assert "\033[" not in done.stdout


# --- flags, --fail-on, --lang, --set, score ------------------------------------------------------


@pytest.mark.parametrize(
    ("ad", "level", "code"),
    [
        ("social-media-manager-de.txt", "error", 5),  # kitchen_sink is an error
        ("marketing-assistant-en.txt", "error", 0),  # only side_job, a warning
        ("marketing-assistant-en.txt", "warning", 5),
        ("community-manager-en.md", "info", 0),  # no flags at all
    ],
)
def test_check_fail_on_gates_by_severity(run, ad: str, level: str, code: int) -> None:
    result = run("check", str(EXAMPLES / ad), "-f", "json", "--fail-on", level)
    assert result.exit_code == code, result.stderr
    assert result.json()["title"]  # the report is printed either way


def test_check_fail_on_follows_severity_set_per_run(run) -> None:
    ad = str(EXAMPLES / "marketing-assistant-en.txt")
    result = run(
        "check", ad, "-f", "json", "--fail-on", "error", "--set", "flag_severity.side_job=error"
    )
    assert result.exit_code == 5
    result = run(
        "check", ad, "-f", "json", "--fail-on", "warning", "--set", "flags_disabled=side_job"
    )
    assert result.exit_code == 0
    assert result.json()["flags"] == []


def test_check_lang_overrides_message_language(run) -> None:
    ad = str(EXAMPLES / "social-media-manager-de.txt")
    report = run("check", ad, "-f", "json", "--lang", "en").json()
    assert report["flags"][0]["message"].startswith("One position for several jobs")
    assert report["language"] == "de"  # the ad's language is unchanged


def test_check_set_thresholds_per_run_and_in_config(run, tmp_path: Path) -> None:
    ad = str(EXAMPLES / "social-media-manager-de.txt")
    relaxed = ["--set", "kitchen_sink_min_platforms=20", "--set", "kitchen_sink_min_professions=20"]
    report = run("check", ad, "-f", "json", *relaxed).json()
    assert "kitchen_sink" not in [f["code"] for f in report["flags"]]
    config = tmp_path / "jobscope.toml"
    config.write_text(
        "[jobscope]\nkitchen_sink_min_platforms = 20\nkitchen_sink_min_professions = 20\n"
        'flag_severity = { no_salary = "error" }\n',
        encoding="utf-8",
    )
    report = run("check", ad, "-f", "json", "--config", str(config)).json()
    flags = {f["code"]: f["severity"] for f in report["flags"]}
    assert "kitchen_sink" not in flags
    assert flags["no_salary"] == "error"
    assert flags["defunct_network"] == "error"  # the other severities keep their defaults


@pytest.mark.parametrize(
    "assignment",
    ["nonsense=1", "kitchen_sink_min_platforms=many", "flag_severity.no_salary=fatal", "novalue"],
)
def test_check_bad_set_is_a_usage_error(run, assignment: str) -> None:
    result = run("check", str(EXAMPLES / "community-manager-en.md"), "--set", assignment)
    assert result.exit_code == 2
    assert result.stderr.startswith("jobscope: error:") and len(result.stderr.splitlines()) == 1


def test_check_text_shows_flags_with_evidence_and_suggestion(run) -> None:
    result = run("check", str(EXAMPLES / "social-media-manager-de.txt"), "-f", "text")
    assert result.exit_code == 0
    assert "Realism score: 0/100" in result.stdout
    assert "[error] kitchen_sink:" in result.stdout
    assert "» " in result.stdout and "→ Teilen Sie" in result.stdout
    markdown = run("check", str(EXAMPLES / "social-media-manager-de.txt"), "-f", "markdown").stdout
    assert "## Flags" in markdown and "*Suggestion:*" in markdown


def test_score_ranks_ads_by_realism(run) -> None:
    ads = [
        str(EXAMPLES / "social-media-manager-de.txt"),
        str(EXAMPLES / "community-manager-en.md"),
        str(EXAMPLES / "marketing-assistant-en.txt"),
    ]
    result = run("score", *ads, "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [row["source"] for row in rows] == [ads[1], ads[2], ads[0]]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert rows[0]["score"] > rows[1]["score"] > rows[2]["score"]
    assert rows[2]["flags"][0] == "kitchen_sink"
    assert rows[0]["primary_specialism"] == "community"
    text = run("score", *ads, "-f", "text").stdout
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["#", "score", "title"]
    assert "Community Manager (m/f/d)" in lines[1] and "Social Media Manager" in lines[3]


def test_score_goes_on_when_one_ad_is_bad(run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = run("score", str(empty), str(EXAMPLES / "community-manager-en.md"), "-f", "json")
    assert result.exit_code == 1
    assert [row["title"] for row in result.json()] == ["Community Manager (m/f/d)"]
    assert "empty.txt" in result.stderr and result.stderr.count("\n") == 1


def test_score_with_no_readable_ad_exits_3(run, tmp_path: Path) -> None:
    result = run("score", str(tmp_path / "missing.txt"), str(tmp_path / "gone.txt"))
    assert result.exit_code == 3
    assert result.stdout == ""


def test_every_command_has_help_and_is_in_the_readme() -> None:
    from typer.main import get_command

    from jobscope.cli import app
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert {"check", "score", "scrape", "train", "evaluate"} <= set(commands)
    for name, command in commands.items():
        assert command.help, name
        assert f"jobscope {name} " in readme, name

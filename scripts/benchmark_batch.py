"""Speed and memory of `jobscope batch`, printed as figures (not a test).

    python scripts/benchmark_batch.py            # 10,000 and 100,000 ads (several minutes)
    python scripts/benchmark_batch.py --ads 2000 --big 20000   # quicker

Builds a corpus of ads of about 3 KB from our own corpus (each corpus ad, filled up with
"about us" and benefit paragraphs of other corpus ads, so the requirement items stay those of
a real ad; every longer line marked with a code of its own, so that no cache sees a line twice),
writes it as JSONL, and prints in one run:

- ads per second of the bare model: scikit-learn's predict_proba on the requirement items of
  the same ads, one call per chunk of `batch_chunk_size` ads, as the batch makes them;
- ads per second of `jobscope batch --jobs 1` and `--jobs 2`: the wall time of the whole command
  less that of the same command on one ad (start-up, worker processes, model loading);
- the peak memory (max RSS) of `jobscope batch --jobs 1` with a summary and a report, for the
  small and the big corpus.

Targets (issue 6): batch --jobs 1 at least half the bare model's rate; --jobs 2 at least 1.7 times
--jobs 1; at least 300 ads per second per core; the big run's peak memory no more than a small
margin above the small run's. Figures from one run are comparable with each other; these
machines are shared, so compare ratios, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobscope.analyze import get_classifier  # noqa: E402
from jobscope.ingest import load_ad  # noqa: E402
from jobscope.segment import requirement_items, segment  # noqa: E402
from jobscope.settings import Settings  # noqa: E402

TARGET_BYTES = 3000
FILLER_KINDS = {"about", "benefits", "application"}


def corpus_ads() -> list[tuple[str, str, str | None]]:
    """(title, description, company) of every ad of our corpus."""
    out = []
    for path in sorted((ROOT / "corpus" / "ads").glob("*/*")):
        if path.suffix in {".md", ".txt", ".html"}:
            ad = load_ad(str(path))
            out.append((ad.title, ad.description, ad.company))
    return out


def fillers(ads: list[tuple[str, str, str | None]]) -> list[str]:
    """Paragraphs of our ads that are about the employer, its benefits or how to apply."""
    from jobscope.model import JobAd

    out = []
    for title, description, _ in ads:
        for section in segment(
            JobAd(title=title, description=description, description_format="markdown")
        ):
            if section.kind in FILLER_KINDS:
                text = "\n".join(block.text for block in section.blocks)
                if len(text) > 80:
                    out.append(text)
    return out


def unique_lines(text: str, k: int) -> str:
    """Each longer line (items and paragraphs; headings are short) gets a code of its own, such
    as "[zqbcd]", so that no cache of the pipeline sees the same line twice, as in a corpus of
    distinct ads. The code is no word the model or the detectors know."""
    code, rest = "", k
    for _ in range(4):
        rest, digit = divmod(rest, 26)
        code += chr(ord("a") + digit)
    lines = text.split("\n")
    return "\n".join(f"{line} [zq{code}]" if len(line) > 40 else line for line in lines)


def build(n: int, path: Path) -> float:
    """Write n ads of about 3 KB as JSONL; return their mean description size in bytes."""
    ads = corpus_ads()
    extra = fillers(ads)
    total = 0
    with path.open("w", encoding="utf-8") as out:
        for k in range(n):
            title, description, company = ads[k % len(ads)]
            parts = [description]
            j = k
            while sum(len(p.encode()) for p in parts) < TARGET_BYTES and extra:
                j = (j * 7 + 3) % len(extra)
                parts.append(extra[j])
            text = unique_lines("\n\n".join(parts), k)
            total += len(text.encode())
            record = {
                "id": f"bench-{k}",
                "title": title,
                "description": text,
                "company": company or f"Firma {k % 97}",
                "date_posted": f"202{4 + k % 3}-{k % 12 + 1:02d}-15",
                "url": f"https://jobs.example/{k}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return total / n


def bare_model_rate(path: Path, n: int) -> tuple[float, float]:
    """Ads/s and items per ad of predict_proba alone on the items of the first n ads."""
    from jobscope.ingest import record_to_ad

    settings = Settings()
    classifier = get_classifier(settings)
    chunks: list[list[str]] = []
    items_total = 0
    with path.open(encoding="utf-8") as handle:
        texts: list[str] = []
        for k, line in enumerate(handle):
            if k >= n:
                break
            ad = record_to_ad(json.loads(line))
            items = [item.text for item in requirement_items(segment(ad))]
            texts.extend(items)
            items_total += len(items)
            if (k + 1) % settings.batch_chunk_size == 0:
                chunks.append(texts)
                texts = []
        if texts:
            chunks.append(texts)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for texts in chunks:
            classifier.pipeline.predict_proba(texts)
        best = min(best, time.perf_counter() - start)
    return n / best, items_total / n


def run_batch(path: Path, out: Path, *, jobs: int, summary: bool = False) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one `jobscope batch` command."""
    command = [sys.executable, "-m", "jobscope", "batch", str(path), "-o", str(out), "--overwrite"]
    command += ["--jobs", str(jobs)]
    if summary:
        command += ["--summary", str(out) + ".md", "--report", str(out) + ".html"]
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(p.returncode, wall, rss)\n"
        "sys.stderr.write(p.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True
    )
    code, wall, rss = done.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"batch failed ({code}): {done.stderr}")
    return float(wall), int(rss)


def rate(path: Path, one: Path, out: Path, *, jobs: int, n: int) -> tuple[float, float]:
    """(ads/s without start-up, start-up seconds) of `batch --jobs N` on n ads."""
    startup, _ = run_batch(one, out, jobs=jobs)
    wall, _ = run_batch(path, out, jobs=jobs)
    return (n - 1) / max(wall - startup, 1e-9), startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", type=int, default=10_000, help="the small corpus (speed)")
    parser.add_argument("--big", type=int, default=100_000, help="the big corpus (memory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, big, one = (Path(tmp) / f"{n}.jsonl" for n in ("small", "big", "one"))
        size = build(args.ads, small)
        build(args.big, big)
        build(1, one)
        out = Path(tmp) / "out.jsonl"
        bare, items = bare_model_rate(small, min(args.ads, 5000))
        jobs1, start1 = rate(small, one, out, jobs=1, n=args.ads)
        jobs2, start2 = rate(small, one, out, jobs=2, n=args.ads)
        _, rss_small = run_batch(small, out, jobs=1, summary=True)
        wall_big, rss_big = run_batch(big, out, jobs=1, summary=True)
    print(f"ads: {args.ads:,} of {size:,.0f} bytes on average, {items:.1f} requirement items each")
    print(f"bare model (predict_proba per chunk): {bare:8,.0f} ads/s")
    print(f"batch --jobs 1:                       {jobs1:8,.0f} ads/s  (start-up {start1:.1f} s)")
    print(f"batch --jobs 2:                       {jobs2:8,.0f} ads/s  (start-up {start2:.1f} s)")
    print(f"ratio batch --jobs 1 / bare model:    {jobs1 / bare:8.2f}   (target >= 0.5)")
    print(f"ratio --jobs 2 / --jobs 1:            {jobs2 / jobs1:8.2f}   (target >= 1.7)")
    print(f"ads/s per core (--jobs 1):            {jobs1:8,.0f}   (target >= 300)")
    print(f"peak memory, {args.ads:>7,} ads:          {rss_small / 1024:8.1f} MiB")
    big_line = f"peak memory, {args.big:>7,} ads:          {rss_big / 1024:8.1f} MiB"
    print(f"{big_line}  (wall {wall_big:.0f} s)")
    print(f"ratio big / small:                    {rss_big / rss_small:8.2f}")


if __name__ == "__main__":
    main()

"""The labelled corpus we write ourselves: requirement items and whole ads.

Layout of `corpus/`:
- `items/*.jsonl`: loose requirement items (always training data);
- `ads/<batch>/<NNN>.{txt,md,html}` with `ads/<batch>.jsonl`: whole ads and their labels, every
  requirement item of an ad labelled; these items are training or held-out data by ad;
- `split.json`: the fixed list of held-out ads.

`python -m jobscope.corpus check FILE.jsonl` validates an ad batch (used while writing ads).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jobscope.errors import FormatError, ModelError
from jobscope.model import FLAG_CODES, LABELS, SPECIALISMS

ITEM_KEYS = ("id", "ad", "lang", "section", "labels", "text")
AD_KEYS = (
    "ad",
    "file",
    "lang",
    "title",
    "date_posted",
    "social_media_role",
    "primary_specialism",
    "demanded_specialisms",
    "networks_demanded",
    "networks_mentioned",
    "flags",
    "items",
)
SPLIT_FILE = "split.json"


@dataclass(frozen=True)
class CorpusItem:
    id: str
    ad: str
    lang: str
    section: str
    labels: tuple[str, ...]
    text: str
    optional: bool = False

    @property
    def specialisms(self) -> tuple[str, ...]:
        return tuple(label for label in self.labels if label != "general")


@dataclass
class CorpusAd:
    """A whole ad with its ad-level labels and its labelled requirement items."""

    id: str
    path: Path
    lang: str
    title: str
    date_posted: date | None
    social_media_role: bool
    primary_specialism: str
    demanded_specialisms: list[str]
    networks_demanded: list[str]
    networks_mentioned: list[str]
    flags: list[str]
    items: list[CorpusItem] = field(default_factory=list)


def _check_labels(labels: Any, where: str) -> tuple[str, ...]:
    if not isinstance(labels, list) or not labels:
        raise FormatError(f"{where}: labels must be a non-empty list")
    bad = [label for label in labels if label not in LABELS]
    if bad:
        raise FormatError(f"{where}: unknown labels {bad}")
    if "general" in labels and len(labels) > 1:
        raise FormatError(f"{where}: 'general' combined with a specialism")
    if len(set(labels)) != len(labels):
        raise FormatError(f"{where}: repeated labels {labels}")
    return tuple(sorted(labels))


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"{path.name}:{number}: broken JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise FormatError(f"{path.name}:{number}: not a JSON object")
        rows.append((number, row))
    return rows


def load_item_files(corpus_dir: Path) -> list[CorpusItem]:
    """Loose items of `corpus_dir/items/*.jsonl` (ids prefixed "items:"; always training data)."""
    items: list[CorpusItem] = []
    for path in sorted((Path(corpus_dir) / "items").glob("*.jsonl")):
        for number, row in _rows(path):
            where = f"{path.name}:{number}"
            missing = [k for k in ITEM_KEYS if k not in row]
            if missing:
                raise FormatError(f"{where}: missing {', '.join(missing)}")
            # Loose items live in their own namespace: their group ids never meet whole ads'.
            items.append(
                CorpusItem(
                    id=f"items:{row['id']}",
                    ad=f"items:{row['ad']}",
                    lang=row["lang"],
                    section=row["section"],
                    labels=_check_labels(row["labels"], where),
                    text=row["text"],
                )
            )
    return items


def ad_text(path: Path) -> str:
    """The readable text of an ad file (HTML tags removed), whitespace folded."""
    from jobscope.decode import decode_bytes
    from jobscope.normalize import clean_text, one_line

    html = path.suffix in {".html", ".htm"}
    text, _ = decode_bytes(path.read_bytes(), what=str(path), html=html)
    if html:
        from jobscope.extract import soup_of

        text = soup_of(text).get_text(" ")
    return one_line(clean_text(text))


def load_ad_batch(labels_path: Path, *, check_text: bool = True) -> list[CorpusAd]:
    """One batch of whole ads: `ads/<batch>.jsonl` and its ad files."""
    from jobscope.extract import parse_date
    from jobscope.normalize import clean_text, one_line
    from jobscope.platforms import platforms

    known = platforms()
    base = labels_path.parent
    ads: list[CorpusAd] = []
    for number, row in _rows(labels_path):
        where = f"{labels_path.name}:{number}"
        missing = [k for k in AD_KEYS if k not in row]
        if missing:
            raise FormatError(f"{where}: missing {', '.join(missing)}")
        path = base / row["file"]
        if not path.is_file():
            raise FormatError(f"{where}: ad file {row['file']} not found")
        if row["primary_specialism"] not in (*SPECIALISMS, "none"):
            raise FormatError(f"{where}: bad primary_specialism {row['primary_specialism']!r}")
        bad = [s for s in row["demanded_specialisms"] if s not in SPECIALISMS]
        if bad:
            raise FormatError(f"{where}: bad demanded_specialisms {bad}")
        for key in ("networks_demanded", "networks_mentioned"):
            bad = [p for p in row[key] if p not in known]
            if bad:
                raise FormatError(f"{where}: unknown platform ids in {key}: {bad}")
        overlap = set(row["networks_demanded"]) & set(row["networks_mentioned"])
        if overlap:
            raise FormatError(f"{where}: {sorted(overlap)} both demanded and mentioned")
        bad_flags = [f for f in row["flags"] if f not in FLAG_CODES]
        if bad_flags:
            raise FormatError(f"{where}: unknown flags {bad_flags}")
        text = ad_text(path) if check_text else ""
        ad = CorpusAd(
            id=row["ad"],
            path=path,
            lang=row["lang"],
            title=row["title"],
            date_posted=parse_date(row["date_posted"]) if row["date_posted"] else None,
            social_media_role=bool(row["social_media_role"]),
            primary_specialism=row["primary_specialism"],
            demanded_specialisms=list(row["demanded_specialisms"]),
            networks_demanded=list(row["networks_demanded"]),
            networks_mentioned=list(row["networks_mentioned"]),
            flags=list(row["flags"]),
        )
        if not row["items"]:
            raise FormatError(f"{where}: no items")
        for index, item in enumerate(row["items"], start=1):
            item_where = f"{where} item {index}"
            if item.get("section") not in {"tasks", "profile"}:
                raise FormatError(f"{item_where}: section must be tasks or profile")
            item_text = str(item.get("text", "")).strip()
            if check_text and one_line(clean_text(item_text)) not in text:
                raise FormatError(
                    f"{item_where}: text not found in {row['file']}: {item_text[:60]!r}"
                )
            ad.items.append(
                CorpusItem(
                    id=f"{ad.id}-{index:02d}",
                    ad=ad.id,
                    lang=ad.lang,
                    section=item["section"],
                    labels=_check_labels(item.get("labels"), item_where),
                    text=item_text,
                    optional=bool(item.get("optional", False)),
                )
            )
        ads.append(ad)
    return ads


def load_ads(corpus_dir: Path, *, check_text: bool = False) -> list[CorpusAd]:
    ads: list[CorpusAd] = []
    for path in sorted((Path(corpus_dir) / "ads").glob("*.jsonl")):
        ads.extend(load_ad_batch(path, check_text=check_text))
    ids = Counter(ad.id for ad in ads)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise FormatError(f"duplicate ad ids: {dupes[:5]}")
    return ads


def test_ad_ids(corpus_dir: Path) -> set[str]:
    path = Path(corpus_dir) / SPLIT_FILE
    if not path.is_file():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8"))["test_ads"])


@dataclass
class Corpus:
    items: list[CorpusItem]
    """Every labelled item: loose items and the items of all whole ads."""
    ads: list[CorpusAd]
    test_ads: set[str]

    @property
    def train_items(self) -> list[CorpusItem]:
        return [i for i in self.items if i.ad not in self.test_ads]

    @property
    def test_items(self) -> list[CorpusItem]:
        return [i for i in self.items if i.ad in self.test_ads]

    @property
    def held_out_ads(self) -> list[CorpusAd]:
        return [a for a in self.ads if a.id in self.test_ads]


def load_corpus(corpus_dir: Path, *, check_text: bool = False) -> Corpus:
    """The whole corpus; raises FormatError on the first bad line, ModelError when empty."""
    corpus_dir = Path(corpus_dir)
    items = load_item_files(corpus_dir)
    ads = load_ads(corpus_dir, check_text=check_text)
    for ad in ads:
        items.extend(ad.items)
    if not items:
        raise ModelError(f"no corpus items in {corpus_dir}")
    ids = Counter(item.id for item in items)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise FormatError(f"duplicate item ids: {dupes[:5]}")
    test = test_ad_ids(corpus_dir)
    unknown = test - {ad.id for ad in ads}
    if unknown:
        raise FormatError(f"{SPLIT_FILE} names ads that do not exist: {sorted(unknown)[:5]}")
    return Corpus(items=items, ads=ads, test_ads=test)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files whose contents define the corpus (what its hash covers)."""
    corpus_dir = Path(corpus_dir)
    files = [
        *corpus_dir.glob("items/*.jsonl"),
        *corpus_dir.glob("ads/*.jsonl"),
        *(p for p in corpus_dir.glob("ads/*/*") if p.is_file()),
    ]
    split = corpus_dir / SPLIT_FILE
    if split.is_file():
        files.append(split)
    return sorted(files)


def corpus_hash(corpus_dir: Path) -> str:
    """SHA-256 over the corpus files (relative names and contents, line endings normalised)."""
    corpus_dir = Path(corpus_dir)
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def near_duplicates(texts: list[str], *, threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs of texts whose character 3-5-gram TF-IDF cosine similarity reaches `threshold`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from jobscope.normalize import model_text

    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=model_text)
    vectors = matrix.fit_transform(texts)
    similarity = (vectors @ vectors.T).tocoo()
    pairs = [
        (int(i), int(j), float(s))
        for i, j, s in zip(similarity.row, similarity.col, similarity.data, strict=True)
        if i < j and s >= threshold
    ]
    return sorted(pairs, key=lambda p: -p[2])


def propose_split(ads: list[CorpusAd], *, every: int = 4) -> list[str]:
    """The held-out ads by our rule: in each batch, sorted by id, every `every`-th ad starting
    with the second (002, 006, 010, ...): a quarter of every batch, so both languages and every
    kind of ad are in the test set. Computed once, then frozen in split.json."""
    by_batch: dict[str, list[str]] = {}
    for ad in ads:
        by_batch.setdefault(ad.path.parent.name, []).append(ad.id)
    test: list[str] = []
    for ids in by_batch.values():
        test.extend(ad_id for i, ad_id in enumerate(sorted(ids)) if i % every == 1)
    return sorted(test)


def write_split(corpus_dir: Path) -> Path:
    ads = load_ads(corpus_dir)
    path = Path(corpus_dir) / SPLIT_FILE
    data = {
        "rule": "in each ads/ batch sorted by id, every 4th ad from the second is held out",
        "test_ads": propose_split(ads),
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def _check_main(paths: list[str]) -> int:
    status = 0
    for name in paths:
        path = Path(name)
        try:
            ads = load_ad_batch(path)
        except FormatError as exc:
            print(f"ERROR {exc}")
            status = 1
            continue
        items = [i for ad in ads for i in ad.items]
        labels = Counter(label for i in items for label in i.labels)
        flags = Counter(f for ad in ads for f in ad.flags)
        print(f"{path.name}: {len(ads)} ads, {len(items)} items")
        print("  labels: " + ", ".join(f"{k} {labels[k]}" for k in LABELS))
        print("  flags:  " + ", ".join(f"{k} {flags[k]}" for k in FLAG_CODES))
        primary = Counter(a.primary_specialism for a in ads)
        print("  primary: " + ", ".join(f"{k} {v}" for k, v in primary.items()))
        for i, j, s in near_duplicates([it.text for it in items], threshold=0.9):
            print(f"  near-duplicate items ({s:.2f}): {items[i].id} ~ {items[j].id}")
    return status


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "split":
        print(write_split(Path(sys.argv[2])))
        sys.exit(0)
    if len(sys.argv) < 3 or sys.argv[1] != "check":
        print("usage: python -m jobscope.corpus check ADS.jsonl [...] | split CORPUS_DIR")
        sys.exit(2)
    sys.exit(_check_main(sys.argv[2:]))

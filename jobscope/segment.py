"""JobAd -> sections -> requirement items.

Works on one line-oriented view of every ad: HTML is first turned into marked text
("# " headings, "- " list items) by :mod:`jobscope.extract`; Markdown and plain text are
read as they are. Headings are found in all the forms ads use (HTML headings, Markdown
headings, bold lines, lines ending in a colon, known heading phrases), bullets in all
their forms (dashes, dots, emoji, numbers), and prose paragraphs are split into sentences.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from jobscope.extract import html_to_marked_text
from jobscope.model import Block, JobAd, Section
from jobscope.normalize import clean_text, fold_case, fold_gender, one_line, without_gender_tag
from jobscope.prefilter import (
    Needles,
    Prefiltered,
    needles_in,
    needles_in_all,
    word_list,
)
from jobscope.resources import load_json

_BULLET_CHARS = "-*•·–—▪▫◦●○■□►▶▸➤➔→✓✔✅☑✗+>"
_BULLET = re.compile(
    rf"^(?:[{re.escape(_BULLET_CHARS)}]|\d{{1,2}}[.)](?!\d)|[a-z][)])\s+(?P<text>.*)$"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<text>[^*_].*?)(\*\*|__)\s*:?\s*$")
_INLINE_HEADING = re.compile(r"^(?P<head>[^:.!?]{3,45}):\s+(?P<rest>\S.*)$")
_TRAILING_PUNCT_CHARS = " :;.,!?…–—-"
"""Punctuation a heading's bare form drops at its end (after one_line, whose only whitespace
is " ")."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»)]*\s+(?=[\"„“»(]?[A-ZÄÖÜ0-9])")
_ABBREVIATIONS = (
    "z. B.",
    "z.B.",
    "u. a.",
    "u.a.",
    "d. h.",
    "d.h.",
    "z. T.",
    "z.T.",
    "u. U.",
    "o. ä.",
    "o.ä.",
    "v. a.",
    "v.a.",
    "bzw.",
    "ca.",
    "ggf.",
    "inkl.",
    "evtl.",
    "usw.",
    "etc.",
    "e.g.",
    "i.e.",
    "vs.",
    "Dr.",
    "Nr.",
    "mind.",
    "max.",
    "min.",
    "sog.",
    "bspw.",
    "Std.",
    "Mio.",
    "Tsd.",
    "St.",
    "Str.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Prof.",
    "Abt.",
    "gem.",
    "zzgl.",
    "bzgl.",
    "Jh.",
    "approx.",
    "incl.",
)


def _abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern[str]:
    """The abbreviations as one case-insensitive pattern (an ad's sentence may start with one:
    "Mind. 3 Jahre Erfahrung", "Z. B."), the longest first where several match.

    `re` tries the pattern at every word start of a paragraph. Grouped by their first letter,
    the abbreviations are ruled out by one test per letter instead of one per abbreviation
    (twice as fast). The first letter tells the group (two first letters that fold apart
    match no character in common), and a group keeps the order of the longest first, so the
    pattern matches as the plain alternation of them all does."""
    groups: dict[str, list[str]] = {}
    for abbreviation in sorted(abbreviations, key=len, reverse=True):
        groups.setdefault(fold_case(abbreviation[0]), []).append(abbreviation)
    alternatives = (
        re.escape(group[0][0]) + "(?:" + "|".join(re.escape(a[1:]) for a in group) + ")"
        for group in groups.values()
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


_ABBREV_RE = _abbreviation_pattern(_ABBREVIATIONS)
_ORDINAL = re.compile(r"\b(\d{1,2})\.(?=\s+[A-ZÄÖÜ][a-zäöü])")
_PLACEHOLDER = "\u2024"  # one-dot leader stands in for a protected period


_EXPECT = re.compile(r"^(das|was) erwartet (dich|sie)|^was (dich|sie) erwartet")


@dataclass(frozen=True)
class _Patterns:
    order: tuple[str, ...]
    headings: dict[str, Prefiltered]
    prose: dict[str, Prefiltered]
    optional_item: Prefiltered


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = load_json("sections.json")
    return _Patterns(
        order=tuple(data["order"]),
        headings={k: word_list(v) for k, v in data["headings"].items()},
        prose={k: word_list(v) for k, v in data["prose_cues"].items() if not k.startswith("_")},
        optional_item=word_list(data["optional_item"]),
    )


class _SymbolsAndControls(dict[int, None]):
    """A str.translate table that deletes symbols (emoji, arrows, currency) and control
    characters. It learns each character's category the first time a text has it, so that
    translate deletes in one pass instead of a category look-up per character."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()
        self.deleted: set[str] = set()

    def delete_from(self, text: str) -> str:
        """`text` without its symbols and control characters."""
        chars = set(text)
        for char in chars - self.seen:
            if unicodedata.category(char)[0] in {"S", "C"}:
                self[ord(char)] = None
                self.deleted.add(char)
            self.seen.add(char)
        # translate looks up every character in the table (and a miss raises KeyError inside):
        # far slower than this test on the text's characters, and most texts have no symbol.
        return text.translate(self) if not self.deleted.isdisjoint(chars) else text


_SYMBOLS = _SymbolsAndControls()

_HEADING_CACHE_SIZE = 8192
"""Headings remembered with their bare form and kind: ads reuse a few hundred headings
("Deine Aufgaben", "Your profile"), and each is read several times while segmenting."""


@lru_cache(maxsize=_HEADING_CACHE_SIZE)
def _bare(text: str) -> str:
    """A heading without emoji, markup, gender forms and trailing punctuation, in lower case."""
    text = _SYMBOLS.delete_from(text)
    text = fold_gender(text).strip(" *_#:|-–—")
    return one_line(text).rstrip(_TRAILING_PUNCT_CHARS).lower()


@lru_cache(maxsize=_HEADING_CACHE_SIZE)
def heading_kind(heading: str) -> str | None:
    """The section kind a heading introduces ("optional": nice to have); None if unknown."""
    bare = _bare(heading)
    if not bare:
        return None
    patterns = _patterns()
    present = needles_in(bare)
    for kind in patterns.order:
        if patterns.headings[kind].search_with(bare, present):
            return kind
    return None


def is_optional_item(text: str) -> bool:
    """A "nice to have" item: a cue opens it ("Idealerweise ...", "Ideally ...") or closes its
    last clause ("... von Vorteil", "... is a plus"). A cue in the middle ("Englisch; Spanisch
    ist ein Plus", "Erfahrung, idealerweise im Handel") qualifies only part of the item."""
    pattern = _patterns().optional_item
    if not pattern.may_occur_in(fold_case(text)):
        return False  # the common case: an item read once, whose needles are not worth learning
    for match in pattern.finditer(text):
        if match.start() <= 12:
            return True
        tail = text[match.start() :]
        head = text[: match.start()]
        if (
            len(tail) <= 40
            and not re.search(r"[;,]|\b(und|and|sowie)\b", head[-25:])
            and (";" not in head)
        ):
            return True
    return False


_LOWER_LETTER = re.compile("[a-zäöüß]")
"""Letters that are not upper case (a line with one is not in capitals): a quick answer for
the common case before the test of every letter."""


def _looks_like_heading(line: str) -> bool:
    """A plain line that reads as a heading: short, no sentence end, a known phrase or a colon."""
    if len(line) > 70:  # before splitting: most lines of prose are long
        return False
    words = line.split()
    if not words or len(words) > 9:
        return False
    if line.endswith(":"):
        return True
    if line[-1] in ".;,":
        return False
    if len(words) <= 6 and heading_kind(line) is not None:  # the cheap test first
        return True
    return _in_capitals(line)


def _in_capitals(line: str) -> bool:
    """At least four letters, all of them upper case ("DEINE AUFGABEN")."""
    if _LOWER_LETTER.search(line):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


_SYMBOLS_IN_ASCII = "+<=>^`|~"
"""The ASCII characters of the categories _strip_leading_symbols removes (So, Sk, Sm, Mn, Cf)."""


def _strip_leading_symbols(line: str) -> tuple[str, bool]:
    """Remove emoji and symbol bullets; report whether there were any."""
    if line[:1].isascii() and line[:1] not in _SYMBOLS_IN_ASCII:
        return line, False  # the common case, without a category look-up
    i = 0
    while i < len(line) and (
        unicodedata.category(line[i]) in {"So", "Sk", "Sm", "Mn", "Cf"} or line[i] in "\ufe0f\u200d"
    ):
        i += 1
    if i and i < len(line) and line[i] == " ":
        return line[i:].strip(), True
    return line, False


def to_blocks(text: str) -> list[Block]:
    """Marked or plain text -> headings, bullet items and paragraphs."""
    blocks: list[Block] = []
    previous_blank = True
    lines = [raw.strip() for raw in text.split("\n")]
    # A text without bold markup (most of them) has only its blocks' spaces to lose.
    unbold = _unbold if "**" in text or "__" in text else str.strip
    for index, line in enumerate(lines):
        if not line:
            previous_blank = True
            continue
        # The patterns are anchored: a line can match them only with the first character.
        first = line[0]
        md = _MD_HEADING.match(line) if first == "#" else None
        bold = _BOLD_LINE.match(line) if first in "*_" else None
        stripped, had_symbol = _strip_leading_symbols(line)
        bullet = _BULLET.match(stripped) if not md else None
        is_bullet = bool(bullet) and not line.startswith("**")
        # Read once, and only for the lines the branches below ask about: it is the costly test.
        looks_like_heading = not (md or bold or is_bullet) and _looks_like_heading(stripped)
        if md or bold:
            heading = (md or bold).group("text")  # type: ignore[union-attr]
            blocks.append(Block("heading", heading.strip("*_ ").rstrip(":").strip()))
        elif is_bullet:
            blocks.append(Block("bullet", unbold(bullet.group("text"))))  # type: ignore[union-attr]
        elif had_symbol and _emoji_heading(line, stripped, lines, index, previous_blank):
            blocks.append(Block("heading", stripped.rstrip(":").strip()))
        elif had_symbol and not (
            looks_like_heading and (len(stripped.split()) <= 4 or stripped.endswith(":"))
        ):
            blocks.append(Block("bullet", unbold(stripped)))
        elif looks_like_heading and (
            # Inside a list, only a line with a colon opens a new section.
            previous_blank
            or had_symbol
            or not blocks
            or blocks[-1].kind != "bullet"
            or stripped.endswith(":")
        ):
            blocks.append(Block("heading", stripped.rstrip(":").strip()))
        else:
            # _INLINE_HEADING needs a colon after the 3 to 45 characters of its head.
            inline = _INLINE_HEADING.match(stripped) if ":" in stripped[3:46] else None
            if inline and heading_kind(inline.group("head")) not in {None, "other"}:
                blocks.append(Block("heading", inline.group("head").strip()))
                blocks.append(Block("para", unbold(inline.group("rest"))))
            elif (
                blocks
                and blocks[-1].kind in {"bullet", "para"}
                and not previous_blank
                and _continues(blocks[-1].text, stripped)
            ):
                blocks[-1].text = f"{blocks[-1].text} {unbold(stripped)}"
            else:
                blocks.append(Block("para", unbold(stripped)))
        previous_blank = False
    return blocks


def _emoji_heading(
    line: str, stripped: str, lines: list[str], index: int, previous_blank: bool
) -> bool:
    """ "⚡ Dein Zauberbuch" over a list of "🔹 ..." bullets: a short emoji-led line after a blank
    line, without sentence punctuation, whose next line starts differently, is a heading.
    `lines[index]` is the line."""
    words = stripped.split()
    if not previous_blank or not words or len(words) > 5 or stripped[-1] in ".,;!":
        return False
    # The next non-empty line: looked for only here, for the few lines that get this far.
    following = next(filter(None, islice(lines, index + 1, None)), "")
    if not following:
        return False
    marker = line[: len(line) - len(stripped)].strip()
    next_stripped, next_symbol = _strip_leading_symbols(following)
    next_marker = following[: len(following) - len(next_stripped)].strip()
    next_is_item = bool(next_symbol or _BULLET.match(following))
    return next_is_item and next_marker != marker


_BOLD = re.compile(r"(\*\*|__)(.+?)\1")


def _unbold(text: str) -> str:
    if "**" not in text and "__" not in text:
        return text.strip()
    return _BOLD.sub(r"\2", text).strip()


def _continues(previous: str, line: str) -> bool:
    """A line wrapped from the previous block (starts in lower case or the previous one is open)."""
    first = line[0]
    if first.islower():
        return True
    return previous.endswith((",", "-", "–", "&", "/", " und", " and", " oder", " or", "("))


def split_sentences(text: str) -> list[str]:
    """Sentences of a prose paragraph; German and English abbreviations do not end a sentence."""
    return list(_sentences_of(text))


_SENTENCE_CACHE_SIZE = 4096
"""Paragraphs remembered with their sentences: the items, the experience and the hours
detectors split the same paragraphs of an ad."""


@lru_cache(maxsize=_SENTENCE_CACHE_SIZE)
def _sentences_of(text: str) -> tuple[str, ...]:
    protected = text
    if "." in text:  # every abbreviation and ordinal has a period
        protected = _ABBREV_RE.sub(lambda m: m.group(0).replace(".", _PLACEHOLDER), protected)
        protected = _ORDINAL.sub(lambda m: m.group(1) + _PLACEHOLDER, protected)
    parts = _SENTENCE_END.split(protected)
    return tuple(p.replace(_PLACEHOLDER, ".").strip() for p in parts if p.strip())


def _prose_kind(text: str) -> str:
    present = needles_in(text)
    for kind, cues in _patterns().prose.items():
        if cues.search_with(text, present):
            return kind
    return "other"


def _prose_kind_among(
    text: str, kinds: frozenset[str], present: Needles | None = None
) -> str | None:
    """_prose_kind(text) if it is one of `kinds`, else None. Tries the cues in the same order
    but stops once the answer is known: a paragraph's cues are long patterns to run.

    `present`: the text's needles (needles_in), when the caller knows them already."""
    if present is None:
        present = needles_in(text)
    left = set(kinds)
    for kind, cues in _patterns().prose.items():
        if cues.search_with(text, present):
            return kind if kind in kinds else None
        left.discard(kind)
        if not left:
            return None
    return "other" if "other" in kinds else None


_OPENING_KINDS = frozenset({"application", "benefits"})
"""What text before the first heading can be besides the company's introduction."""
_APPLICATION = frozenset({"application"})


def segment(ad: JobAd) -> list[Section]:
    """Split an ad into sections. A "nice to have" heading opens a profile section marked
    `optional`."""
    text = ad.description
    if ad.description_format == "html":
        text = html_to_marked_text(text)
    blocks = to_blocks(clean_text(text))
    title_bare = _bare(without_gender_tag(ad.title)) if ad.title else ""
    sections: list[Section] = []
    current = Section("other", None)
    has_headings = False
    for block in blocks:
        if block.kind == "heading":
            bare = _bare(without_gender_tag(block.text))
            if title_bare and bare == title_bare and not sections and not current.blocks:
                continue  # the title repeated as the first heading
            kind = heading_kind(block.text)
            if (
                kind == "tasks"
                and _EXPECT.search(_bare(block.text))
                and any(s.kind == "tasks" for s in sections)
            ):
                kind = "benefits"  # "Was dich erwartet" after the tasks: what the company offers
            optional = kind == "optional"
            if kind is None:
                # An unknown sub-heading inside tasks or profile ("Content & Community")
                # continues it.
                kind = current.kind if current.kind in {"tasks", "profile"} else "other"
                optional = current.optional
            has_headings = has_headings or kind != "other"
            if current.blocks or current.heading:
                sections.append(current)
            current = Section("profile" if optional else kind, block.text, optional=optional)
        else:
            current.blocks.append(block)
    if current.blocks or current.heading:
        sections.append(current)
    if not has_headings:
        sections = _sections_from_prose(sections)
    _infer_unknown_sections(sections)
    if (
        len(sections) > 1
        and sections[0].heading is None
        and sections[0].kind == "other"
        and all(b.kind == "para" for b in sections[0].blocks)
    ):
        # Text before the first heading of a structured ad introduces the company or the job.
        opening = " ".join(b.text for b in sections[0].blocks)
        # The needles of the joined text are those of its paragraphs (needles lie within the
        # pieces str.split() makes, and joining with a space makes no new piece); the
        # paragraphs' needles are read once for the whole report (see flags.AdView.needles).
        present = needles_in_all(b.text for b in sections[0].blocks)
        sections[0].kind = _prose_kind_among(opening, _OPENING_KINDS, present) or "about"
    return _split_closing_paragraphs(sections)


_LATER = {"tasks": {"profile", "benefits"}, "profile": {"benefits"}, "benefits": set()}
"""The kinds that follow each kind in the usual order of an ad."""


def _infer_unknown_sections(sections: list[Section]) -> None:
    """A list under a heading we do not know ("Dein Zauberbuch") takes its kind from where it
    stands, in the order ads use: tasks, then profile, then benefits."""
    seen: set[str] = set()
    for section in sections:
        if (
            section.kind == "other"
            and section.heading
            and any(b.kind == "bullet" for b in section.blocks)
        ):
            for kind in ("tasks", "profile", "benefits"):
                if kind not in seen and not (seen & _LATER[kind]):
                    section.kind = kind
                    break
        seen.add(section.kind)


def _closing_kind(text: str) -> str | None:
    """What a closing paragraph after a list is: the application, a follow-us line, or neither."""
    if _prose_kind_among(text, _APPLICATION):
        return "application"
    from jobscope.platforms import mention_cue

    return "other" if mention_cue().search(text) else None


def _split_closing_paragraphs(sections: list[Section]) -> list[Section]:
    """Closing paragraphs without a heading after a list ("Klingt gut? Dann schick uns ...",
    "Folgen Sie uns auf ...") are the application or the footer, not items of the list."""
    out: list[Section] = []
    for section in sections:
        split_at, kind = None, None
        if section.kind not in {"application", "about"}:
            # A closing paragraph is one of the paragraphs that end the section (and not its
            # first block): find where that run starts once, instead of testing the rest of
            # the section at every block.
            tail = len(section.blocks)
            while tail > 0 and section.blocks[tail - 1].kind == "para":
                tail -= 1
            for index in range(max(tail, 1), len(section.blocks)):
                kind = _closing_kind(section.blocks[index].text)
                if kind:
                    split_at = index
                    break
        if split_at is None or kind is None:
            out.append(section)
            continue
        out.append(
            Section(section.kind, section.heading, section.blocks[:split_at], section.optional)
        )
        out.append(Section(kind, None, section.blocks[split_at:]))
    return out


def _sections_from_prose(sections: list[Section]) -> list[Section]:
    """An ad without section headings: each paragraph goes to the section its wording suggests."""
    out: list[Section] = []
    about = _patterns().prose["about"]
    # A paragraph's kind is asked again for the bullets after it: the cues run once per text.
    kinds: dict[str, str] = {}

    def prose_kind(text: str) -> str:
        if text not in kinds:
            kinds[text] = _prose_kind(text)
        return kinds[text]

    for section in sections:
        for block in section.blocks:
            kind = (
                prose_kind(block.text)
                if block.kind == "para"
                else (out[-1].kind if out else "other")
            )
            if not out and block.kind == "para" and about.search(block.text):
                kind = "about"  # the opening paragraph that presents the company
            if block.kind == "bullet" and out and out[-1].kind == "other":
                kind = prose_kind(out[-1].blocks[-1].text) if out[-1].blocks else "other"
            if out and out[-1].kind == kind:
                out[-1].blocks.append(block)
            else:
                out.append(Section(kind, section.heading if not out else None, [block]))
    return out


@dataclass
class Item:
    text: str
    section: str
    optional: bool


def requirement_items(sections: list[Section]) -> list[Item]:
    """The requirement items of an ad: bullets and sentences of its tasks and profile sections.
    An ad with neither gets its items from the sections of unknown kind."""
    wanted = {"tasks", "profile"}
    if not any(s.kind in wanted for s in sections):
        wanted = {"other"}
    items: list[Item] = []
    for section in sections:
        if section.kind not in wanted:
            continue
        kind = section.kind
        for block in section.blocks:
            texts = (block.text,) if block.kind == "bullet" else _sentences_of(block.text)
            for text in texts:
                text = text.strip()
                if len(text) < 3 or not any(map(str.isalpha, text)):
                    continue
                if block.kind == "para" and text.endswith(":") and len(texts) == 1:
                    continue  # an introduction to the list that follows
                optional = section.optional or is_optional_item(text)
                items.append(Item(text=text, section=kind, optional=optional))
    return items

"""Platform knowledge (aliases, formats, launch and shutdown dates) and detection of the
platforms an ad demands versus the ones it only mentions (see LABELS.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from jobscope.model import PlatformHit
from jobscope.normalize import fold_case
from jobscope.prefilter import (
    Needles,
    Prefiltered,
    iter_bits,
    needle_bits,
    needles_in,
    register_needles,
    whole_word,
    word_list,
)
from jobscope.resources import load_json


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    category: str
    launched: date | None
    """The earliest day the table's launch entry allows (a year-only entry: 1 January)."""
    shutdown: date | None
    """The latest day the table's shutdown entry allows (a year-only entry: 31 December)."""
    status_uncertain: bool = False
    note: str = ""

    def active_on(self, day: date) -> bool:
        return (self.launched is None or self.launched <= day) and (
            self.shutdown is None or day <= self.shutdown
        )


def _table_date(value: str | None, *, latest: bool) -> date | None:
    if not value:
        return None
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        year, month = parts
        if not latest:
            return date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return date(parts[0], 12, 31) if latest else date(parts[0], 1, 1)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _MatcherNeedles:
    """What a text must contain for a pattern to match anywhere in it, in the text's
    :func:`fold_case` form: all words of one of `words` as whole words, or one of `parts`
    anywhere. A cheap, necessary condition: it lets detection skip the patterns that cannot
    match, which are nearly all of them in any one text."""

    words: tuple[frozenset[str], ...] = ()
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap in sets
class _Matcher:
    pattern: re.Pattern[str]
    platforms: tuple[str, ...]
    ambiguous: bool = False
    needles: _MatcherNeedles = _MatcherNeedles()
    starts: tuple[str, ...] = ()
    """For a whole-word matcher: the folded words one of which begins each match; its matches
    are then found by trying the pattern only where one of them occurs (see _matches)."""


@lru_cache(maxsize=1)
def platforms() -> dict[str, Platform]:
    """The platform table, keyed by id."""
    table = load_json("platforms.json")
    return {
        p["id"]: Platform(
            id=p["id"],
            name=p["name"],
            category=p["category"],
            launched=_table_date(p.get("launched"), latest=False),
            shutdown=_table_date(p.get("shutdown"), latest=True),
            status_uncertain=bool(p.get("status_uncertain", False)),
            note=p.get("note", ""),
        )
        for p in table["platforms"]
    }


def display_name(platform_id: str) -> str:
    """A platform's name for people; the id itself when the table does not know it."""
    known = platforms().get(platform_id)
    return known.name if known else platform_id


def _word(alias: str) -> str:
    """An alias as a whole-word pattern; spaces inside match any space or hyphen."""
    parts = [re.escape(part) for part in alias.split()]
    body = r"[\s\-]*".join(parts)
    start = r"(?<![\w@/.])" if alias[0].isalnum() else ""
    end = r"(?![\w])" if alias[-1].isalnum() else ""
    return f"{start}{body}{end}"


def _whole_words(aliases: list[str], flags: int = 0) -> re.Pattern[str]:
    """Aliases as whole words, the longest first so that "YouTube Shorts" beats "Shorts"."""
    return re.compile("|".join(_word(a) for a in sorted(aliases, key=len, reverse=True)), flags)


def _first_words(alias: str) -> set[str] | None:
    """The words (folded) one of which begins every match of `_word(alias)`, or None when a
    match need not begin or end at a word boundary.

    A match starts at a word boundary when the alias starts with a letter or digit. Its first
    word runs to the first character that is not a word character: inside a part ("identi.ca",
    "x (ehemals twitter)"), or at the gap between two parts when the gap is not empty; an empty
    gap joins the parts ("You Tube" matches "YouTube"), so each join is a candidate.
    """
    if not alias[0].isalnum():
        return None
    parts = [fold_case(part) for part in alias.split()]
    found: set[str] = set()
    word = ""
    for index, part in enumerate(parts):
        head = _WORD.match(part)
        run = head.group(0) if head else ""
        word += run
        if len(run) < len(part):
            found.add(word)
            return found
        if index < len(parts) - 1:
            found.add(word)
    if not alias[-1].isalnum():
        return None  # no boundary after the match: its last word may run on
    found.add(word)
    return found


def _alias_needles(aliases: list[str], *, whole_words: bool) -> _MatcherNeedles:
    """The needles of a pattern of `aliases`: whole words (see _word) or plain substrings."""
    words: set[str] = set()
    parts: set[str] = set()
    for alias in aliases:
        first = _first_words(alias) if whole_words else None
        if first is not None:
            words |= first
        else:  # every part of an alias is in any match of it, literally
            parts.add(max((fold_case(part) for part in alias.split()), key=len))
    # A part that contains another one adds nothing ("podcasts" holds "podcast").
    kept = sorted(part for part in parts if not any(o != part and o in part for o in parts))
    return _MatcherNeedles(tuple(frozenset({w}) for w in sorted(words)), tuple(kept))


def _domain_needles(domains: list[str], *, country_variants: list[str]) -> _MatcherNeedles:
    """A link pattern matches a domain only where each dot- or dash-separated piece of it is a
    whole word (a link starts after a non-word character and ends before one); a country
    variant of a name (pinterest.co.uk) needs the pieces of the name."""
    words = {frozenset(_WORD.findall(fold_case(d))) for d in [*domains, *country_variants]}
    return _MatcherNeedles(words=tuple(sorted(words, key=sorted)))


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[_Matcher, ...], tuple[_Matcher, ...]]:
    table = load_json("platforms.json")
    links: list[_Matcher] = []
    found: list[_Matcher] = []
    for p in table["platforms"]:
        ids = (p["id"],)
        domains = p.get("domains") or []
        if domains:
            # Each domain, and for distinctive names (pinterest.com) any country domain of it
            # (pinterest.co.uk); a domain must stand alone ("t.co" is not inside "pinterest.co").
            names = [re.escape(d) for d in domains]
            countries = [d.split(".")[0] for d in domains if len(d.split(".")[0]) >= 5]
            names += [re.escape(name) + r"\.(?:com?\.)?[a-z]{2,3}" for name in countries]
            alt = "|".join(sorted(set(names), key=len, reverse=True))
            links.append(
                _Matcher(
                    re.compile(
                        rf"(?<![\w.@-])(?:https?://)?(?:[\w-]+\.)*(?:{alt})(?![\w-]|\.\w)"
                        rf"(?:/[^\s<>\"')]*)?",
                        re.I,
                    ),
                    ids,
                    needles=_domain_needles(domains, country_variants=countries),
                )
            )
        words = [a for a in p.get("aliases", []) if a]
        if words:
            if p.get("compound"):
                alt = "|".join(re.escape(a) for a in sorted(words, key=len, reverse=True))
                needles = _alias_needles(words, whole_words=False)
                found.append(_Matcher(re.compile(alt, re.I), ids, needles=needles))
            else:
                found.append(_alias_matcher(words, ids, flags=re.I))
        exact = [a for a in (p.get("case_sensitive_aliases") or []) + (p.get("formats") or []) if a]
        if exact:
            found.append(_alias_matcher(exact, ids))
        ambiguous = [a for a in p.get("ambiguous_aliases") or [] if a]
        if ambiguous:
            found.append(_alias_matcher(ambiguous, ids, ambiguous=True))
    for group, members in (table.get("groups") or {}).items():
        aliases = (table.get("group_aliases") or {}).get(group, [])
        bare = [a for a in aliases if a.lower() == group.lower()]
        longer = [a for a in aliases if a.lower() != group.lower()]
        if longer:
            found.append(_alias_matcher(longer, tuple(members), flags=re.I))
        if bare:  # "Meta" alone only when capitalised ("meta" is a word in English)
            meta = bare[0].capitalize()
            needles = _alias_needles([meta], whole_words=True)
            found.append(_Matcher(re.compile(_word(meta)), tuple(members), needles=needles))
    email = table.get("email_aliases") or []
    if email:
        found.append(_alias_matcher(email, ("newsletter",), flags=re.I))
    return tuple(links), tuple(found)


def _alias_matcher(
    aliases: list[str], ids: tuple[str, ...], *, flags: int = 0, ambiguous: bool = False
) -> _Matcher:
    """A whole-word matcher of aliases with its needles (case-insensitive needles serve a
    case-sensitive pattern too: they are a necessary condition only)."""
    needles = _alias_needles(aliases, whole_words=True)
    pattern = _whole_words(aliases, flags)
    starts = () if needles.parts else tuple(sorted(w for words in needles.words for w in words))
    return _Matcher(pattern, ids, ambiguous=ambiguous, needles=needles, starts=starts)


def _matches(matcher: _Matcher, text: str, folded: str) -> Iterator[re.Match[str]]:
    """matcher.pattern.finditer(text), found faster when the matcher knows its start words.

    `folded` is the original text folded (see fold_case); `text` may have links blanked out,
    which changes no word. A match begins where one of its start words occurs, so trying the
    pattern at those places only, from left to right and past each match, finds the same
    matches as scanning every position of the text."""
    if not matcher.starts:
        yield from matcher.pattern.finditer(text)
        return
    places: set[int] = set()
    for word in matcher.starts:
        at = folded.find(word)
        while at != -1:
            places.add(at)
            at = folded.find(word, at + 1)
    resume = 0
    for place in sorted(places):
        if place < resume:
            continue
        m = matcher.pattern.match(text, place)
        if m:
            yield m
            resume = m.end()


@dataclass(frozen=True)
class _Index:
    """The matchers by their needles, to find the few that can match a text."""

    by_word: dict[Needles, tuple[tuple[_Matcher, Needles], ...]]
    """A needle's longest word -> (matcher, all the needle's words), as whole_word needles."""
    keys: Needles
    """The words of by_word."""
    by_part: dict[Needles, tuple[_Matcher, ...]]
    parts: Needles
    rank: dict[_Matcher, int]
    """Each matcher's place in _matchers(): links first, then the table's order."""
    links: frozenset[_Matcher]

    def candidates(self, text: str) -> tuple[list[_Matcher], list[_Matcher]]:
        """The link and alias matchers whose needles `text` contains, in their order: every
        matcher that can match in it. The needles are looked up with those of the word
        lists (prefilter.needles_in), once per text."""
        present = needles_in(text)
        keys = present & self.keys
        parts = present & self.parts
        if not keys and not parts:
            return [], []
        found = {m for part in iter_bits(parts) for m in self.by_part[part]}
        for word in iter_bits(keys):
            found.update(m for m, needle in self.by_word[word] if present & needle == needle)
        ordered = sorted(found, key=self.rank.__getitem__)
        return [m for m in ordered if m in self.links], [m for m in ordered if m not in self.links]


@lru_cache(maxsize=1)
def _index() -> _Index:
    links, found = _matchers()
    by_word: dict[str, list[tuple[_Matcher, frozenset[str]]]] = {}
    by_part: dict[str, list[_Matcher]] = {}
    for matcher in (*links, *found):
        for words in matcher.needles.words:
            needle = frozenset(whole_word(w) for w in words)
            key = whole_word(max(sorted(words), key=len))
            by_word.setdefault(key, []).append((matcher, needle))
        for part in matcher.needles.parts:
            by_part.setdefault(part, []).append(matcher)
    register_needles(w for entries in by_word.values() for _m, n in entries for w in n)
    register_needles(by_part)
    rank = {matcher: i for i, matcher in enumerate((*links, *found))}
    return _Index(
        {
            needle_bits([w]): tuple((m, needle_bits(n)) for m, n in entries)
            for w, entries in by_word.items()
        },
        needle_bits(by_word),
        {needle_bits([part]): tuple(ms) for part, ms in by_part.items()},
        needle_bits(by_part),
        rank,
        frozenset(links),
    )


@lru_cache(maxsize=1)
def mention_cue() -> Prefiltered:
    """Follow-us lines, application channels and sharing: a platform there is only mentioned."""
    return word_list(load_json("cues.json")["mention"])


# Words right before an ambiguous alias that make it a platform: "Erfahrung mit Threads",
# "posting on X", "Kanal auf Medium".
_PLATFORM_CONTEXT = re.compile(
    r"(?:\b(?:mit|auf|on|via|für|for|with|bei|über|kanal|channel|account|profil|profile|"
    r"plattform|platform|netzwerk|network|app|bespiel\w*|betreu\w*|manage[sd]?|managst|run|runs|"
    r"grow|grows)\s+)$",
    re.IGNORECASE,
)
# ... or right before a word that does ("Threads experience", "X-Account", "Threads performance").
_PLATFORM_CONTEXT_AFTER = re.compile(
    r"^[\s-]?(?:experience|erfahrung|accounts?|kan(?:al|äle)|channels?|profile?|profil|performance|"
    r"community|content|posts?|beiträge|strateg(?:y|ie)|audience|presence|auftritt|ads|kampagnen?|"
    r"campaigns?)\b",
    re.IGNORECASE,
)


def find_platforms(text: str) -> list[tuple[str, str, int, bool]]:
    """Platforms named in `text`: (platform id, matched text, position, is_link).

    Links (instagram.com/acme) are reported as links and their text is not read again;
    an ambiguous alias ("X", "Threads") counts only beside another platform in the same text
    or right after or before a word that names a platform's use ("Erfahrung mit Threads", "on X",
    "Threads experience").
    """
    # Only the matchers that can match run, in the same order as all of them would.
    links, matchers = _index().candidates(text)
    if not links and not matchers:
        return []
    hits: list[tuple[str, str, int, bool]] = []
    spans: list[tuple[int, int]] = []
    original = text
    for matcher in links:
        for m in matcher.pattern.finditer(text):
            hits.extend((pid, m.group(0), m.start(), True) for pid in matcher.platforms)
            spans.append(m.span())
    if spans:
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        text = "".join(chars)
    # All alias matches; where two overlap ("Facebook Messenger" and "Facebook", "Facebook Reels"
    # and "Reels"), the longer one wins.
    candidates: list[tuple[int, int, tuple[str, ...], bool]] = []
    folded = fold_case(original)
    for matcher in matchers:
        for m in _matches(matcher, text, folded):
            candidates.append((m.start(), m.end(), matcher.platforms, matcher.ambiguous))
    kept: list[tuple[int, int, tuple[str, ...], bool]] = []
    for cand in sorted(candidates, key=lambda c: -(c[1] - c[0])):
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    plain = [c for c in kept if not c[3]]
    for start, end, ids, is_ambiguous in kept:
        if (
            is_ambiguous
            and not plain
            and not _PLATFORM_CONTEXT.search(text[max(0, start - 30) : start])
            and not _PLATFORM_CONTEXT_AFTER.search(text[end : end + 30])
        ):
            continue
        hits.extend((pid, text[start:end], start, False) for pid in ids)
    hits.sort(key=lambda h: h[2])
    return hits


def _snippet(text: str, position: int, width: int = 90) -> str:
    if len(text) <= width * 2:
        return text
    start = max(0, position - width)
    end = min(len(text), position + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def detect(chunks: Iterable[tuple[str, str, bool]]) -> list[PlatformHit]:
    """Platform hits in an ad's text chunks.

    Each chunk is (text, section kind, may_demand): may_demand is true for the title and for
    the ad's non-optional requirement items. A hit there is demanded unless its sentence is a
    follow-us line or an application channel; every other hit is a mention.
    """
    cue = mention_cue()
    out: list[PlatformHit] = []
    for text, section, may_demand in chunks:
        found = find_platforms(text)
        if not found:
            continue
        mention_only = bool(cue.search(text))
        for pid, alias, position, link in found:
            out.append(
                PlatformHit(
                    platform=pid,
                    alias=alias,
                    demanded=may_demand and not link and not mention_only,
                    evidence=_snippet(text, position),
                    section=section,
                )
            )
    return out


def split_demanded(hits: list[PlatformHit]) -> tuple[list[str], list[str]]:
    """(demanded ids, mentioned-only ids), each in order of first appearance."""
    demanded = list(dict.fromkeys(h.platform for h in hits if h.demanded))
    mentioned = [p for p in dict.fromkeys(h.platform for h in hits) if p not in set(demanded)]
    return demanded, mentioned

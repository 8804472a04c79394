"""Platform knowledge (aliases, formats, launch and shutdown dates) and detection of the
platforms an ad demands versus the ones it only mentions (see LABELS.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import product

from jobscope.model import PlatformHit
from jobscope.normalize import contains_any, fold_case
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
    starts: tuple[str, ...] = ()
    """For a whole-word matcher (no parts), one for each of `words`: the one of them that
    begins the matches it stands for. The matcher's matches are then found by trying its
    pattern only where the text has such a word (see _matches)."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap in sets
class _Matcher:
    pattern: re.Pattern[str]
    platforms: tuple[str, ...]
    ambiguous: bool = False
    needles: _MatcherNeedles = _MatcherNeedles()
    literals: tuple[str, ...] = ()
    """For a link matcher: folded pieces of text one of which every match contains (a domain,
    or a country domain's name and its dot). Its needles only ask for the domain's words,
    which ads name far more often than links ("Instagram"), so the pattern, slow to try at
    every position, runs only on a text that has one of these (see find_platforms)."""


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


def _written_words(alias: str) -> set[tuple[str, frozenset[str]]] | None:
    """For each way a match of `_word(alias)` can be written: the word (folded) it begins with,
    and the words it has as whole words for sure; None when a match need not begin at a word
    boundary.

    A match begins at a word boundary when the alias begins with a letter or digit. The gap
    between two parts of the alias is empty, which joins their words ("You Tube" matches
    "YouTube"), or spaces and dashes, which keep them apart ("You-Tube"): each choice is a way
    to write it. Its first word is a whole word, and so is its last one (the one that matters
    most: "Instagram Threads" is not in every text with "Instagram"), unless the alias ends in
    a word character that is not a letter or digit: no boundary after the match, that word
    may run on.
    """
    if not alias[0].isalnum():
        return None
    parts = [fold_case(part) for part in alias.split()]
    open_end = not alias[-1].isalnum() and bool(_WORD.match(alias[-1]))
    found: set[tuple[str, frozenset[str]]] = set()
    for gaps in product(("", " "), repeat=len(parts) - 1):
        words = _WORD.findall(
            parts[0] + "".join(g + p for g, p in zip(gaps, parts[1:], strict=True))
        )
        if open_end:
            words.pop()
        if not words:
            return None
        found.add((words[0], frozenset({words[0], words[-1]})))
    return found


def _alias_needles(aliases: list[str], *, whole_words: bool) -> _MatcherNeedles:
    """The needles of a pattern of `aliases`: whole words (see _word) or plain substrings."""
    written: set[tuple[str, frozenset[str]]] = set()
    parts: set[str] = set()
    for alias in aliases:
        ways = _written_words(alias) if whole_words else None
        if ways is not None:
            written |= ways
        else:  # every part of an alias is in any match of it, literally
            parts.add(max((fold_case(part) for part in alias.split()), key=len))
    kept = _fewest(written)
    starts = () if parts else tuple(first for first, _words in kept)
    return _MatcherNeedles(tuple(words for _first, words in kept), _shortest(parts), starts)


def _shortest(pieces: set[str]) -> tuple[str, ...]:
    """Pieces of text without those that contain another one: a text that has the longer one
    has the shorter one too ("podcasts" holds "podcast")."""
    return tuple(sorted(p for p in pieces if not any(o != p and o in p for o in pieces)))


def _domain_needles(domains: list[str], *, country_variants: list[str]) -> _MatcherNeedles:
    """A link pattern matches a domain only where each dot- or dash-separated piece of it is a
    whole word (a link starts after a non-word character and ends before one); a country
    variant of a name (pinterest.co.uk) needs the pieces of the name."""
    words = {("", frozenset(_WORD.findall(fold_case(d)))) for d in [*domains, *country_variants]}
    return _MatcherNeedles(words=tuple(words for _first, words in _fewest(words)))


def _fewest(needles: set[tuple[str, frozenset[str]]]) -> list[tuple[str, frozenset[str]]]:
    """Needles (first word, words) without those that hold another one with the same first
    word: a text with the words of the larger one has those of the smaller one too
    ("instagram.com" needs what "instagram.co.uk" needs, and more). Fewer needles, less to
    check."""
    return sorted(
        (
            (first, words)
            for first, words in needles
            if not any(f == first and w < words for f, w in needles)
        ),
        key=lambda needle: (needle[0], sorted(needle[1])),
    )


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
            literals = {fold_case(d) for d in domains} | {fold_case(n) + "." for n in countries}
            links.append(
                _Matcher(
                    re.compile(
                        rf"(?<![\w.@-])(?:https?://)?(?:[\w-]+\.)*(?:{alt})(?![\w-]|\.\w)"
                        rf"(?:/[^\s<>\"')]*)?",
                        re.I,
                    ),
                    ids,
                    needles=_domain_needles(domains, country_variants=countries),
                    literals=_shortest(literals),
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
            found.append(_alias_matcher([bare[0].capitalize()], tuple(members)))
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
    return _Matcher(_whole_words(aliases, flags), ids, ambiguous=ambiguous, needles=needles)


def _matches(
    matcher: _Matcher, starts: tuple[str, ...], text: str, folded: str
) -> Iterator[re.Match[str]]:
    """matcher.pattern.finditer(text), found faster when the matcher knows its start words.

    `starts` are the matcher's start words that are whole words of the text (see
    _Index.candidates); `folded` is the original text folded (see fold_case); `text` may have
    links blanked out, which changes no word (a link has a non-word character on either
    side). A match begins where its first word, a whole word of the text and one of the start
    words, occurs, so trying the pattern at those places only, from left to right and past
    each match, finds the same matches as scanning every position of the text."""
    if not matcher.needles.starts:
        yield from matcher.pattern.finditer(text)
        return
    places: list[int] = []
    for word in starts:
        at = folded.find(word)
        while at != -1:
            places.append(at)
            at = folded.find(word, at + 1)
    if len(starts) > 1:  # one word's places are in order already
        places = sorted(set(places))
    resume = 0
    for place in places:
        if place < resume:
            continue
        m = matcher.pattern.match(text, place)
        if m:
            yield m
            resume = m.end()


_Entry = tuple[int, Needles, str]
"""A needle of a matcher, in _Index.by_key: (the matcher's rank, all the needle's words, the
start word it stands for when the matcher has start words)."""
_Candidates = tuple[tuple[_Matcher, ...], tuple[tuple[_Matcher, tuple[str, ...]], ...]]
"""What _Index.candidates answers: link matchers, and alias matchers with their start words."""
_KNOWN_SIZE = 4096
"""Answers of _Index.candidates it remembers; past it the memory starts anew."""


@dataclass(frozen=True)
class _Index:
    """The matchers by their needles, to find the few that can match a text."""

    matchers: tuple[_Matcher, ...]
    """All of them, links first, then the table's order: a matcher's rank is its place here."""
    links: int
    """How many of them are link matchers."""
    by_key: dict[Needles, tuple[_Entry, ...]]
    """A needle's key (its longest word, as a whole_word needle, or a part) -> its entries."""
    keys: Needles
    """The keys of by_key: a text without any of them names no platform."""
    words: Needles
    """All words of all needles: the only needles of a text that its candidates depend on."""
    known: dict[Needles, _Candidates] = field(default_factory=dict)
    """Candidates by the needles they depend on. Texts that name a platform have few different
    sets of them (the same few platforms, a word or two more), so most are found here."""

    def candidates(self, present: Needles) -> _Candidates:
        """The link matchers, and the alias matchers with their start words, whose needles
        are among those of a text (`present`, see prefilter.needles_in), in their order:
        every matcher that can match in it. The start words are those the text has as whole
        words: the only ones that can begin a match (see _matches)."""
        present &= self.words
        answer = self.known.get(present)
        if answer is None:
            answer = self._candidates(present)
            if len(self.known) >= _KNOWN_SIZE:
                self.known.clear()
            self.known[present] = answer
        return answer

    def _candidates(self, present: Needles) -> _Candidates:
        """candidates(present), worked out: each needle whose key the text has, checked."""
        found: dict[int, list[str]] = {}
        for key in iter_bits(present & self.keys):
            for rank, needle, start in self.by_key[key]:
                if present & needle == needle:
                    found.setdefault(rank, []).append(start)
        ranks = sorted(found)
        return (
            tuple(self.matchers[rank] for rank in ranks if rank < self.links),
            tuple((self.matchers[r], tuple(found[r])) for r in ranks if r >= self.links),
        )


@lru_cache(maxsize=1)
def _index() -> _Index:
    links, found = _matchers()
    matchers = (*links, *found)
    by_key: dict[str, list[tuple[int, frozenset[str], str]]] = {}
    for rank, matcher in enumerate(matchers):
        needles = matcher.needles
        for words, start in zip(
            needles.words, needles.starts or [""] * len(needles.words), strict=True
        ):
            needle = frozenset(whole_word(w) for w in words)
            key = max(sorted(words), key=len)
            by_key.setdefault(whole_word(key), []).append((rank, needle, start))
        for part in matcher.needles.parts:
            by_key.setdefault(part, []).append((rank, frozenset({part}), ""))
    everything = {w for entries in by_key.values() for _r, needle, _s in entries for w in needle}
    register_needles(everything)
    return _Index(
        matchers,
        len(links),
        {
            needle_bits([key]): tuple((r, needle_bits(n), s) for r, n, s in entries)
            for key, entries in by_key.items()
        },
        needle_bits(by_key),
        needle_bits(everything),
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
    index = _index()  # first: it registers the needles that needles_in is to look for
    return _platforms_in(text, needles_in(text), index)


def _platforms_in(text: str, present: Needles, index: _Index) -> list[tuple[str, str, int, bool]]:
    """find_platforms(text), given the needles of `text` (see prefilter.needles_in)."""
    if not present & index.keys:  # most texts: no platform's needle, nothing more to do
        return []
    # Only the matchers that can match run, in the same order as all of them would.
    links, matchers = index.candidates(present)
    if not links and not matchers:
        return []
    hits: list[tuple[str, str, int, bool]] = []
    spans: list[tuple[int, int]] = []
    folded = fold_case(text)
    for matcher in links:
        if not contains_any(folded, matcher.literals):
            continue
        for m in matcher.pattern.finditer(text):
            hits.extend((pid, m.group(0), m.start(), True) for pid in matcher.platforms)
            spans.append(m.span())
    if spans:
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        text = "".join(chars)
    candidates: list[_Candidate] = []
    for matcher, starts in matchers:
        for m in _matches(matcher, starts, text, folded):
            candidates.append((*m.span(), matcher.platforms, matcher.ambiguous))
    kept = _apart(candidates)
    plain = not all(c[3] for c in kept)
    for start, end, ids, is_ambiguous in kept:
        if (
            is_ambiguous
            and not plain
            and not _PLATFORM_CONTEXT.search(text[max(0, start - 30) : start])
            and not _PLATFORM_CONTEXT_AFTER.search(text[end : end + 30])
        ):
            continue
        alias = text[start:end]
        for pid in ids:
            hits.append((pid, alias, start, False))
    hits.sort(key=lambda h: h[2])
    return hits


_Candidate = tuple[int, int, tuple[str, ...], bool]
"""An alias match: (start, end, platform ids, is the alias ambiguous)."""


def _apart(candidates: list[_Candidate]) -> list[_Candidate]:
    """The alias matches without those that overlap a longer one ("Facebook Messenger" and
    "Facebook", "Facebook Reels" and "Reels"): the longer one wins, and of two as long, the
    one found first."""
    if len(candidates) < 2:  # most texts: nothing to sort out
        return candidates
    kept: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: c[0] - c[1]):
        start, end = cand[0], cand[1]
        for other in kept:
            if start < other[1] and other[0] < end:
                break
        else:
            kept.append(cand)
    return kept


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
    index = _index()  # before needles_in (see find_platforms)
    out: list[PlatformHit] = []
    for text, section, may_demand in chunks:
        found = _platforms_in(text, needles_in(text), index)
        if not found:
            continue
        # The cue matters only to a hit that may be demanded (in a may_demand chunk, and not
        # a link): most hits are not, and the cue's long pattern is slow to try.
        mention_only = may_demand and not all(link for *_, link in found) and bool(cue.search(text))
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

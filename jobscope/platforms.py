"""Platform knowledge (aliases, formats, launch and shutdown dates) and detection of the
platforms an ad demands versus the ones it only mentions (see LABELS.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from jobscope.model import PlatformHit
from jobscope.resources import any_of, load_json


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


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    platforms: tuple[str, ...]
    ambiguous: bool = False


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
            names += [
                re.escape(d.split(".")[0]) + r"\.(?:com?\.)?[a-z]{2,3}"
                for d in domains
                if len(d.split(".")[0]) >= 5
            ]
            alt = "|".join(sorted(set(names), key=len, reverse=True))
            links.append(
                _Matcher(
                    re.compile(
                        rf"(?<![\w.@-])(?:https?://)?(?:[\w-]+\.)*(?:{alt})(?![\w-]|\.\w)"
                        rf"(?:/[^\s<>\"')]*)?",
                        re.I,
                    ),
                    ids,
                )
            )
        words = [a for a in p.get("aliases", []) if a]
        if words:
            if p.get("compound"):
                alt = "|".join(re.escape(a) for a in sorted(words, key=len, reverse=True))
                found.append(_Matcher(re.compile(alt, re.I), ids))
            else:
                found.append(_Matcher(_whole_words(words, re.I), ids))
        exact = [a for a in (p.get("case_sensitive_aliases") or []) + (p.get("formats") or []) if a]
        if exact:
            found.append(_Matcher(_whole_words(exact), ids))
        ambiguous = [a for a in p.get("ambiguous_aliases") or [] if a]
        if ambiguous:
            found.append(_Matcher(_whole_words(ambiguous), ids, ambiguous=True))
    for group, members in (table.get("groups") or {}).items():
        aliases = (table.get("group_aliases") or {}).get(group, [])
        bare = [a for a in aliases if a.lower() == group.lower()]
        longer = [a for a in aliases if a.lower() != group.lower()]
        if longer:
            found.append(_Matcher(_whole_words(longer, re.I), tuple(members)))
        if bare:  # "Meta" alone only when capitalised ("meta" is a word in English)
            found.append(_Matcher(re.compile(_word(bare[0].capitalize())), tuple(members)))
    email = table.get("email_aliases") or []
    if email:
        found.append(_Matcher(_whole_words(email, re.I), ("newsletter",)))
    return tuple(links), tuple(found)


@lru_cache(maxsize=1)
def mention_cue() -> re.Pattern[str]:
    """Follow-us lines, application channels and sharing: a platform there is only mentioned."""
    return any_of(load_json("cues.json")["mention"])


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
    links, matchers = _matchers()
    hits: list[tuple[str, str, int, bool]] = []
    spans: list[tuple[int, int]] = []
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
    for matcher in matchers:
        for m in matcher.pattern.finditer(text):
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

"""Prefiltered word lists: a regular expression that does not run on a text it cannot match.

A word list is one long case-insensitive alternation; trying it at every position of every
line of an ad is what made the detectors slow. `word_list` compiles it as `resources.any_of`
does and adds a prefilter: the words every match contains (required_terms, read from the
pattern by `re`'s own parser), looked up in an index of the text's pieces (_Needles). A list
runs only on a text that has them, so its answers are exactly the pattern's own; on a text
that has them, only the list's entries whose own needles it has run (Prefiltered.narrowed)."""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property, reduce
from operator import or_
from typing import Any

from jobscope.normalize import contains_any, fold_case
from jobscope.resources import any_of

_WORD = re.compile(r"\w+")
_WORD_CACHE_SIZE = 200_000
"""Pieces of text whose needles the index remembers (a batch's vocabulary); past it the memory
starts anew."""
_TEXT_CACHE_SIZE = 20_000
"""Texts whose needles the index remembers: an ad's lines and items are read by many lists."""
_NARROWED_CACHE_SIZE = 4096
"""Sets of a word list's needles remembered with what to run on a text that has them."""
_COMPILED_CACHE_SIZE = 256
"""Alternations of a word list's entries remembered (a few kilobytes each)."""
_REFERENCE_TO_A_GROUP = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
"""Backreferences and conditionals: they name a group by its number in the whole list."""
_UNKNOWN = object()


def _sre() -> tuple[Any, Any]:
    """The parser of regular expressions that `re` itself uses, and its opcodes."""
    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module("sre_parse"), importlib.import_module("sre_constants")


Clause = frozenset[str]
"""Needles one of which a match contains."""
Term = tuple[Clause, ...]
"""Clauses all of which a match satisfies."""

_WHOLE = " "
"""Marks a needle that is a whole word of any match (" ag": the word "ag", not "bag" or
"agentur"). Needles are runs of word characters, so the mark cannot occur in one."""
_WHOLE_WEIGHT = 3
"""How many characters a whole-word needle is worth over a needle that may lie inside a word,
when choosing a term's most selective clause."""


def _bare_needle(needle: str) -> str:
    return needle[len(_WHOLE) :] if needle.startswith(_WHOLE) else needle


def _implies(needle: str, other: str) -> bool:
    """Does every text with `needle` have `other`?"""
    if other.startswith(_WHOLE):
        return other == needle
    return other in _bare_needle(needle)


def _clause(needles: Iterable[str]) -> Clause:
    """A clause without the needles that imply another of its needles (they add nothing)."""
    found = set(needles)
    return frozenset(n for n in found if not any(o != n and _implies(n, o) for o in found))


def _weight(needle: str) -> int:
    return len(_bare_needle(needle)) + (_WHOLE_WEIGHT if needle.startswith(_WHOLE) else 0)


def _best(term: Term) -> Clause:
    """The most selective clause of a term: the heaviest lightest needle, then the fewest."""
    return max(term, key=lambda clause: (min(map(_weight, clause)), -len(clause)))


_BOUNDARY_ATS = (
    "AT_BOUNDARY",
    "AT_BEGINNING",
    "AT_BEGINNING_STRING",
    "AT_BEGINNING_LINE",
    "AT_END",
    "AT_END_STRING",
    "AT_END_LINE",
)
"""Zero-width assertions with a non-word character (or the text's edge) on one side of a word
character: \\b, ^, $, \\A, \\Z (not \\B)."""


def _boundary_ats(ops: Any) -> frozenset[Any]:
    return frozenset(getattr(ops, name) for name in _BOUNDARY_ATS if hasattr(ops, name))


def _run_needles(run: str, *, left: bool, right: bool) -> list[Clause]:
    """The needles of a run of literal characters: each of its runs of word characters, as a
    whole word where non-word characters (or word boundaries: `left`, `right`) surround it."""
    folded = fold_case(run)
    out = []
    for m in _WORD.finditer(folded):
        whole = (m.start() > 0 or left) and (m.end() < len(folded) or right)
        out.append(frozenset({_WHOLE + m.group(0) if whole else m.group(0)}))
    return out


def _term(items: Any, ops: Any, left: bool = False, right: bool = False) -> Term:
    """The clauses every match of a parsed sequence satisfies (empty: none is known); `left`
    and `right` tell whether a word boundary surely lies before and after the sequence.

    A run of literal characters puts each of its runs of word characters into every match (as
    a whole word between boundaries); a group passes its clauses on; an alternation needs one
    needle from each branch (the best clause of each, joined); a repetition passes on its
    body's clauses unless it may repeat zero times. Clauses are necessary conditions, so
    leaving out the weak ones is safe.
    """
    boundaries = _boundary_ats(ops)
    clauses: list[Clause] = []
    run: list[str] = []
    run_left = before = left  # a boundary before the run, and before the next item

    def bound_after(index: int) -> bool:
        if index + 1 == len(items):
            return right
        op, av = items[index + 1]
        if op == ops.AT:
            return av in boundaries
        return bool(op == ops.LITERAL and not _WORD.match(chr(av)))

    for index, (op, av) in enumerate(items):
        if op == ops.LITERAL:
            if not run:
                run_left = before
            run.append(chr(av))
            before = not _WORD.match(chr(av))
            if index + 1 == len(items) or items[index + 1][0] != ops.LITERAL:
                clauses += _run_needles("".join(run), left=run_left, right=bound_after(index))
                run.clear()
            continue
        if op == ops.AT:
            before = av in boundaries
            continue
        inner_left, inner_right, before = before, bound_after(index), False
        if op == ops.SUBPATTERN:
            clauses.extend(_term(av[-1], ops, inner_left, inner_right))
        elif op == getattr(ops, "ATOMIC_GROUP", None):
            clauses.extend(_term(av, ops, inner_left, inner_right))
        elif op == ops.BRANCH:
            branches = [_term(branch, ops, inner_left, inner_right) for branch in av[1]]
            if all(branches):
                clauses.append(_clause(w for branch in branches for w in _best(branch)))
        elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT, getattr(ops, "POSSESSIVE_REPEAT", None)):
            low, high, body = av
            if low >= 1:  # the boundaries hold for the body only when it occurs once
                once = low == high == 1
                clauses.extend(_term(body, ops, inner_left and once, inner_right and once))
    # A clause of one letter ("e" of "e.V.") is in nearly every text: it only costs time.
    strong = [clause for clause in dict.fromkeys(clauses) if min(map(_weight, clause)) >= 2]
    return tuple(strong or dict.fromkeys(clauses))


_MAX_TERMS = 512
"""More alternatives than this make one term of a pattern (its alternation as one clause)."""


def _terms(items: Any, ops: Any) -> list[Term] | None:
    """The terms one of which every match of a parsed sequence satisfies, or None when one of
    them has no clause.

    A group at the top is the same as its content in its place; an alternation at the top
    makes one term of each branch in its place (a word list's entries are such branches)."""
    items = list(items)
    groups = [i for i, (op, _av) in enumerate(items) if op == ops.SUBPATTERN]
    if groups:
        i = groups[0]
        return _terms(items[:i] + list(items[i][1][-1]) + items[i + 1 :], ops)
    branches = [i for i, (op, _av) in enumerate(items) if op == ops.BRANCH]
    if len(branches) == 1:
        i = branches[0]
        terms: list[Term] = []
        for branch in items[i][1][1]:
            found = _terms(items[:i] + list(branch) + items[i + 1 :], ops)
            if found is None:
                return None
            terms += found
        if len(terms) <= _MAX_TERMS:
            return terms
    term = _term(items, ops)
    return [term] if term else None


def required_terms(pattern: re.Pattern[str]) -> list[Term] | None:
    """What every match of `pattern` contains, as terms one of which it satisfies, in folded
    needles (see fold_case); None when a branch of the pattern has no literal word.

    Reads the pattern with the parser `re` itself uses (not a public interface): should it
    ever fail, the pattern simply runs on every text."""
    parser, ops = _sre()
    try:
        return _terms(list(parser.parse(pattern.pattern, pattern.flags)), ops)
    except Exception:  # an unknown parser: no prefilter
        return None


Needles = int
"""A set of needles as the bits of an int (see needle_bits): the needles of a text are the
union of those of its pieces, and a word list's test is a few integer operations, where sets
of strings cost a hash and an insertion per needle."""

_BITS: dict[str, int] = {}
"""Each registered needle's bit. Only ever extended, so that a bit keeps its meaning."""


def needle_bits(needles: Iterable[str]) -> Needles:
    """The set of these (registered) needles."""
    return reduce(or_, map(_BITS.__getitem__, needles), 0)


def iter_bits(needles: Needles) -> Iterator[Needles]:
    """Each needle of a set, as a set of one."""
    while needles:
        lowest = needles & -needles
        yield lowest
        needles ^= lowest


class _Needles:
    """The needles (words of the terms) of every word list, and those each word and each text
    contains.

    Fixed in its needles: new needles make a new index (see register_needles), so that no answer
    kept in a cache misses a needle."""

    def __init__(self, bits: dict[str, int]) -> None:
        self.needles = frozenset(bits)
        self._whole = {n: bit for n, bit in bits.items() if n.startswith(_WHOLE)}
        self._trie: dict[str, Any] = {}
        for needle, bit in bits.items():
            if needle in self._whole:
                continue
            node = self._trie
            for char in needle:
                node = node.setdefault(char, {})
            node[""] = bit
        self._in_piece: dict[str, Needles] = {}
        self._in_text: dict[str, Needles] = {}

    def _learn(self, piece: str) -> Needles:
        """Find (and remember) the needles inside a piece of text, walking the trie from each
        of its characters."""
        found = 0
        for start in range(len(piece)):
            node = self._trie
            for char in piece[start:]:
                child = node.get(char)
                if child is None:
                    break
                node = child
                if "" in node:
                    found |= node[""]
        if self._whole:
            for word in _WORD.findall(piece):
                found |= self._whole.get(_WHOLE + word, 0)
        if len(self._in_piece) >= _WORD_CACHE_SIZE:
            self._in_piece.clear()
        self._in_piece[piece] = found
        return found

    def in_text(self, text: str) -> Needles:
        """The needles that occur in `text` (each lies inside one of its pieces)."""
        found = self._in_text.get(text)
        if found is None:
            # A needle (word characters only) lies inside one of the pieces str.split() cuts
            # the text into: far cheaper than finding its words, and what is learnt about a
            # piece serves every text that has it.
            pieces = fold_case(text).split()
            known = self._in_piece
            try:
                found = reduce(or_, map(known.__getitem__, pieces), 0)
            except KeyError:  # new pieces (learning one may even empty a full memory)
                found = reduce(or_, (known[p] if p in known else self._learn(p) for p in pieces), 0)
            if len(self._in_text) >= _TEXT_CACHE_SIZE:
                self._in_text.clear()
            self._in_text[text] = found
        return found


_needles = _Needles({})
_needles_lock = threading.Lock()


def whole_word(word: str) -> str:
    """The needle that is present where `word` (folded) is a whole word of a text."""
    return _WHOLE + word


def needles_in(text: str) -> Needles:
    """The registered needles (see register_needles) that `text` has."""
    return _needles.in_text(text)


def needles_in_all(texts: Iterable[str]) -> Needles:
    """The registered needles that any of `texts` has."""
    return reduce(or_, map(_needles.in_text, texts), 0)


def register_needles(needles: Iterable[str]) -> None:
    """Have the index look for these needles (folded runs of word characters, or whole_word
    ones); a new index: see _Needles."""
    global _needles
    with _needles_lock:
        new = [n for n in sorted(set(needles)) if n not in _BITS]
        if new:
            for needle in new:
                _BITS[needle] = 1 << len(_BITS)
            _needles = _Needles(dict(_BITS))


class Prefiltered:
    """A compiled pattern that does not run on a text it cannot match; its answers are those of
    the pattern itself.

    Most word lists match in few of an ad's lines, and a long alternation is slow to try at
    every position of every line. The pattern's terms (see required_terms) tell which words
    any match contains; a text without them is answered at once."""

    def __init__(self, pattern: re.Pattern[str], entries: Sequence[str] = ()) -> None:
        """`entries`: the alternatives that `pattern` is the alternation of, in their order
        (see word_list); a text is then searched with only those that can match in it."""
        self.pattern = pattern
        self.entries = tuple(entries)
        terms = required_terms(pattern)
        self.terms: tuple[Term, ...] | None = None if terms is None else tuple(terms)
        register_needles(w for term in self.terms or () for c in term for w in c)
        # A term by the words of its best clause (its keys): a text that has one of them can
        # hold the term; then only the term's other clauses remain to be checked, if any.
        sure: set[str] = set()
        rests: dict[str, list[tuple[Needles, ...]]] = {}
        for term in self.terms or ():
            best = _best(term)
            rest = tuple(needle_bits(clause) for clause in term if clause != best)
            for key in best:
                if rest:
                    rests.setdefault(key, []).append(rest)
                else:
                    sure.add(key)
        self._sure = needle_bits(sure)
        self._keys = needle_bits(rests)
        self._rest = {_BITS[key]: tuple(found) for key, found in rests.items()}
        self._narrowed: dict[Needles, re.Pattern[str] | None] = {}
        self._compiled: dict[tuple[str, ...], re.Pattern[str]] = {}

    @cached_property
    def _pieces(self) -> tuple[str, ...] | None:
        """Pieces of text one of which every match contains (None: not known). A match
        satisfies one of the terms, hence every clause of it: one clause per term will do,
        its needles read as plain substrings (a whole word is a substring too)."""
        if self.terms is None or not all(self.terms):
            return None
        pieces: set[str] = set()
        for term in self.terms:
            # The clause whose shortest needle is longest: the most selective as a substring.
            clause = max(term, key=lambda c: min(len(_bare_needle(n)) for n in c))
            pieces.update(_bare_needle(needle) for needle in clause)
        return tuple(sorted(pieces))

    def may_occur_in(self, folded: str) -> bool:
        """False only when the pattern cannot match in a text whose fold_case form is `folded`.

        Weaker than `possible`, and cheaper for a text that is read once: a dozen substring
        tests instead of learning the needles of its pieces."""
        pieces = self._pieces
        return pieces is None or contains_any(folded, pieces)

    def possible(self, text: str) -> bool:
        """False only when the pattern cannot match anywhere in `text`."""
        if self.terms is None:
            return True
        return self.possible_with(_needles.in_text(text))

    def possible_with(self, present: Needles) -> bool:
        """False only when the pattern cannot match in a text with these needles (needles_in)."""
        if self.terms is None or present & self._sure:
            return True
        for key in iter_bits(present & self._keys):
            for rest in self._rest[key]:
                for clause in rest:
                    if not present & clause:
                        break
                else:
                    return True
        return False

    @cached_property
    def _each(self) -> tuple[tuple[str, Prefiltered], ...] | None:
        """Each entry with its own prefilter (made when first needed), or None when the
        pattern must always run whole: without entries, or when one refers to a group by its
        number in the whole list (a backreference, a conditional)."""
        if not self.entries or any(_REFERENCE_TO_A_GROUP.search(e) for e in self.entries):
            return None
        return tuple((entry, Prefiltered(any_of([entry]))) for entry in self.entries)

    @cached_property
    def _entry_needles(self) -> Needles:
        """The needles of all the entries' prefilters."""
        return needle_bits(
            needle
            for _entry, each in self._each or ()
            for term in each.terms or ()
            for clause in term
            for needle in clause
        )

    def narrowed(self, present: Needles) -> re.Pattern[str] | None:
        """What to run on a text with these needles (needles_in), None when nothing can match
        there: the alternation of the entries that can match in it, in their order.

        A long case-insensitive alternation gives `re` no literal to skip ahead to: every entry
        is tried at every position of the text. An entry whose own needles a text lacks can
        match nowhere in it (the prefilter's promise, entry by entry), so it takes part in no
        match of the whole list, and the alternation of the others finds exactly the whole
        list's matches (the same spans; groups are not comparable, see word_list). Most texts
        leave one or two entries, if any."""
        if not self.possible_with(present):
            return None  # the common case, answered by the whole list's needles
        each = self._each
        if each is None:
            return self.pattern
        # Only the entries' needles tell which entries can match (the key of the memory).
        key = present & self._entry_needles
        narrowed = self._narrowed.get(key, _UNKNOWN)
        if narrowed is not _UNKNOWN:
            return narrowed  # type: ignore[return-value]
        possible = tuple(entry for entry, prefilter in each if prefilter.possible_with(key))
        narrowed = None
        if possible:  # compiled once per set of entries: far fewer sets than of needles
            narrowed = self._compiled.get(possible)
            if narrowed is None:
                if len(self._compiled) >= _COMPILED_CACHE_SIZE:
                    self._compiled.clear()
                narrowed = self._compiled[possible] = any_of(possible)
        if len(self._narrowed) >= _NARROWED_CACHE_SIZE:
            self._narrowed.clear()
        self._narrowed[key] = narrowed
        return narrowed

    def search_with(self, text: str, present: Needles) -> re.Match[str] | None:
        """self.search(text), for a text with these needles (needles_in)."""
        runner = self.narrowed(present)
        return runner.search(text) if runner is not None else None

    def finditer_with(self, text: str, present: Needles) -> Iterator[re.Match[str]]:
        """self.finditer(text), for a text with these needles (needles_in)."""
        runner = self.narrowed(present)
        return runner.finditer(text) if runner is not None else iter(())

    def _runner(self, text: str) -> re.Pattern[str] | None:
        if self.terms is None and self._each is None:
            return self.pattern
        return self.narrowed(_needles.in_text(text))

    def search(self, text: str) -> re.Match[str] | None:
        runner = self._runner(text)
        return runner.search(text) if runner is not None else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        runner = self._runner(text)
        return runner.finditer(text) if runner is not None else iter(())

    def findall(self, text: str) -> list[Any]:
        if self.pattern.groups:  # findall answers with the groups, numbered in the whole list
            return self.pattern.findall(text) if self.possible(text) else []
        runner = self._runner(text)
        return runner.findall(text) if runner is not None else []

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        if self.pattern.groups and (callable(repl) or "\\" in repl):  # it may read groups
            return self.pattern.sub(repl, text) if self.possible(text) else text
        runner = self._runner(text)
        return runner.sub(repl, text) if runner is not None else text


def word_list(patterns: Iterable[str]) -> Prefiltered:
    """A word list as one case-insensitive pattern (resources.any_of), prefiltered, that runs
    only the entries a text can match (Prefiltered.narrowed). Its matches are to be read as
    a whole (span, group 0): a group's number or name depends on which entries ran."""
    entries = list(patterns)
    return Prefiltered(any_of(entries), entries)

"""The phrasing-pattern matcher used by rubric ``accept``, ``partial`` and misconception patterns.

Syntax (documented for authors in ``voicecoach.rubric.schema`` and ``rubrics/README.md``): a
pattern is space-separated *terms*; it matches a sentence when every term occurs in that sentence,
in any order. ``a|b`` lists alternatives, a trailing ``*`` matches a word prefix, ``_`` joins words
into a contiguous phrase. Patterns are normalised exactly like answers (``grading.normalize``), so
"x_one", "x1" and the spoken "x one" are the same thing.

Negation, per pattern: a term preceded in the same clause, within a few words, by "not", "no",
"never", "without" or an "n't" word does not count ("it does not learn the noise" does not show
the noise point). A pattern that itself names a negation ("no|without label*", "won't
generaliz*") asked for it, so it is matched literally and "there are no labels" still counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from voicecoach.grading.normalize import Sentence, tokens

NEGATORS = frozenset(
    {"not", "no", "never", "without", "nothing", "none", "neither", "nor", "cannot", "hardly"}
)
# "not only X" and "not just X" still say X
_NOT_NEGATING_NEXT = frozenset({"only", "just", "merely", "simply"})
NEGATION_WINDOW = 4


def is_negator(token: str) -> bool:
    """A word that negates what follows it ("not", "no", "doesn't", ...)."""
    return token in NEGATORS or token.endswith("n't")


@dataclass(frozen=True)
class Alternative:
    """One spelling of a term: a contiguous word sequence; the last word may be a prefix."""

    words: tuple[str, ...]
    prefix: bool

    def occurrences(self, sentence: Sentence) -> list[int]:
        """Start indexes where this alternative occurs in ``sentence``'s tokens.

        Looked up in the sentence's word index, so the cost is the occurrences of the first
        word, not the sentence length times the pattern count.
        """
        n = len(self.words)
        if n == 0:
            return []
        toks, index = sentence.tokens, sentence.positions
        if n == 1 and self.prefix:
            return sorted(
                p for tok, ps in index.items() if tok.startswith(self.words[0]) for p in ps
            )
        found = []
        for start in index.get(self.words[0], ()):
            if start + n > len(toks):
                continue
            if all(toks[start + k] == self.words[k] for k in range(1, n - 1)):
                last = toks[start + n - 1]
                wanted = self.words[-1]
                if last == wanted or (self.prefix and last.startswith(wanted)):
                    found.append(start)
        return found


@dataclass(frozen=True)
class Term:
    """One term of a pattern: any of its alternatives may occur."""

    source: str
    alternatives: tuple[Alternative, ...]

    @property
    def names_negation(self) -> bool:
        return any(is_negator(w) for alt in self.alternatives for w in alt.words)

    def spans(self, sentence: Sentence) -> dict[int, int]:
        """Start index -> end index (exclusive) of the longest alternative found there."""
        found: dict[int, int] = {}
        for alt in self.alternatives:
            for start in alt.occurrences(sentence):
                found[start] = max(found.get(start, 0), start + len(alt.words))
        return dict(sorted(found.items()))


@dataclass(frozen=True)
class PatternMatch:
    """Where a pattern matched: the sentence and the token index of each term."""

    pattern: str
    sentence: Sentence
    spans: tuple[tuple[int, int], ...]  # (start, end) token indexes, one per term

    @property
    def first(self) -> int:
        return min(start for start, _ in self.spans)

    @property
    def last(self) -> int:
        return max(end for _, end in self.spans)


@dataclass(frozen=True)
class Pattern:
    """A compiled phrasing pattern."""

    source: str
    terms: tuple[Term, ...]

    @property
    def negation_aware(self) -> bool:
        """False when the pattern names a negation itself and must be matched literally."""
        return not any(term.names_negation for term in self.terms)

    def match(self, sentence: Sentence, window: int = NEGATION_WINDOW) -> PatternMatch | None:
        """The match in this sentence, or None. Terms must sit at distinct positions; a term
        negated within ``window`` words before it does not count."""
        if not self.terms:
            return None
        candidates: list[list[int]] = []
        ends: list[dict[int, int]] = []
        for term in self.terms:
            spans = term.spans(sentence)
            starts = [
                s for s in spans if not (self.negation_aware and negated(sentence, s, window))
            ]
            if not starts:
                return None
            candidates.append(starts)
            ends.append(spans)
        positions = _distinct(candidates, [])
        if positions is None:
            return None
        spans_found = tuple((start, ends[k][start]) for k, start in enumerate(positions))
        return PatternMatch(self.source, sentence, spans_found)

    def search(self, sentences: Iterable[Sentence]) -> list[PatternMatch]:
        """All sentences this pattern matches, in order."""
        return [m for s in sentences if (m := self.match(s)) is not None]


def _distinct(candidates: list[list[int]], chosen: list[int]) -> list[int] | None:
    """Pick one start per term with no two terms on the same word (small backtracking)."""
    if len(chosen) == len(candidates):
        return chosen
    for start in candidates[len(chosen)]:
        if start not in chosen:
            found = _distinct(candidates, [*chosen, start])
            if found is not None:
                return found
    return None


def negated(sentence: Sentence, position: int, window: int = NEGATION_WINDOW) -> bool:
    """Whether the word at ``position`` is negated by a negator at most ``window`` words before
    it, in the same clause."""
    clause = sentence.clauses[position] if sentence.clauses else 0
    for j in range(max(0, position - window), position):
        if sentence.clauses and sentence.clauses[j] != clause:
            continue
        if is_negator(sentence.tokens[j]):
            following = sentence.tokens[j + 1] if j + 1 < len(sentence.tokens) else ""
            if following not in _NOT_NEGATING_NEXT:
                return True
    return False


def _alternative(text: str) -> Alternative:
    prefix = text.endswith("*")
    words = tuple(tokens(text.rstrip("*").replace("_", " ")))
    return Alternative(words, prefix)


@lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """Compile a pattern string (cached: rubrics reuse the same patterns for every answer)."""
    terms = []
    for raw in source.split():
        alternatives = tuple(
            alt for alt in (_alternative(a) for a in raw.split("|") if a) if alt.words
        )
        if alternatives:
            terms.append(Term(raw, alternatives))
    return Pattern(source, tuple(terms))


def first_match(
    patterns: Sequence[str], sentences: Iterable[Sentence], window: int = NEGATION_WINDOW
) -> PatternMatch | None:
    """The earliest sentence (in answer order) that any of ``patterns`` matches."""
    compiled = [compile_pattern(p) for p in patterns]
    for sentence in sentences:
        for pattern in compiled:
            found = pattern.match(sentence, window)
            if found is not None:
                return found
    return None

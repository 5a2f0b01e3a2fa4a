"""Checks on what the interviewer is about to say: does it give the answer away, is it a repeat?

A probe must ask for the missing piece without containing it. "Giving it away" is measured against
the rubric itself: the words a key point's ``accept`` patterns look for (and its description's
content words) are the answer, so a probe that uses one of them — unless the question, the
authored probe or the candidate already used it — reveals the answer. The check is deliberately
strict: a rejected LLM proposal costs nothing, the authored probe is asked instead.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from voicecoach.grading.normalize import STOP_WORDS, stem, words
from voicecoach.rubric.schema import KeyPoint


def content_words(text: str) -> set[str]:
    """Words that carry meaning: not stopwords, at least three letters."""
    return {w for w in words(text) if w not in STOP_WORDS and len(w) >= 3}


def answer_terms(point: KeyPoint) -> set[str]:
    """The words that would show the point is covered: accept-pattern terms and description words.

    Pattern syntax (see rubric.schema): terms separated by spaces, alternatives by ``|``, ``*`` a
    prefix, ``_`` a multi-word phrase. A prefix term is kept as its stem (``memori*`` → "memori").
    """
    terms: set[str] = set()
    for pattern in point.accept:
        for term in pattern.split():
            for alternative in term.split("|"):
                for part in alternative.replace("-", "_").split("_"):
                    part = part.strip("*").lower()
                    if part and part not in STOP_WORDS and len(part) >= 3:
                        terms.add(stem(part))
    terms |= {stem(w) for w in content_words(point.description)}
    return terms


def leaked_terms(text: str, point: KeyPoint, *, allowed: str = "") -> list[str]:
    """Answer words of ``point`` that ``text`` uses and ``allowed`` (the question, the authored
    probe, the candidate's own words) does not: non-empty means the text gives the answer away."""
    allowed_stems = {stem(w) for w in content_words(allowed)}
    found = []
    terms = answer_terms(point)
    for word in sorted(content_words(text)):
        root = stem(word)
        if root in allowed_stems or any(
            min(len(root), len(a)) >= 4 and (a.startswith(root) or root.startswith(a))
            for a in allowed_stems
        ):  # "deep" is allowed when the question says "deeper"
            continue
        if any(root == term or (len(term) >= 5 and root.startswith(term)) for term in terms):
            found.append(word)
    return found


def similarity(a: str, b: str) -> float:
    """0..1 closeness of two utterances (word sequence match), for repeat detection."""
    return SequenceMatcher(None, words(a), words(b)).ratio()


def is_repeat(text: str, previous: list[str], threshold: float = 0.75) -> bool:
    """Whether ``text`` says (nearly) the same as something already said."""
    return any(similarity(text, earlier) >= threshold for earlier in previous)

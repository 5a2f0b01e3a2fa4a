"""Checks on what the interviewer is about to say: does it give the answer away, is it a repeat?

A probe must ask for the missing piece without containing it. "Giving it away" is measured against
the rubric itself: the words a key point's ``accept`` patterns look for (and its description's
content words) are the answer, so a probe that uses one of them — unless the question, the
authored probe or the candidate already used it — reveals the answer. The check is deliberately
strict: a rejected LLM proposal costs nothing, the authored probe is asked instead.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from voicecoach.rubric.schema import KeyPoint

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOPWORD_TEXT = """\
a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don't down during each few for
    from further had has have having he her here hers him his how i if in into is it it's its just
    like me might more most much must my no nor not now of off on once only or other our out over
    own same say says she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself really right well okay um uh thing things way kind
    exactly mean tell explain bit something"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


_SENTENCE_END = re.compile(r"(?<=[.?!])[\"')\]]*\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """Split an utterance at sentence ends (keeps quotes with their sentence)."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[start : match.start() + len(match.group().rstrip())].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def words(text: str) -> list[str]:
    """Lower-case word tokens (keeps apostrophes inside words: "don't")."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    """Words that carry meaning: not stopwords, at least three letters."""
    return {w for w in words(text) if w not in STOPWORDS and len(w) >= 3}


def stem(word: str) -> str:
    """A crude stem so "memorises" and "memorize" meet; only used to compare, never shown."""
    word = re.sub(r"is(e|es|ed|ing|ation|ations)$", r"iz\1", word)
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


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
                    if part and part not in STOPWORDS and len(part) >= 3:
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

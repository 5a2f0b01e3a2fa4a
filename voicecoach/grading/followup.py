"""The follow-up proposal: the authored probe for the most important gap, in the candidate's words.

Like the reference interviewer ("You said it would overfit — why?"), the probe may open with a
short quote of what the candidate said about the point (a partial mention) or, failing that, about
their strongest point *before* it in the rubric (the premise the probe digs under: "it will
overfit" → why). A later point is never quoted: "You said "memorizes the noise" — what goes wrong
with a deeper tree?" asks about what the quote already says. A quote is a claim, not a fragment:
at least ``MIN_QUOTE_CONTENT`` content words (not stop words), else the bare probe is asked.
The quote is cut from the original transcript, so it is verbatim by construction; the probe
itself is the rubric author's, which never contains the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voicecoach.grading.models import FollowUp, KeyPointGrade, MisconceptionHit
from voicecoach.grading.normalize import (
    FUNCTION_WORDS,
    STOP_WORDS,
    Sentence,
    sentence_tokens,
    split_sentences,
)
from voicecoach.grading.patterns import first_match
from voicecoach.rubric.schema import KeyPoint, Rubric

MAX_QUOTE_WORDS = 10
MIN_QUOTE_CONTENT = 3  # content words a quote needs to be a claim ("memorizes the noise" is 2)
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = ".,;:!?\"'()"
_DANGLING = FUNCTION_WORDS - {"it", "them", "this", "that", "up", "out", "down"}


def _bare(word: str) -> str:
    return word.strip(_EDGE_PUNCT).lower()


def _is_content(word: str) -> bool:
    """A word that carries meaning: a normalised token with a letter that is not a stop word
    ("minus" becomes "-", so "It's minus" has no content word)."""
    toks = sentence_tokens(word)[0]
    return any(t not in STOP_WORDS and any(c.isalpha() for c in t) for t in toks)


def quote_of(sentence: Sentence, first: int, last: int) -> str | None:
    """Original words covering tokens ``first..last`` (exclusive), widened to a short phrase."""
    words = list(_WORD.finditer(sentence.text))
    counts = [len(sentence_tokens(sentence.text[: w.end()])[0]) for w in words]
    # filler removal depends on what follows, so prefix counts can dip: make them monotone
    for k in range(len(counts) - 2, -1, -1):
        counts[k] = min(counts[k], counts[k + 1])
    start = next((k for k, c in enumerate(counts) if c > first), None)
    end = next((k for k, c in enumerate(counts) if c >= last), None)
    if start is None or end is None:
        return None

    def said(a: int, b: int) -> int:  # content words in a..b (not fillers, function words)
        return sum(_is_content(words[k].group()) for k in range(a, b + 1))

    def pause(k: int) -> bool:  # a comma or stop after word k ends a phrase
        return words[k].group()[-1] in ",;:.!?"

    while said(start, end) < MIN_QUOTE_CONTENT:  # finish the claim first ("overfit the data")
        if end < len(words) - 1 and not pause(end):
            end += 1
        elif start > 0 and not pause(start - 1):
            start -= 1
        else:
            break
    while start < end and counts[start] == (counts[start - 1] if start else 0):
        start += 1  # never open the quote on a filler
    while end > start and _bare(words[end].group()) in _DANGLING:
        end -= 1  # nor end it on "of", "the", "your"
    if end - start + 1 > MAX_QUOTE_WORDS or said(start, end) < MIN_QUOTE_CONTENT:
        return None
    quote = sentence.text[words[start].start() : words[end].end()].strip(_EDGE_PUNCT + " ")
    return quote or None


def _quote_for(point: KeyPoint, grade: KeyPointGrade) -> str | None:
    if not grade.evidence:
        return None
    sentences = split_sentences(grade.evidence)
    patterns = point.accept if grade.status == "covered" else [*point.partial, *point.accept]
    found = first_match(patterns, sentences)
    if found is None:
        return None
    return quote_of(found.sentence, found.first, found.last)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def uncovered_required(
    rubric: Rubric, grades: Sequence[KeyPointGrade]
) -> list[tuple[KeyPoint, KeyPointGrade]]:
    """Required points not yet covered, most important first: by weight, and on a tie a partial
    point before a missing one (the candidate's own words about it can open the probe)."""
    by_id = {g.id: g for g in grades}
    pending = [
        (point, by_id[point.id])
        for point in rubric.key_points
        if point.required and point.id in by_id and by_id[point.id].status != "covered"
    ]
    pending.sort(key=lambda pg: (-pg[0].weight, pg[1].status != "partial"))
    return pending


def probe_candidates(
    rubric: Rubric, grades: Sequence[KeyPointGrade], probed: Sequence[str] = ()
) -> list[tuple[KeyPoint, KeyPointGrade]]:
    """The points worth a probe, best first: the one rule for which point to probe, used by the
    grade's proposal and by the interviewer's policy. Required, not covered, with an authored
    probe, and not probed already (a second probe on the same point would be a repeat)."""
    return [
        (point, grade)
        for point, grade in uncovered_required(rubric, grades)
        if point.probe and point.id not in probed
    ]


def propose_followup(
    rubric: Rubric,
    grades: Sequence[KeyPointGrade],
    misconceptions: Sequence[MisconceptionHit] = (),
    answer_text: str = "",
) -> FollowUp | None:
    """The probe for the first of :func:`probe_candidates`; None when nothing is left to probe."""
    candidates = probe_candidates(rubric, grades)
    if not candidates:
        return None
    point, grade = candidates[0]
    assert point.probe is not None
    by_id = {g.id: g for g in grades}
    wrong = {m.evidence for m in misconceptions}
    quote = None
    if grade.status == "partial" and grade.evidence not in wrong:
        quote = _quote_for(point, grade)
    if quote is None:
        before = rubric.key_points[: rubric.key_points.index(point)]
        covered = [
            (p, by_id[p.id])
            for p in before
            if p.id in by_id and by_id[p.id].status == "covered"
            and by_id[p.id].evidence not in wrong
        ]
        if covered:
            quote = _quote_for(*max(covered, key=lambda pg: pg[0].weight))
    if quote and (not answer_text or quote in answer_text):
        wording = f'You said "{quote}" — {_lower_first(point.probe)}'
        return FollowUp(question=wording, targets=point.id)
    return FollowUp(question=point.probe, targets=point.id)
